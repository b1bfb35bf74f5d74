"""File delivery: append bytes to a file, creating it with a mode (the log handler kind)."""

from __future__ import annotations

import asyncio
import errno
import os

from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.delivery.outcome import Outcome

# Problems of the path itself: retrying the same append cannot help until someone fixes the configuration.
_CONFIG_ERRNOS = frozenset(
    {
        errno.ENOENT,
        errno.ENOTDIR,
        errno.EACCES,
        errno.EPERM,
        errno.EISDIR,
        errno.EROFS,
        errno.ELOOP,
        errno.ENAMETOOLONG,
    }
)


async def append_file(path: str, data: bytes, mode: int, limit: float | None) -> Outcome:
    """Append `data` to `path` in a worker thread (O_WRONLY|O_APPEND|O_CREAT with `mode`)."""
    try:
        async with asyncio.timeout(limit if limit and limit > 0 else None):
            await asyncio.to_thread(_append, path, data, mode)
    except TimeoutError:
        raise DeliveryError(Reason.TIMEOUT, f"write {path}: not done within {limit:g}s", retryable=True) from None
    return Outcome(None)


def _append(path: str, data: bytes, mode: int) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, mode)
    except OSError as exc:
        raise file_error("open", path, exc) from exc
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as exc:
        raise file_error("write", path, exc) from exc
    finally:
        os.close(fd)


def file_error(op: str, path: str, exc: OSError) -> DeliveryError:
    """A classified DeliveryError for a failed file operation, worded as Go's `*PathError`."""
    text = exc.strerror or str(exc)
    message = f"{op} {path}: {text[:1].lower()}{text[1:]}"
    if exc.errno in _CONFIG_ERRNOS:
        return DeliveryError(Reason.CONFIG, message, retryable=False)
    return DeliveryError(Reason.OTHER, message, retryable=True)

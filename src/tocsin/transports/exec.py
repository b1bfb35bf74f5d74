"""Program delivery: run a program without a shell, feed it stdin, wait for it (the exec handler kind)."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import signal
from collections.abc import Sequence

from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.delivery.outcome import Outcome

STDERR_TAIL_CHARS = 300
REAP_SECONDS = 5.0
# A program that cannot start for these reasons will not start on a retry either.
_CONFIG_ERRNOS = frozenset({errno.ENOENT, errno.EACCES, errno.EPERM, errno.ENOEXEC, errno.ENOTDIR, errno.EISDIR})


async def run_program(argv: Sequence[str], stdin: bytes, limit: float | None) -> Outcome:
    """Run `argv`; success is exit status 0. A timeout kills the program and everything it started."""
    if not argv or not argv[0]:
        raise DeliveryError(Reason.CONFIG, "exec: no program to run", retryable=False)
    prog = argv[0]
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,  # its own process group, so a timeout can kill its children too
        )
    except OSError as exc:
        config = exc.errno in _CONFIG_ERRNOS
        raise DeliveryError(
            Reason.CONFIG if config else Reason.OTHER,
            f"fork/exec {prog}: {_strerror(exc)}",
            retryable=not config,
        ) from exc
    try:
        async with asyncio.timeout(limit if limit and limit > 0 else None):
            _, err = await proc.communicate(stdin)
    except TimeoutError:
        await _kill(proc)
        raise DeliveryError(
            Reason.TIMEOUT, f"exec {prog}: killed after {limit:g}s without exiting", retryable=True
        ) from None
    except BaseException:
        await _kill(proc)
        raise
    code = proc.returncode
    if code == 0:
        return Outcome(None)
    status = f"exit status {code}" if code is not None and code > 0 else _signalled(code)
    tail = err.decode("utf-8", "replace")[-STDERR_TAIL_CHARS:]
    message = f"exec {prog}: {status}: {tail}" if tail else f"exec {prog}: {status}"
    raise DeliveryError(Reason.SERVER_ERROR, message, retryable=True)


def _signalled(code: int | None) -> str:
    if code is None:
        return "no exit status"
    name = signal.strsignal(-code) or f"signal {-code}"
    return f"signal: {name[:1].lower()}{name[1:]}"


def _strerror(exc: OSError) -> str:
    text = exc.strerror or str(exc)
    return text[:1].lower() + text[1:]


async def _kill(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(proc.wait(), REAP_SECONDS)

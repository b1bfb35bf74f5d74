from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.transports.file import append_file, file_error


@pytest.fixture
def no_umask() -> Iterator[None]:
    previous = os.umask(0)
    yield
    os.umask(previous)


async def test_creates_with_mode_and_appends(tmp_path: Path, no_umask: None) -> None:
    path = tmp_path / "alerts.log"
    await append_file(str(path), b"one\n", 0o604, 5.0)
    await append_file(str(path), b"two\n", 0o600, 5.0)
    assert path.read_bytes() == b"one\ntwo\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o604  # the mode applies only on creation


@pytest.mark.parametrize(
    ("relative", "message"),
    [
        ("missing/alerts.log", "open {tmp}/missing/alerts.log: no such file or directory"),
        ("file/alerts.log", "open {tmp}/file/alerts.log: not a directory"),
        ("dir", "open {tmp}/dir: is a directory"),
    ],
    ids=["missing-directory", "parent-is-a-file", "path-is-a-directory"],
)
async def test_path_problems_are_config_errors(tmp_path: Path, relative: str, message: str) -> None:
    (tmp_path / "file").write_text("")
    (tmp_path / "dir").mkdir()
    with pytest.raises(DeliveryError) as caught:
        await append_file(str(tmp_path / relative), b"x\n", 0o600, 5.0)
    assert (caught.value.reason, caught.value.retryable) == (Reason.CONFIG, False)
    assert str(caught.value) == message.format(tmp=tmp_path)


async def test_full_disk_is_retryable() -> None:
    with pytest.raises(DeliveryError) as caught:
        await append_file("/dev/full", b"x\n", 0o600, 5.0)
    assert (caught.value.reason, caught.value.retryable) == (Reason.OTHER, True)
    assert str(caught.value) == "write /dev/full: no space left on device"


@pytest.mark.parametrize(
    ("code", "reason", "retryable", "message"),
    [
        (errno.EACCES, Reason.CONFIG, False, "open /p: permission denied"),
        (errno.EROFS, Reason.CONFIG, False, "open /p: read-only file system"),
        (errno.ENOSPC, Reason.OTHER, True, "open /p: no space left on device"),
        (errno.EIO, Reason.OTHER, True, "open /p: input/output error"),
    ],
    ids=["permission", "read-only", "no-space", "io-error"],
)
def test_file_error_classification(code: int, reason: Reason, retryable: bool, message: str) -> None:
    error = file_error("open", "/p", OSError(code, os.strerror(code)))
    assert (error.reason, error.retryable, str(error)) == (reason, retryable, message)

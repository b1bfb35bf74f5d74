from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.transports.exec import run_program


def script(tmp_path: Path, body: str, name: str = "handler.sh") -> str:
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return str(path)


async def test_argv_and_stdin_reach_the_program(tmp_path: Path) -> None:
    prog = script(tmp_path, 'dir=$(dirname "$0")\nprintf "%s\\0" "$0" "$@" > "$dir/argv"\ncat > "$dir/stdin"\n')
    outcome = await run_program([prog, "a b", "", "c"], b"payload\n", 5.0)
    assert outcome.status is None
    assert (tmp_path / "argv").read_bytes().split(b"\0")[:-1] == [prog.encode(), b"a b", b"", b"c"]
    assert (tmp_path / "stdin").read_bytes() == b"payload\n"


async def test_non_zero_exit_is_a_retryable_server_error_with_stderr(tmp_path: Path) -> None:
    prog = script(tmp_path, "cat > /dev/null\necho 'disk on fire' >&2\nexit 3\n")
    with pytest.raises(DeliveryError) as caught:
        await run_program([prog], b"{}\n", 5.0)
    assert (caught.value.reason, caught.value.retryable) == (Reason.SERVER_ERROR, True)
    assert str(caught.value) == f"exec {prog}: exit status 3: disk on fire\n"


async def test_only_the_last_300_characters_of_stderr_are_kept(tmp_path: Path) -> None:
    prog = script(tmp_path, "printf 'x%.0s' $(seq 1 500) >&2\nprintf 'END' >&2\nexit 1\n")
    with pytest.raises(DeliveryError) as caught:
        await run_program([prog], b"", 5.0)
    assert str(caught.value) == f"exec {prog}: exit status 1: " + "x" * 297 + "END"


async def test_killed_by_a_signal(tmp_path: Path) -> None:
    prog = script(tmp_path, "kill -TERM $$\n")
    with pytest.raises(DeliveryError) as caught:
        await run_program([prog], b"", 5.0)
    assert str(caught.value) == f"exec {prog}: signal: terminated"


async def test_timeout_kills_the_program_and_its_children(tmp_path: Path) -> None:
    body = 'dir=$(dirname "$0")\nsleep 30 &\necho $! > "$dir/child"\necho $$ > "$dir/pid"\nsleep 30\n'
    prog = script(tmp_path, body)
    started = time.monotonic()
    with pytest.raises(DeliveryError) as caught:
        await run_program([prog], b"", 0.5)
    assert time.monotonic() - started < 5
    assert (caught.value.reason, caught.value.retryable) == (Reason.TIMEOUT, True)
    assert str(caught.value) == f"exec {prog}: killed after 0.5s without exiting"
    for name in ("pid", "child"):
        pid = int((tmp_path / name).read_text())
        await _until_gone(pid)


async def _until_gone(pid: int) -> None:
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"process {pid} is still running")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: str(tmp / "absent"), "fork/exec {prog}: no such file or directory"),
        (lambda tmp: _not_executable(tmp), "fork/exec {prog}: permission denied"),
    ],
    ids=["missing", "not-executable"],
)
async def test_programs_that_cannot_start_are_config_errors(
    tmp_path: Path, make: Callable[[Path], str], message: str
) -> None:
    prog = make(tmp_path)
    with pytest.raises(DeliveryError) as caught:
        await run_program([prog, "x"], b"", 5.0)
    assert (caught.value.reason, caught.value.retryable) == (Reason.CONFIG, False)
    assert str(caught.value) == message.format(prog=prog)


def _not_executable(tmp_path: Path) -> str:
    path = tmp_path / "plain.sh"
    path.write_text("#!/bin/sh\n")
    path.chmod(0o644)
    return str(path)


async def test_empty_argv_is_a_config_error() -> None:
    with pytest.raises(DeliveryError) as caught:
        await run_program(["", "x"], b"", 5.0)
    assert (caught.value.reason, str(caught.value)) == (Reason.CONFIG, "exec: no program to run")

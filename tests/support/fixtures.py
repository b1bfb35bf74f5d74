"""Pytest fixtures shared by every test package (registered in tests/conftest.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import ServerProcess
from tests.support.sink import HttpSink, TcpSink
from tocsin.transports import Transports


@pytest.fixture
async def sink() -> AsyncIterator[HttpSink]:
    """A fresh recording HTTP server, answering 200 until scripted otherwise."""
    server = await HttpSink().start()
    yield server
    await server.close()


@pytest.fixture
async def tcp_sink() -> AsyncIterator[TcpSink]:
    """A fresh recording TCP server."""
    server = await TcpSink().start()
    yield server
    await server.close()


@pytest.fixture
async def transports() -> AsyncIterator[Transports]:
    """The real shared transports, closed after the test."""
    shared = Transports()
    yield shared
    await shared.close()


@dataclass(frozen=True)
class SinkProcess:
    """A recording HTTP sink in its own process (for servers in other processes): its URL and record file."""

    url: str
    record: Path

    def received(self, count: int, within: float = 20.0) -> list[dict[str, Any]]:
        """The recorded requests once `count` have arrived (or all there are after `within` seconds)."""
        deadline = time.monotonic() + within
        lines: list[str] = []
        while time.monotonic() < deadline:
            lines = self.record.read_text().splitlines() if self.record.exists() else []
            if len(lines) >= count:
                break
            time.sleep(0.05)
        return [json.loads(line) for line in lines]


@pytest.fixture
def sink_process(tmp_path: Path) -> Iterator[SinkProcess]:
    """`python -m tests.support.sink` recording every request to a file; its URL ends in `/alerts`."""
    record = tmp_path / "received.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.sink", "--port", "0", "--record", str(record)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    assert proc.stdout is not None
    port = int(proc.stdout.readline().split()[1])
    yield SinkProcess(f"http://127.0.0.1:{port}/alerts", record)
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def serve_process(tmp_path: Path) -> Iterator[ServerProcess]:
    """`tocsin serve` in its own process on a free port (data in tmp_path), stopped after the test."""
    proc = ServerProcess(tmp_path).start()
    yield proc
    proc.stop()

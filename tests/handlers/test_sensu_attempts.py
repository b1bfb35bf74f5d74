"""`[delivery] kind-max-attempts`: a Sensu socket that never answers `ok` is dead-lettered after the kind's
attempts, one connection each, instead of the global max-attempts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.sink import TcpSink
from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.alert.topics import Derive
from tocsin.config.loader import load_text
from tocsin.engine.engine import Engine
from tocsin.store.base import DeliveryFilter, DeliveryStatus
from tocsin.store.sqlite import SqliteStore


@pytest.fixture
async def silent_peer() -> AsyncIterator[TcpSink]:
    """Reads each check result and closes without a word: never `ok`."""
    sink = await TcpSink().start()
    yield sink
    await sink.close()


async def dead_after(tmp_path: Path, peer: TcpSink, delivery: str) -> tuple[int, int, str]:
    """(attempts of the dead row, connections the peer saw, last error) for one sensu event."""
    text = (
        f'data_dir = "{tmp_path}"\n[sensu]\nenabled = true\naddr = "{peer.address}"\n'
        '[delivery]\nbackoff-initial = "5ms"\nbackoff-max = "10ms"\nkind-timeouts = { sensu = "100ms" }\n'
        f"{delivery}"
    )
    engine = Engine(load_text(text, "test.conf", environ={}), SqliteStore(str(tmp_path / "tocsin.db")))
    await engine.start()
    try:
        await engine.create_handler("t", {"id": "s", "kind": "sensu", "options": {}})
        event = Event(topic="t", id="cpu.serverA", level=Level.CRITICAL, time=1, message="m")
        assert await engine.collect([(event, Derive())]) == 1
        await engine.wait_idle()
        (row,) = await engine.deliveries(DeliveryFilter(topic="t"))
    finally:
        await engine.stop(0.1)
    assert row.status is DeliveryStatus.DEAD
    return row.attempts, len(await peer.wait_for(row.attempts)), row.last_error


async def test_the_kinds_max_attempts_bounds_the_retries(tmp_path: Path, silent_peer: TcpSink) -> None:
    delivery = "max-attempts = 10\nkind-max-attempts = { sensu = 3, post = 1 }\n"
    assert await dead_after(tmp_path, silent_peer, delivery) == (
        3,
        3,
        f"dial tcp {silent_peer.address}: no answer within 0.1s",
    )


async def test_without_it_max_attempts_applies(tmp_path: Path, silent_peer: TcpSink) -> None:
    attempts, connections, _ = await dead_after(tmp_path, silent_peer, "max-attempts = 2\n")
    assert (attempts, connections) == (2, 2)

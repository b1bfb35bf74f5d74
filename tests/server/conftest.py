"""An in-process Tocsin server (real engine, SQLite store in tmp_path) behind aiohttp's test client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tocsin.config.loader import load_text
from tocsin.engine.engine import Engine
from tocsin.server.app import build_app
from tocsin.server.keys import ENGINE
from tocsin.store.sqlite import SqliteStore

FAST_RETRY = '[delivery]\nbackoff-initial = "10ms"\nbackoff-max = "50ms"\n'

StartApi = Callable[[str], Awaitable[TestClient]]


@pytest.fixture
async def start_api(tmp_path: Path) -> AsyncIterator[StartApi]:
    """Start servers on one data directory (a second start after `stop_api` is a restart)."""
    clients: list[TestClient] = []

    async def start(conf: str = FAST_RETRY) -> TestClient:
        base = load_text(f'data_dir = "{tmp_path}"\n{conf}', "test.conf", environ={})
        engine = Engine(base, SqliteStore(str(tmp_path / "tocsin.db")))
        await engine.start()
        client = TestClient(TestServer(build_app(engine)))
        await client.start_server()
        clients.append(client)
        return client

    yield start
    for client in clients:
        await stop_api(client)


_stopped: set[int] = set()


async def stop_api(client: TestClient) -> None:
    """Stop a server as a graceful shutdown would (its engine flushes and closes the store)."""
    if id(client) in _stopped or client.server.app is None:
        return
    _stopped.add(id(client))
    engine = client.server.app[ENGINE]
    await client.close()
    await engine.stop(0.1)


@pytest.fixture
async def api(start_api: StartApi) -> TestClient:
    return await start_api(FAST_RETRY)


def engine_of(client: TestClient) -> Engine:
    assert client.server.app is not None
    return client.server.app[ENGINE]

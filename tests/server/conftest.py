"""An in-process Tocsin server (real engine, SQLite store in tmp_path) behind aiohttp's test client.

With `TOCSIN_TEST_STORAGE_URL=postgresql://user@host:port/db` each test's servers use instead a fresh database
created on that PostgreSQL server (and dropped after the test).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.support.client import Client
from tests.support.postgres import fresh_database
from tocsin.config.loader import load_text
from tocsin.engine.engine import Engine
from tocsin.server.app import build_app
from tocsin.server.keys import ENGINE
from tocsin.store.base import Store
from tocsin.store.postgres import PostgresStore
from tocsin.store.sqlite import SqliteStore
from tocsin.wiring import assemble

FAST_RETRY = '[delivery]\nbackoff-initial = "10ms"\nbackoff-max = "50ms"\n'

StartApi = Callable[[str], Awaitable[Client]]

STORAGE_URL_ENV = "TOCSIN_TEST_STORAGE_URL"


@pytest.fixture
async def start_api(tmp_path: Path) -> AsyncIterator[StartApi]:
    """Start servers on one data directory (a second start after `stop_api` is a restart)."""
    clients: list[Client] = []
    databases = AsyncExitStack()
    database: list[str] = []

    async def store() -> Store:
        server = os.environ.get(STORAGE_URL_ENV, "")
        if not server:
            return SqliteStore(str(tmp_path / "tocsin.db"))
        if not server.startswith(("postgresql:", "postgres:")):
            pytest.fail(f"{STORAGE_URL_ENV} must be a postgresql:// URL, got {server!r}", pytrace=False)
        if not database:
            database.append(await databases.enter_async_context(fresh_database(server)))
        return PostgresStore(database[0])

    async def start(conf: str = FAST_RETRY) -> Client:
        base = load_text(f'data_dir = "{tmp_path}"\n{conf}', "test.conf", environ={})
        engine = assemble(base, await store())
        await engine.start()
        client = TestClient(TestServer(build_app(engine)))
        await client.start_server()
        clients.append(client)
        return client

    yield start
    for client in clients:
        await stop_api(client)
    await databases.aclose()


_stopped: set[int] = set()


async def stop_api(client: Client) -> None:
    """Stop a server as a graceful shutdown would (its engine flushes and closes the store)."""
    if id(client) in _stopped or client.app is None:
        return
    _stopped.add(id(client))
    engine = client.app[ENGINE]
    await client.close()
    await engine.stop(0.1)


@pytest.fixture
async def api(start_api: StartApi) -> Client:
    return await start_api(FAST_RETRY)


def engine_of(client: Client) -> Engine:
    assert client.app is not None
    return client.app[ENGINE]

"""An in-process Tocsin server for the hardening tests (real engine, SQLite store in tmp_path)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.support.client import Client
from tocsin.auth.bootstrap import bootstrap_admin
from tocsin.config.loader import load_text
from tocsin.engine.engine import Engine
from tocsin.server.app import build_app
from tocsin.server.auth import USERS
from tocsin.server.keys import ENGINE
from tocsin.store.sqlite import SqliteStore
from tocsin.transports import Transports
from tocsin.wiring import assemble

FAST_RETRY = '[delivery]\nbackoff-initial = "10ms"\nbackoff-max = "50ms"\nmax-attempts = 2\n'
ADMIN, ADMIN_PASSWORD, SECRET = "root", "root-pass-1", "jwt-shared-secret"
AUTH_CONF = f"""[http]
auth-enabled = true
shared-secret = "{SECRET}"
admin-user = "{ADMIN}"
admin-password = "{ADMIN_PASSWORD}"
"""

Start = Callable[..., Awaitable[Client]]


@pytest.fixture
async def start(tmp_path: Path) -> AsyncIterator[Start]:
    """Start a server with extra config text (and `transports`, e.g. with a stub resolver); with auth enabled,
    the configured admin is created first."""
    clients: list[Client] = []

    async def run(conf: str = "", transports: Transports | None = None, **server_kwargs: object) -> Client:
        base = load_text(f'data_dir = "{tmp_path}"\n{FAST_RETRY}{conf}', "test.conf", environ={})
        engine = assemble(base, SqliteStore(str(tmp_path / "tocsin.db")), transports=transports)
        await engine.start()
        app = build_app(engine)
        if engine.config.get("http", "auth-enabled"):
            await bootstrap_admin(app[USERS], engine.config)
        server = TestServer(app)
        await server.start_server(**server_kwargs)  # type: ignore[arg-type]
        client = TestClient(server)
        await client.start_server()
        clients.append(client)
        return client

    yield run
    for client in clients:
        engine = client.app[ENGINE] if client.app is not None else None
        await client.close()
        if engine is not None:
            await engine.stop(0.1)


def engine_of(client: Client) -> Engine:
    assert client.app is not None
    return client.app[ENGINE]

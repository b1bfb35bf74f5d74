"""Fresh PostgreSQL databases for tests: created on a server named by a URL, dropped afterwards.

`TOCSIN_TEST_PG_URL` names the server (any existing database on it; default the local `postgres` database).
A server that cannot be reached fails the test with a message saying so; it is never skipped.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit, urlunsplit

import asyncpg  # type: ignore[import-untyped]
import pytest

ADMIN_URL_ENV = "TOCSIN_TEST_PG_URL"
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def admin_url() -> str:
    """The server the tests create their databases on."""
    return os.environ.get(ADMIN_URL_ENV) or DEFAULT_ADMIN_URL


def database_url(server_url: str, name: str) -> str:
    """`server_url` with its database replaced by `name` (user, host, port and query kept)."""
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


async def _admin(server_url: str) -> asyncpg.Connection:
    try:
        return await asyncpg.connect(server_url, timeout=10)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        pytest.fail(
            f"PostgreSQL is required by this test but {server_url} cannot be reached ({exc!r}); "
            f"start PostgreSQL or point {ADMIN_URL_ENV} (or TOCSIN_TEST_STORAGE_URL) at a server",
            pytrace=False,
        )


@asynccontextmanager
async def fresh_database(server_url: str | None = None) -> AsyncIterator[str]:
    """Create an empty database `tocsin_test_<random>` on the server and yield its URL; drop it on exit."""
    server = server_url or admin_url()
    name = f"tocsin_test_{secrets.token_hex(6)}"
    conn = await _admin(server)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield database_url(server, name)
    finally:
        conn = await _admin(server)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

"""The `store` fixture: every contract test runs once on SQLite and once on a fresh PostgreSQL database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from tests.support.postgres import fresh_database
from tocsin.store.base import Store
from tocsin.store.postgres import PostgresStore
from tocsin.store.sqlite import SqliteStore

NewStore = Callable[[], Store]


@pytest.fixture(params=["sqlite", "postgresql"])
async def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[NewStore]:
    """Makes unopened stores that all share one location (a second store is a restart)."""
    if request.param == "sqlite":
        path = str(tmp_path / "data" / "tocsin.db")
        yield lambda: SqliteStore(path)
        return
    async with fresh_database() as url:
        yield lambda: PostgresStore(url)


@pytest.fixture
async def store(new_store: NewStore) -> AsyncIterator[Store]:
    s = new_store()
    await s.open()
    yield s
    await s.close()

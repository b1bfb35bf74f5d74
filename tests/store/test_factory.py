from __future__ import annotations

from pathlib import Path

import pytest

from tocsin.errors import StoreError
from tocsin.store.factory import open_store
from tocsin.store.postgres import PostgresStore
from tocsin.store.sqlite import SqliteStore


def test_factory_urls(tmp_path: Path) -> None:
    default = open_store("", str(tmp_path))
    assert isinstance(default, SqliteStore) and default.path == str(tmp_path / "tocsin.db")
    explicit = open_store(f"sqlite://{tmp_path}/x.db", "ignored")
    assert isinstance(explicit, SqliteStore) and explicit.path == f"{tmp_path}/x.db"
    with pytest.raises(StoreError, match='unsupported scheme "redis"'):
        open_store("redis://x", "d")


@pytest.mark.parametrize(
    "url", ["postgresql://u@db:5432/tocsin", "postgres://u:pw@db/tocsin?search_path=t"], ids=["postgresql", "postgres"]
)
def test_factory_postgres_urls(url: str) -> None:
    store = open_store(url, "ignored")
    assert isinstance(store, PostgresStore) and store.url == url


def test_factory_error_lists_the_schemes() -> None:
    with pytest.raises(StoreError) as info:
        open_store("mysql://x", "d")
    assert str(info.value) == '[storage] url: unsupported scheme "mysql" (supported: sqlite, postgresql)'

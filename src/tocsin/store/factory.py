"""Pick the store backend from `[storage] url`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from tocsin.errors import StoreError
from tocsin.extras import missing
from tocsin.store.base import Store
from tocsin.store.sqlite import SqliteStore

DEFAULT_FILE = "tocsin.db"


def configured_store(values: Mapping[str, list[dict[str, Any]]]) -> Store:
    """The store a loaded configuration names: `[storage] url`, else SQLite in the top-level `data_dir`."""
    top = values[""][0]
    storage = values.get("storage", [{}])[0]
    return open_store(
        str(storage.get("url", "")),
        str(top.get("data_dir", "./tocsin-data")),
        str(storage.get("synchronous", "full")),
    )


def open_store(url: str, data_dir: str, synchronous: str = "full") -> Store:
    """A store for `url`: "" (SQLite in `data_dir`), `sqlite:///abs/path`, `sqlite://rel/path` or `postgresql://...`."""
    if not url:
        return SqliteStore(os.path.join(data_dir, DEFAULT_FILE), synchronous)
    if url.startswith("sqlite://"):
        path = url[len("sqlite://") :]
        if not path:
            raise StoreError('[storage] url "sqlite://" names no file')
        return SqliteStore(path, synchronous)
    scheme = url.split(":", 1)[0]
    if scheme in ("postgresql", "postgres"):
        problem = missing("postgres", f"[storage] url {scheme}://")
        if problem:
            raise StoreError(problem)
        # Imported here so that SQLite users never load the PostgreSQL driver.
        from tocsin.store.postgres import PostgresStore

        return PostgresStore(url)
    raise StoreError(f'[storage] url: unsupported scheme "{scheme}" (supported: sqlite, postgresql)')

"""Two engines on one fresh PostgreSQL database (two instances in one process), and waiting for them to agree."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

from tests.support.postgres import fresh_database
from tocsin.config.loader import load_text
from tocsin.engine.engine import Engine
from tocsin.store.postgres import PostgresStore
from tocsin.wiring import assemble


@contextlib.asynccontextmanager
async def two_engines(conf: str, query: str = "") -> AsyncIterator[tuple[Engine, Engine]]:
    """Started engines sharing a fresh database (`query` is added to the storage URL, e.g. `?lease=1s`)."""
    async with fresh_database() as url:
        base = load_text(conf, "test.conf", environ={})
        stores = PostgresStore(url + query), PostgresStore(url + query)
        a, b = assemble(base, stores[0]), assemble(base, stores[1])
        await a.start()
        await b.start()
        yield a, b
        for engine, store in zip((a, b), stores, strict=True):
            if store.pool is not None:  # not stopped by the test
                await engine.stop(0.1)


async def soon(check: Callable[[], bool], within: float = 1.0) -> None:
    """Wait until `check()` holds; fail the test if it does not within `within` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not check():
        assert loop.time() < deadline, "not within the time allowed"
        await asyncio.sleep(0.01)

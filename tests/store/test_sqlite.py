"""What only the SQLite backend has: its writer thread (the contract is in test_contract.py)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from tocsin.store.base import NewDelivery
from tocsin.store.sqlite import SqliteStore


async def test_a_failing_operation_does_not_fail_its_batch_neighbours(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "data" / "tocsin.db"))
    await store.open()

    def bad(c: sqlite3.Connection) -> None:
        c.execute("INSERT INTO no_such_table VALUES (1)")

    good = store.commit_intake([], [NewDelivery("t", "t/h", "post", "a", 3, {"id": "a", "n": 1}, 1)])
    failing = store._writer.submit(bad)
    results = await asyncio.gather(good, failing, return_exceptions=True)
    assert isinstance(results[0], list) and len(results[0]) == 1
    assert isinstance(results[1], sqlite3.OperationalError)
    await store.close()

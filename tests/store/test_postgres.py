"""What only the PostgreSQL backend has: migrations, group commit, batch fallback, connection errors."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest

from tests.support.postgres import fresh_database
from tocsin.errors import StoreError
from tocsin.store.base import AttemptRecord, DeliveryFilter, DeliveryStatus, NewDelivery, TopicStateChange
from tocsin.store.postgres import PostgresStore, redact
from tocsin.store.postgres_schema import LATEST_VERSION


def _delivery(alert: str, created: int) -> NewDelivery:
    return NewDelivery("t", "t/h", "post", alert, 3, {"id": alert, "n": created}, created)


async def _versions(url: str) -> list[int]:
    conn = await asyncpg.connect(url)
    try:
        return [r[0] for r in await conn.fetch("SELECT version FROM schema_version ORDER BY version")]
    finally:
        await conn.close()


async def test_concurrent_first_opens_both_succeed_and_migrate_once() -> None:
    async with fresh_database() as url:
        stores = [PostgresStore(url) for _ in range(4)]
        await asyncio.gather(*(s.open() for s in stores))
        assert sorted(s.schema_found for s in stores) == [0, LATEST_VERSION, LATEST_VERSION, LATEST_VERSION]
        assert await _versions(url) == list(range(1, LATEST_VERSION + 1))
        ids = await stores[1].commit_intake([], [_delivery("a", 1)])
        assert [r.id for r in await stores[3].load_pending()] == ids
        await asyncio.gather(*(s.close() for s in stores))


async def test_reopen_keeps_the_version_and_data() -> None:
    async with fresh_database() as url:
        first = PostgresStore(url)
        await first.open()
        await first.save_overrides({"a": 1})
        await first.close()
        again = PostgresStore(url)
        await again.open()
        assert again.schema_found == LATEST_VERSION
        assert await again.load_overrides() == {"a": 1}
        await again.close()
        assert await _versions(url) == list(range(1, LATEST_VERSION + 1))


async def test_a_newer_schema_is_refused() -> None:
    async with fresh_database() as url:
        s = PostgresStore(url)
        await s.open()
        await s.close()
        conn = await asyncpg.connect(url)
        await conn.execute("INSERT INTO schema_version (version) VALUES ($1)", LATEST_VERSION + 1)
        await conn.close()
        with pytest.raises(StoreError) as info:
            await PostgresStore(url).open()
        assert str(info.value) == (
            f"store {url} has schema version {LATEST_VERSION + 1}, newer than this Tocsin ({LATEST_VERSION})"
        )


async def test_attempts_recorded_together_share_one_commit() -> None:
    async with fresh_database() as url:
        s = PostgresStore(url)
        await s.open()
        ids = await s.commit_intake([], [_delivery(f"a{i}", i) for i in range(500)])
        before = s._writer.commits
        for n, row_id in enumerate(ids):
            s.record_attempt(AttemptRecord(row_id, DeliveryStatus.DELIVERED, 1, 200, "", 0.5, 1000 + n, None, 1000 + n))
        await s.flush()
        assert s._writer.commits == before + 1
        assert await s.outbox_stats() == (0, None)
        rows = await s.query_deliveries(DeliveryFilter(status=DeliveryStatus.DELIVERED, limit=1000))
        assert sorted((r.id, r.delivered_at) for r in rows) == [(row_id, 1000 + n) for n, row_id in enumerate(ids)]
        await s.close()


async def test_intakes_queued_together_share_one_commit() -> None:
    async with fresh_database() as url:
        s = PostgresStore(url)
        await s.open()
        await s.flush()
        before = s._writer.commits
        results = await asyncio.gather(*(s.commit_intake([], [_delivery(f"a{i}", i)]) for i in range(50)))
        assert s._writer.commits == before + 1
        assert [ids[0] for ids in results] == sorted(ids[0] for ids in results)
        await s.close()


async def test_a_failing_operation_does_not_fail_its_batch_neighbours() -> None:
    async with fresh_database() as url:
        s = PostgresStore(url)
        await s.open()

        async def bad(c: Any) -> None:
            await c.execute("INSERT INTO no_such_table VALUES (1)")

        good = s.commit_intake([], [_delivery("a", 1)])
        failing = s._writer.submit(bad)
        results = await asyncio.gather(good, failing, return_exceptions=True)
        assert isinstance(results[0], list) and len(results[0]) == 1
        assert isinstance(results[1], asyncpg.UndefinedTableError)
        assert [r.id for r in await s.load_pending()] == results[0]
        await s.close()


async def test_last_state_change_of_an_alert_in_one_intake_wins() -> None:
    async with fresh_database() as url:
        s = PostgresStore(url)
        await s.open()
        await s.commit_intake([TopicStateChange("t", "a", {"l": 1}), TopicStateChange("t", "a", None)], [])
        assert await s.load_topic_states() == []
        await s.commit_intake([TopicStateChange("t", "a", None), TopicStateChange("t", "a", {"l": 2})], [])
        assert await s.load_topic_states() == [("t", "a", {"l": 2})]
        await s.close()


async def test_event_blobs_round_trip_nul_characters_and_key_order() -> None:
    async with fresh_database() as url:
        s = PostgresStore(url)
        await s.open()
        event = {"z": "a\u0000b", "a": [1.5, None, True], "m": {"y": 1, "b": 2}}
        (row_id,) = await s.commit_intake([], [NewDelivery("t", "t/h", "post", "a", 1, event, 1)])
        row = await s.get_delivery(row_id)
        assert row is not None and list(row.event) == ["z", "a", "m"] and row.event == event
        await s.close()


async def test_an_unreachable_server_is_a_store_error_naming_it_without_password() -> None:
    s = PostgresStore("postgresql://tocsin:secret@127.0.0.1:1/tocsin")
    with pytest.raises(StoreError) as info:
        await s.open()
    assert str(info.value).startswith("cannot open store postgresql://tocsin:***@127.0.0.1:1/tocsin: ")
    assert "secret" not in str(info.value)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:pw@h:5433/db?sslmode=require", "postgresql://u:***@h:5433/db?sslmode=require"),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
    ],
    ids=["password", "none"],
)
def test_redact(url: str, shown: str) -> None:
    assert redact(url) == shown

from __future__ import annotations

from pathlib import Path

import pytest

from tocsin.errors import StoreError
from tocsin.store.base import AttemptRecord, DeliveryFilter, DeliveryStatus, NewDelivery, TopicStateChange
from tocsin.store.factory import open_store
from tocsin.store.sqlite import SqliteStore


def _delivery(alert: str, created: int, handler: str = "t/h") -> NewDelivery:
    return NewDelivery("t", handler, "post", alert, 3, {"id": alert, "n": created}, created)


@pytest.fixture
async def store(tmp_path: Path) -> SqliteStore:
    s = SqliteStore(str(tmp_path / "data" / "tocsin.db"))
    await s.open()
    yield s  # type: ignore[misc]
    await s.close()


async def test_intake_commit_returns_consecutive_ids_and_persists_states(store: SqliteStore) -> None:
    states = [TopicStateChange("t", "a", {"level": "CRITICAL", "time": 1}), TopicStateChange("t", "b", None)]
    ids = await store.commit_intake(states, [_delivery("a", 10), _delivery("a", 11), _delivery("b", 12)])
    assert ids == [ids[0], ids[0] + 1, ids[0] + 2]
    assert await store.load_topic_states() == [("t", "a", {"level": "CRITICAL", "time": 1})]
    pending = await store.load_pending()
    assert [(r.id, r.alert_id, r.event["n"], r.status) for r in pending] == [
        (ids[0], "a", 10, DeliveryStatus.PENDING),
        (ids[1], "a", 11, DeliveryStatus.PENDING),
        (ids[2], "b", 12, DeliveryStatus.PENDING),
    ]


async def test_ok_state_change_deletes_the_stored_state(store: SqliteStore) -> None:
    await store.commit_intake([TopicStateChange("t", "a", {"level": "CRITICAL"})], [])
    await store.commit_intake([TopicStateChange("t", "a", None)], [])
    assert await store.load_topic_states() == []


async def test_attempt_records_are_written_and_survive_reopen(tmp_path: Path) -> None:
    path = str(tmp_path / "s.db")
    s = SqliteStore(path)
    await s.open()
    (first, second) = await s.commit_intake([], [_delivery("a", 1), _delivery("a", 2)])
    s.record_attempt(AttemptRecord(first, DeliveryStatus.DELIVERED, 1, 200, "", 1.5, 5, None, 5))
    s.record_attempt(AttemptRecord(second, DeliveryStatus.DEAD, 3, 400, "HTTP 400", 2.0, 6, None, None))
    await s.close()
    s2 = SqliteStore(path)
    await s2.open()
    assert await s2.load_pending() == []
    rows = await s2.query_deliveries(DeliveryFilter())
    assert [(r.id, r.status, r.attempts, r.last_status, r.last_error) for r in rows] == [
        (second, DeliveryStatus.DEAD, 3, 400, "HTTP 400"),
        (first, DeliveryStatus.DELIVERED, 1, 200, ""),
    ]
    again = await s2.requeue_dead(second, 7)
    assert again is not None and again.status is DeliveryStatus.PENDING and again.attempts == 3
    assert await s2.requeue_dead(first, 8) is None
    await s2.close()


async def test_query_filters(store: SqliteStore) -> None:
    ids = await store.commit_intake(
        [], [_delivery("a", 100, "t/h1"), _delivery("b", 200, "t/h2"), _delivery("c", 300, "t/h1")]
    )
    store.record_attempt(AttemptRecord(ids[0], DeliveryStatus.DELIVERED, 1, 200, "", 1.0, 400, None, 400))
    by_handler = await store.query_deliveries(DeliveryFilter(handler="t/h1"))
    assert [r.alert_id for r in by_handler] == ["c", "a"]
    pending = await store.query_deliveries(DeliveryFilter(status=DeliveryStatus.PENDING))
    assert [r.alert_id for r in pending] == ["c", "b"]
    since = await store.query_deliveries(DeliveryFilter(since=200, limit=1))
    assert [r.alert_id for r in since] == ["c"]
    assert await store.outbox_stats() == (2, 200)
    assert await store.purge(finished_before=500) == 1
    assert (await store.get_delivery(ids[0])) is None


async def test_handler_specs_and_overrides(store: SqliteStore) -> None:
    spec = {"id": "h", "topic": "t", "kind": "log", "options": {"path": "/tmp/x"}, "match": ""}
    await store.put_handler_spec(spec)
    renamed = {**spec, "id": "h2"}
    await store.put_handler_spec(renamed, replaces=("t", "h"))
    assert await store.load_handler_specs() == [renamed]
    await store.delete_handler_spec("t", "h2")
    assert await store.load_handler_specs() == []
    assert await store.load_overrides() is None
    await store.save_overrides({"slack": {"x": 1}})
    assert await store.load_overrides() == {"slack": {"x": 1}}


async def test_a_failing_operation_does_not_fail_its_batch_neighbours(store: SqliteStore) -> None:
    import asyncio
    import sqlite3

    def bad(c: sqlite3.Connection) -> None:
        c.execute("INSERT INTO no_such_table VALUES (1)")

    good = store.commit_intake([], [_delivery("a", 1)])
    failing = store._writer.submit(bad)
    results = await asyncio.gather(good, failing, return_exceptions=True)
    assert isinstance(results[0], list) and len(results[0]) == 1
    assert isinstance(results[1], sqlite3.OperationalError)


def test_factory_urls(tmp_path: Path) -> None:
    default = open_store("", str(tmp_path))
    assert isinstance(default, SqliteStore) and default.path == str(tmp_path / "tocsin.db")
    explicit = open_store(f"sqlite://{tmp_path}/x.db", "ignored")
    assert isinstance(explicit, SqliteStore) and explicit.path == f"{tmp_path}/x.db"
    with pytest.raises(StoreError, match='unsupported scheme "redis"'):
        open_store("redis://x", "d")

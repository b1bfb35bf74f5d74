"""The Store contract: the same assertions on every backend (see conftest.py for the backends)."""

from __future__ import annotations

from tests.store.conftest import NewStore
from tocsin.store.base import (
    AttemptRecord,
    DeliveryFilter,
    DeliveryStatus,
    NewDelivery,
    Store,
    TopicStateChange,
)


def _delivery(alert: str, created: int, handler: str = "t/h") -> NewDelivery:
    return NewDelivery("t", handler, "post", alert, 3, {"id": alert, "n": created}, created)


async def test_intake_commit_returns_consecutive_ids_and_persists_states(store: Store) -> None:
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


async def test_concurrent_intakes_get_distinct_ids_in_order(store: Store) -> None:
    import asyncio

    batches = [[_delivery(f"a{i}", i * 10 + j) for j in range(3)] for i in range(20)]
    results = await asyncio.gather(*(store.commit_intake([], b) for b in batches))
    for ids in results:
        assert ids == sorted(ids) and len(ids) == 3
    assert len({i for ids in results for i in ids}) == 60
    rows = {r.id: (r.alert_id, r.created) for r in await store.load_pending()}
    for i, ids in enumerate(results):
        assert [rows[x] for x in ids] == [(f"a{i}", i * 10 + j) for j in range(3)]


async def test_ok_state_change_deletes_the_stored_state(store: Store) -> None:
    await store.commit_intake([TopicStateChange("t", "a", {"level": "CRITICAL"})], [])
    await store.commit_intake([TopicStateChange("t", "a", None)], [])
    assert await store.load_topic_states() == []


async def test_delete_topic_removes_only_its_states(store: Store) -> None:
    await store.commit_intake([TopicStateChange("t", "a", {"l": 1}), TopicStateChange("u", "a", {"l": 2})], [])
    await store.delete_topic("t")
    assert await store.load_topic_states() == [("u", "a", {"l": 2})]


async def test_attempt_records_are_written_and_survive_reopen(new_store: NewStore) -> None:
    s = new_store()
    await s.open()
    (first, second) = await s.commit_intake([], [_delivery("a", 1), _delivery("a", 2)])
    s.record_attempt(AttemptRecord(first, DeliveryStatus.DELIVERED, 1, 200, "", 1.5, 5, None, 5))
    s.record_attempt(AttemptRecord(second, DeliveryStatus.DEAD, 3, 400, "HTTP 400", 2.0, 6, None, None))
    await s.close()
    s2 = new_store()
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


async def test_flush_waits_for_queued_attempts(store: Store) -> None:
    ids = await store.commit_intake([], [_delivery("a", 1), _delivery("b", 2)])
    store.record_attempt(AttemptRecord(ids[0], DeliveryStatus.PENDING, 1, 503, "HTTP 503", 3.0, 9, 20, None))
    await store.flush()
    assert [
        (r.id, r.attempts, r.last_status, r.last_error, r.latency_ms, r.updated, r.next_attempt)
        for r in await store.load_pending()
    ] == [
        (ids[0], 1, 503, "HTTP 503", 3.0, 9, 20),
        (ids[1], 0, None, "", None, 2, None),
    ]


async def test_query_filters(store: Store) -> None:
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
    by_topic = await store.query_deliveries(DeliveryFilter(topic="t", handler="t/h2"))
    assert [r.alert_id for r in by_topic] == ["b"]
    assert await store.query_deliveries(DeliveryFilter(topic="other")) == []
    assert await store.outbox_stats() == (2, 200)
    assert await store.purge(finished_before=500) == 1
    assert (await store.get_delivery(ids[0])) is None


async def test_pending_by_handler_after_id_and_limit(store: Store) -> None:
    ids = await store.commit_intake(
        [], [_delivery("a", 1, "t/h1"), _delivery("b", 2, "t/h2"), _delivery("c", 3, "t/h1"), _delivery("d", 4, "t/h1")]
    )
    store.record_attempt(AttemptRecord(ids[2], DeliveryStatus.DEAD, 1, 400, "x", 1.0, 5, None, None))
    await store.flush()
    assert await store.pending_counts() == {"t/h1": 2, "t/h2": 1}
    assert [r.alert_id for r in await store.load_pending(handler="t/h1")] == ["a", "d"]
    assert [r.alert_id for r in await store.load_pending(after_id=ids[0])] == ["b", "d"]
    assert [r.alert_id for r in await store.load_pending(handler="t/h1", after_id=ids[0], limit=1)] == ["d"]
    assert [r.alert_id for r in await store.load_pending(limit=2)] == ["a", "b"]
    assert await store.outbox_stats() == (3, 1)
    assert await store.purge(finished_before=5) == 0
    assert await store.purge(finished_before=6) == 1


async def test_empty_outbox(store: Store) -> None:
    assert await store.commit_intake([], []) == []
    assert await store.outbox_stats() == (0, None)
    assert await store.pending_counts() == {}
    assert await store.get_delivery(1) is None
    assert await store.requeue_dead(1, 1) is None


async def test_handler_specs_and_overrides(store: Store) -> None:
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


async def test_put_handler_spec_replaces_the_same_id_and_orders_by_topic_then_id(store: Store) -> None:
    for topic, hid in (("b", "x"), ("a", "y"), ("a", "x")):
        await store.put_handler_spec({"id": hid, "topic": topic, "kind": "log", "options": {}, "match": ""})
    await store.put_handler_spec({"id": "x", "topic": "a", "kind": "tcp", "options": {}, "match": ""})
    await store.save_overrides({"slack": {"x": 2}})
    assert [(s["topic"], s["id"], s["kind"]) for s in await store.load_handler_specs()] == [
        ("a", "x", "tcp"),
        ("a", "y", "log"),
        ("b", "x", "log"),
    ]
    assert await store.load_overrides() == {"slack": {"x": 2}}


async def test_memos_set_replace_and_remove(store: Store) -> None:
    await store.put_memo("t/h", "a", "1700000000.1")
    await store.put_memo("t/h", "b", "x")
    await store.put_memo("t/h", "a", "1700000000.2")
    await store.put_memo("t/h", "b", "")
    await store.put_memo("t/h", "never", "")
    assert await store.load_memos() == {("t/h", "a"): "1700000000.2"}


async def test_users_put_replace_delete(store: Store) -> None:
    bob = {"name": "bob", "hash": "h1", "admin": False, "privileges": {"/kapacitor/v1/alerts": 3}}
    await store.put_user(bob)
    await store.put_user({"name": "al", "hash": "h2", "admin": True, "privileges": {}})
    await store.put_user({**bob, "hash": "h3"})
    assert await store.load_users() == [
        {"name": "al", "hash": "h2", "admin": True, "privileges": {}},
        {**bob, "hash": "h3"},
    ]
    await store.delete_user("al")
    await store.delete_user("nobody")
    assert [u["name"] for u in await store.load_users()] == ["bob"]


async def test_documents_by_namespace_put_replace_delete(new_store: NewStore) -> None:
    store = new_store()
    await store.open()
    await store.put_document("tasks", "t2", {"id": "t2", "script": "stream"})
    await store.put_document("tasks", "t1", {"id": "t1", "vars": {"x": {"type": "int", "value": 1}}})
    await store.put_document("templates", "t1", {"id": "t1"})
    await store.put_document("tasks", "t2", {"id": "t2", "script": "batch"})
    await store.delete_document("tasks", "nope")
    assert await store.load_documents("tasks") == {
        "t1": {"id": "t1", "vars": {"x": {"type": "int", "value": 1}}},
        "t2": {"id": "t2", "script": "batch"},
    }
    await store.delete_document("templates", "t1")
    assert await store.load_documents("templates") == {}
    await store.close()
    reopened = new_store()
    await reopened.open()
    assert list(await reopened.load_documents("tasks")) == ["t1", "t2"]
    await reopened.close()


async def test_the_last_state_change_of_an_alert_in_one_intake_wins(store: Store) -> None:
    states = [TopicStateChange("t", "a", None), TopicStateChange("t", "a", {"level": "CRITICAL"})]
    await store.commit_intake(states, [])
    assert await store.load_topic_states() == [("t", "a", {"level": "CRITICAL"})]
    await store.commit_intake([TopicStateChange("t", "a", {"level": "WARNING"}), TopicStateChange("t", "a", None)], [])
    assert await store.load_topic_states() == []


async def test_a_handler_id_matches_in_every_topic_and_nothing_else(store: Store) -> None:
    deliveries = [
        NewDelivery("cpu", "cpu/hook", "post", "a", 3, {"id": "a"}, 1),
        NewDelivery("disk", "disk/hook", "post", "b", 3, {"id": "b"}, 2),
        NewDelivery("disk", "disk/webhook", "post", "c", 3, {"id": "c"}, 3),  # ends in "hook", but not "/hook"
        NewDelivery("disk", "disk/Hook", "post", "d", 3, {"id": "d"}, 4),  # IDs are case-sensitive
        NewDelivery("x", "x/a%_b", "post", "e", 3, {"id": "e"}, 5),
    ]
    await store.commit_intake([], deliveries)
    assert [r.alert_id for r in await store.query_deliveries(DeliveryFilter(handler_id="hook"))] == ["b", "a"]
    assert [r.alert_id for r in await store.query_deliveries(DeliveryFilter(handler_id="a%_b"))] == ["e"]
    assert await store.query_deliveries(DeliveryFilter(handler_id="%")) == []

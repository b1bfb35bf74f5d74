"""A full disk: SQLite answers SQLITE_FULL (simulated with `PRAGMA max_page_count` on the store's connection,
which fails writes exactly as a full filesystem does). Intake answers 503 and changes nothing; it works again
once there is space, and attempt records that could not be written are written then."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import StartApi, engine_of
from tests.support.client import Client
from tests.support.sink import HttpSink
from tocsin.engine.engine import Engine
from tocsin.store.base import AttemptRecord, DeliveryStatus, NewDelivery
from tocsin.store.sqlite import SqliteStore

FULL = "the store cannot accept events right now: database or disk is full"
BIG = "x" * 200_000  # needs new pages whatever free space the file has


async def set_max_pages(engine: Engine, pages: int | None) -> None:
    """Cap the store file at its current size (None) or lift the cap (a number of pages)."""
    assert isinstance(engine.store, SqliteStore)
    await set_max_pages_of(engine.store, pages)


async def set_max_pages_of(store: SqliteStore, pages: int | None) -> None:
    def op(c: sqlite3.Connection) -> None:
        limit = pages if pages is not None else c.execute("PRAGMA page_count").fetchone()[0]
        c.execute(f"PRAGMA max_page_count = {limit}")

    await store._writer.submit(op, write=False)


async def post_events(api: Client, body: Any) -> tuple[int, Any]:
    r = await api.post("/tocsin/v1/events", json=body)
    return r.status, await r.json()


async def test_intake_answers_503_changes_nothing_and_recovers(start_api: StartApi, sink: HttpSink) -> None:
    api = await start_api('[delivery]\nbackoff-initial = "10ms"\n')
    engine = engine_of(api)
    r = await api.post(
        "/kapacitor/v1/alerts/topics/t/handlers",
        json={"id": "h", "kind": "post", "options": {"url": sink.url + "/hook"}},
    )
    assert r.status == 200
    assert await post_events(api, {"topic": "t", "id": "cpu", "level": "CRITICAL", "message": "m1"}) == (
        202,
        {"accepted": 1},
    )
    await sink.wait_for(1)
    before = await (await api.get("/kapacitor/v1/alerts/topics/t/events/cpu")).json()

    await set_max_pages(engine, None)
    full = [
        {"topic": "t", "id": "cpu", "level": "OK", "message": "m2", "details": BIG},
        {"topic": "fresh", "id": "disk", "level": "WARNING", "message": "m3"},
    ]
    status, body = await post_events(api, full)
    assert (status, body) == (503, {"error": FULL, "message": FULL})
    # Nothing half-written: the topic state in memory and in the store, the topic list, the outbox.
    assert await (await api.get("/kapacitor/v1/alerts/topics/t/events/cpu")).json() == before
    assert (await api.get("/kapacitor/v1/alerts/topics/fresh")).status == 404
    assert engine.topics.get("t") is not None and engine.topics.get("t").collected == 1  # type: ignore[union-attr]
    assert [(t, a, s["message"]) for t, a, s in await engine.store.load_topic_states()] == [("t", "cpu", "m1")]
    rows = (await (await api.get("/tocsin/v1/deliveries")).json())["deliveries"]
    assert [(d["topic"], d["status"]) for d in rows] == [("t", "delivered")]
    assert len(sink.requests) == 1

    await set_max_pages(engine, 1_000_000)
    assert await post_events(api, full) == (202, {"accepted": 2})
    await sink.wait_for(2)
    assert sink.requests[1].json()["message"] == "m2"
    assert sink.requests[1].json()["previousLevel"] == "CRITICAL"
    assert (await api.get("/kapacitor/v1/alerts/topics/fresh")).status == 200


async def test_config_write_answers_503_not_500(start_api: StartApi) -> None:
    api = await start_api("")
    engine = engine_of(api)
    await set_max_pages(engine, None)
    r = await api.post("/kapacitor/v1/config/smtp/", json={"set": {"host": BIG}})
    text = "the store cannot save the configuration override right now: database or disk is full"
    assert (r.status, await r.json()) == (503, {"error": text, "message": text})
    r = await api.get("/kapacitor/v1/config/smtp/")
    assert (await r.json())["options"]["host"] == "localhost"


async def test_attempt_records_of_a_failed_batch_are_written_once_space_is_back(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "tocsin.db"))
    await store.open()
    event = {"topic": "t", "id": "a", "level": "CRITICAL"}
    (row_id,) = await store.commit_intake([], [NewDelivery("t", "t/h", "post", "a", 4, event, 1)])
    await store.load_pending()  # settles the read connection's view
    await set_max_pages_of(store, None)
    gate, entered = threading.Event(), threading.Event()

    def hold(_c: sqlite3.Connection) -> None:
        entered.set()
        gate.wait(5)

    blocked = store._writer.submit(hold, write=False)
    assert await asyncio.to_thread(entered.wait, 5)  # the writer is inside `hold`: what follows queues up
    # Queued behind the gate, so both land in one write batch: the attempt record drained at its start, and
    # an intake that needs pages the capped file cannot give. SQLite rolls the whole transaction back.
    store.record_attempt(AttemptRecord(row_id, DeliveryStatus.DELIVERED, 1, 200, "", 1.0, 2, None, 2))
    big = asyncio.create_task(
        store.commit_intake([], [NewDelivery("t", "t/h", "post", "b", 4, {**event, "details": BIG}, 3)])
    )
    await asyncio.sleep(0)  # the task submits its write
    gate.set()
    await blocked
    with pytest.raises(sqlite3.OperationalError, match=r"^database or disk is full$"):
        await big
    await set_max_pages_of(store, 1_000_000)
    # No caller writes: the writer retries the record on its own after a failed batch.
    for _ in range(100):
        if not await store.load_pending():
            break
        await asyncio.sleep(0.05)
    row = await store.get_delivery(row_id)
    assert row is not None and (row.status, row.attempts, row.delivered_at) == (DeliveryStatus.DELIVERED, 1, 2)
    await store.close()

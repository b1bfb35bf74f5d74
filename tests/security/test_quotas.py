"""Limits on what one client may make the server keep or send: ID lengths, handlers per topic, event pages."""

from __future__ import annotations

import pytest

import tocsin.engine.engine as engine_module
from tests.hardening.conftest import Start
from tocsin.engine.engine import MAX_HANDLERS_PER_TOPIC
from tocsin.engine.intake import MAX_ID_LENGTH


async def test_an_alert_id_of_two_megabytes_is_refused(start: Start) -> None:
    client = await start()
    event = {"topic": "t", "id": "x" * 2_000_000, "level": "CRITICAL"}
    resp = await client.post("/tocsin/v1/events", json=event)
    assert (resp.status, (await resp.json())["error"]) == (
        400,
        f'event: field "id": longer than {MAX_ID_LENGTH} characters (2000000)',
    )
    assert (await (await client.get("/kapacitor/v1/alerts/topics")).json())["topics"] == []


async def test_handlers_per_topic_are_bounded(start: Start, monkeypatch: pytest.MonkeyPatch) -> None:
    assert MAX_HANDLERS_PER_TOPIC == 1000
    monkeypatch.setattr(engine_module, "MAX_HANDLERS_PER_TOPIC", 3)  # three stand for the thousand
    client = await start()
    statuses = []
    for i in range(4):
        handler = {"id": f"h{i}", "kind": "post", "options": {"url": "http://127.0.0.1:9/"}}
        resp = await client.post("/kapacitor/v1/alerts/topics/t/handlers", json=handler)
        statuses.append(resp.status)
    assert statuses == [200, 200, 200, 400]
    assert (await resp.json())["error"] == 'failed to create handler: topic "t" already has 3 handlers'


async def test_topic_events_come_in_pages(start: Start) -> None:
    client = await start()
    events = [{"topic": "t", "id": f"a{i:02}", "level": "CRITICAL"} for i in range(30)]
    assert (await client.post("/tocsin/v1/events", json=events)).status == 202
    path = "/kapacitor/v1/alerts/topics/t/events"
    page = await (await client.get(path, params={"offset": "10", "limit": "5"})).json()
    assert [e["id"] for e in page["events"]] == ["a10", "a11", "a12", "a13", "a14"]
    assert len((await (await client.get(path)).json())["events"]) == 30
    assert (await client.get(path, params={"limit": "x"})).status == 400


async def test_topics_come_in_pages(start: Start) -> None:
    client = await start()
    events = [{"topic": f"t{i:02}", "id": "a", "level": "CRITICAL"} for i in range(12)]
    assert (await client.post("/tocsin/v1/events", json=events)).status == 202
    got = await (await client.get("/kapacitor/v1/alerts/topics", params={"offset": "10", "limit": "5"})).json()
    assert [t["id"] for t in got["topics"]] == ["t10", "t11"]


async def test_alert_ids_per_topic_are_bounded(start: Start, monkeypatch: pytest.MonkeyPatch) -> None:
    assert engine_module.MAX_ALERTS_PER_TOPIC == 100_000
    monkeypatch.setattr(engine_module, "MAX_ALERTS_PER_TOPIC", 3)  # three stand for the hundred thousand
    client = await start()
    first = [{"topic": "t", "id": f"a{i}", "level": "CRITICAL"} for i in range(3)]
    assert (await client.post("/tocsin/v1/events", json=first)).status == 202
    resp = await client.post("/tocsin/v1/events", json={"topic": "t", "id": "a3", "level": "CRITICAL"})
    assert (resp.status, (await resp.json())["error"]) == (
        400,
        'topic "t" already holds 3 alert IDs: send OK events to end old alerts, or delete the topic',
    )
    # Known IDs and OK events still pass.
    again = [{"topic": "t", "id": "a0", "level": "WARNING"}, {"topic": "t", "id": "zz", "level": "OK"}]
    assert (await client.post("/tocsin/v1/events", json=again)).status == 202

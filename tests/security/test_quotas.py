"""Limits on what one client may make the server keep or send: ID lengths, handlers per topic, event pages."""

from __future__ import annotations

import pytest

import tocsin.engine.fanout as fanout_module
import tocsin.engine.handler_registry as registry_module
from tests.hardening.conftest import Start
from tests.tasks.test_window import S, make_window, pt
from tocsin.engine.handler_registry import MAX_HANDLERS_PER_TOPIC
from tocsin.engine.intake import MAX_ID_LENGTH
from tocsin.points import Batch
from tocsin.tasks.node import NodeError
from tocsin.tasks.nodes import window as window_module


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
    monkeypatch.setattr(registry_module, "MAX_HANDLERS_PER_TOPIC", 3)  # three stand for the thousand
    client = await start()
    answers = []
    for i in range(4):
        handler = {"id": f"h{i}", "kind": "post", "options": {"url": "http://127.0.0.1:9/"}}
        answers.append(await client.post("/kapacitor/v1/alerts/topics/t/handlers", json=handler))
    assert [a.status for a in answers] == [200, 200, 200, 400]
    assert (await answers[-1].json())["error"] == 'failed to create handler: topic "t" already has 3 handlers'


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
    assert fanout_module.MAX_ALERTS_PER_TOPIC == 100_000
    monkeypatch.setattr(fanout_module, "MAX_ALERTS_PER_TOPIC", 3)  # three stand for the hundred thousand
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


def test_a_time_window_holds_at_most_its_cap_and_still_moves_on(monkeypatch: pytest.MonkeyPatch) -> None:
    assert window_module.MAX_WINDOW_POINTS == 500_000
    monkeypatch.setattr(window_module, "MAX_WINDOW_POINTS", 4)  # four stand for the half million
    node = make_window(period=10, every=10)
    for sec in (1, 2, 3):
        assert node.point(pt(sec, "a")) == []
    assert node.point(pt(4, "b")) == []
    with pytest.raises(NodeError) as err:
        node.point(pt(5, "b"))  # a fifth point over both groups
    assert str(err.value) == (
        "window buffer full: 4 points held over 2 groups (the limit of one window node); point dropped"
    )
    # the point that closes group a's window is taken: the window emits, purges and makes room
    (batch,) = node.point(pt(11, "a"))
    assert isinstance(batch, Batch)
    assert [(row.time - pt(0).time) // S for row in batch.points] == [1, 2, 3]
    assert node.point(pt(6, "b")) == []
    assert node.point(pt(7, "b")) == []  # a, 11; b, 4, 6 and 7
    with pytest.raises(NodeError):
        node.point(pt(8, "b"))


def test_a_count_window_beyond_the_cap_is_refused_at_definition(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(window_module, "MAX_WINDOW_POINTS", 4)
    with pytest.raises(NodeError) as err:
        make_window(periodCount=5, everyCount=1)
    assert str(err.value) == "window1.periodCount: at most 4 points, got 5"
    node = make_window(periodCount=2, everyCount=1)
    for host in ("a", "a", "b", "b"):
        node.point(pt(1, host))
    assert len(node.point(pt(1, "a"))) == 1  # a full count window drops its oldest: no growth, no refusal
    with pytest.raises(NodeError):
        node.point(pt(1, "c"))

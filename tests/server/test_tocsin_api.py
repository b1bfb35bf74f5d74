"""Tocsin's own API: event intake, the delivery log, retries of dead letters, metrics."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

import tocsin.engine.engine as engine_module
from tests.server.conftest import StartApi, engine_of, stop_api
from tests.support.client import Client
from tests.support.sink import Answer, HttpSink

HANDLERS = "/kapacitor/v1/alerts/topics/{}/handlers"


async def add_post_handler(api: Client, topic: str, hid: str, url: str, **options: Any) -> None:
    r = await api.post(HANDLERS.format(topic), json={"id": hid, "kind": "post", "options": {"url": url, **options}})
    assert r.status == 200, await r.text()


async def events(api: Client, body: Any) -> tuple[int, Any]:
    r = await api.post("/tocsin/v1/events", json=body)
    return r.status, await r.json()


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"id": "a", "level": "OK"}, 'event: field "topic": is required'),
        ([{"topic": "t", "id": "a", "level": "OK"}, {"topic": "t", "level": "OK"}], 'event 1: field "id": is required'),
        (
            {"topic": "t", "id": "a", "level": "SEVERE"},
            "event: field \"level\": unknown alert level 'SEVERE' (expected OK, INFO, WARNING or CRITICAL)",
        ),
        (
            {"topic": "t", "id": "a", "level": "OK", "time": "yesterday"},
            'event: field "time": cannot parse "yesterday" as RFC 3339 time',
        ),
        (
            {"topic": "t", "id": "a", "level": "OK", "duration": "5 minutes"},
            'event: field "duration": time: invalid duration "5 minutes"',
        ),
        (
            {"topic": "t", "id": "a", "level": "OK", "tags": {"host": 1}},
            'event: field "tags.host": expected a string, got a number',
        ),
        ({"topic": "t", "id": "a", "level": "OK", "levle": "x"}, 'event: field "levle": unknown field'),
        (
            {"topic": "bad topic", "id": "a", "level": "OK"},
            "event: field \"topic\": must contain only letters, numbers, '-', '.', '_' and ':'",
        ),
        ([], "no events: the body is an empty list"),
        ([1], "event 0: expected a JSON object, got a number"),
    ],
    ids=[
        "no-topic",
        "index",
        "level",
        "time",
        "duration",
        "tag-type",
        "unknown-field",
        "topic-chars",
        "empty",
        "scalar",
    ],
)
async def test_intake_errors_name_the_event_and_field(api: Client, body: Any, error: str) -> None:
    assert await events(api, body) == (400, {"error": error, "message": error})


async def test_intake_rejects_invalid_json_with_position(api: Client) -> None:
    r = await api.post("/tocsin/v1/events", data="[{")
    assert r.status == 400
    assert (await r.json())["error"] == (
        "invalid events json: Expecting property name enclosed in double quotes at line 1, column 3"
    )


async def test_explicit_previous_level_and_duration_are_taken_as_stated(api: Client, sink: HttpSink) -> None:
    await add_post_handler(api, "fwd", "h", sink.url)
    body = {
        "topic": "fwd",
        "id": "x",
        "level": "OK",
        "previousLevel": "WARNING",
        "duration": 5_000_000_000,
        "recoverable": False,
        "time": "2020-01-01T00:00:00Z",
    }
    assert await events(api, body) == (202, {"accepted": 1})
    (req,) = await sink.wait_for(1)
    got = req.json()
    assert (got["previousLevel"], got["duration"], got["recoverable"]) == ("WARNING", 5_000_000_000, False)


async def test_delivery_log_lists_retries_and_dead_letters_then_replays(api: Client, sink: HttpSink) -> None:
    sink.answer(Answer(500, body=b"boom"), Answer(400, body=b"bad payload"))
    await add_post_handler(api, "log", "h", sink.url)
    await events(api, {"topic": "log", "id": "a", "level": "CRITICAL"})
    await sink.wait_for(2)
    await engine_of(api).wait_idle()
    r = await api.get("/tocsin/v1/deliveries", params={"topic": "log"})
    (row,) = (await r.json())["deliveries"]
    assert {
        k: row[k]
        for k in (
            "topic",
            "handler",
            "kind",
            "alertId",
            "level",
            "status",
            "attempts",
            "lastStatusCode",
            "nextAttempt",
            "deliveredAt",
        )
    } == {
        "topic": "log",
        "handler": "h",
        "kind": "post",
        "alertId": "a",
        "level": "CRITICAL",
        "status": "dead",
        "attempts": 2,
        "lastStatusCode": 400,
        "nextAttempt": None,
        "deliveredAt": None,
    }
    assert row["lastError"] == f"HTTP 400 from {sink.url}: bad payload"
    r = await api.get(f"/tocsin/v1/deliveries/{row['id']}")
    detail = await r.json()
    assert detail["event"]["id"] == "a" and detail["status"] == "dead"
    r = await api.get("/tocsin/v1/deliveries", params={"status": "dead", "handler": "h", "topic": "log"})
    assert [d["id"] for d in (await r.json())["deliveries"]] == [row["id"]]
    r = await api.post(f"/tocsin/v1/deliveries/{row['id']}/retry")
    assert r.status == 200 and (await r.json())["status"] == "pending"
    await sink.wait_for(3)
    await engine_of(api).wait_idle()
    r = await api.get(f"/tocsin/v1/deliveries/{row['id']}")
    after = await r.json()
    assert (after["status"], after["attempts"], after["lastStatusCode"], after["lastError"]) == (
        "delivered",
        3,
        200,
        "",
    )
    r = await api.post(f"/tocsin/v1/deliveries/{row['id']}/retry")
    assert (r.status, (await r.json())["error"]) == (409, f"delivery {row['id']} is not dead")
    r = await api.get("/tocsin/v1/deliveries/999999")
    assert (r.status, (await r.json())["error"]) == (404, "unknown delivery: 999999")
    r = await api.get("/tocsin/v1/deliveries", params={"status": "lost"})
    assert (await r.json())["error"] == 'invalid status "lost": expected pending, delivered, dead or silenced'


async def test_429_retry_after_is_honoured(api: Client, sink: HttpSink) -> None:
    sink.answer(Answer(429, headers=(("Retry-After", "2"),)))
    await add_post_handler(api, "rl", "h", sink.url)
    await events(api, {"topic": "rl", "id": "a", "level": "CRITICAL"})
    first, second = await sink.wait_for(2, within=10)
    assert second.arrived - first.arrived >= 2.0


async def test_a_hung_sink_times_out_and_does_not_slow_another_handler(start_api: StartApi, sink: HttpSink) -> None:
    api = await start_api('[delivery]\ntimeout = "1s"\nmax-attempts = 1\nconcurrency = 20\n')
    hung = await HttpSink().start()
    hung.hang()
    try:
        await add_post_handler(api, "t", "hung", hung.url)
        await add_post_handler(api, "t", "fast", sink.url)
        started = time.monotonic()
        await events(api, [{"topic": "t", "id": f"a{i}", "level": "CRITICAL"} for i in range(20)])
        await sink.wait_for(20, within=5)
        assert time.monotonic() - started < 0.9  # all 20 before the hung handler's first timeout
        dead: list[dict[str, Any]] = []
        for _ in range(40):
            await asyncio.sleep(0.1)
            r = await api.get("/tocsin/v1/deliveries", params={"handler": "hung", "topic": "t", "status": "dead"})
            dead = (await r.json())["deliveries"]
            if len(dead) == 20:
                break
        assert len(dead) == 20
        assert {d["lastError"] for d in dead} == {f"POST {hung.url}: no answer within 1s"}
    finally:
        hung.hang(False)
        await hung.close()


async def test_metrics_exposition(api: Client, sink: HttpSink) -> None:
    await add_post_handler(api, "m", "h", sink.url)
    await events(api, [{"topic": "m", "id": "a", "level": "CRITICAL"}, {"topic": "m", "id": "b", "level": "OK"}])
    await sink.wait_for(2)
    await engine_of(api).wait_idle()
    text = await (await api.get("/metrics")).text()
    assert 'tocsin_notifications_total{handler="m/h",kind="post"} 2.0' in text
    assert 'tocsin_notifications_failed_total{kind="post",reason="rate_limited"} 0.0' in text
    assert "tocsin_events_ingested_total 2.0" in text
    assert "tocsin_outbox_depth 0.0" in text
    assert 'tocsin_delivery_latency_seconds_count{kind="post"} 2.0' in text


async def test_timeouts_per_handler_then_per_kind_then_default(start_api: StartApi) -> None:
    api = await start_api('[delivery]\ntimeout = "7s"\nkind-timeouts = { tcp = "2s" }\n')
    engine = engine_of(api)
    for hid, kind, options in [
        ("p", "post", {"url": "http://x/", "timeout": "3s"}),
        ("q", "post", {"url": "http://x/"}),
        ("t", "tcp", {"address": "x:1"}),
    ]:
        r = await api.post(HANDLERS.format("to"), json={"id": hid, "kind": kind, "options": options})
        assert r.status == 200, await r.text()
    handlers = {h.spec.id: h for h in engine.handlers.for_topic("to")}
    assert [engine.timeout_for(handlers[i]) for i in ("p", "q", "t")] == [3.0, 7.0, 2.0]


async def test_a_restart_pages_a_large_backlog_in_order(
    start_api: StartApi, sink: HttpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "LANE_MEMORY", 5)
    sink.hang()
    api = await start_api('[delivery]\ntimeout = "30s"\nconcurrency = 1\n')
    await add_post_handler(api, "big", "h", sink.url)
    body = [{"topic": "big", "id": f"a{i % 2}", "level": "CRITICAL", "message": str(i)} for i in range(30)]
    assert (await events(api, body))[0] == 202
    if engine_of(api).cluster is None:  # a shared store claims the rows a moment after the answer
        assert engine_of(api).dispatcher.depth()[0] == 30
    await stop_api(api)
    sink.hang(False)
    api = await start_api("[delivery]\nconcurrency = 1\n")
    hung = 1 if engine_of(api).cluster is None else 0  # a shared store may not have claimed it before the stop
    got = await sink.wait_for(30 + hung, within=10)  # the hung first attempt, then all 30
    messages = [int(r.json()["message"]) for r in got[hung:]]
    assert sorted(messages) == list(range(30))
    for parity in (0, 1):
        seq = [m for m in messages if m % 2 == parity]
        assert seq == sorted(seq)

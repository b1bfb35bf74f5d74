"""Slack threads through the real engine: an incident's repeats and recovery reply under its first message."""

from __future__ import annotations

import json
from typing import Any

from tests.server.conftest import FAST_RETRY, StartApi, engine_of, stop_api
from tests.support.client import Client
from tests.support.sink import Answer, HttpSink
from tocsin.engine.handlers import handler_key

TOKEN = "xoxb-test-token"
HANDLERS = "/kapacitor/v1/alerts/topics/infra/handlers"
FIRST_TS = "1700000000.000100"
LATER_TS = "1700000060.000200"


def conf(sink: HttpSink) -> str:
    return (
        f'{FAST_RETRY}[[slack]]\nenabled = true\ndefault = true\nurl = "{sink.url}/api/chat.postMessage"\n'
        f'token = "{TOKEN}"\nchannel = "#ops"\n'
    )


def answered(ts: str) -> Answer:
    return Answer(
        200,
        (("Content-Type", "application/json; charset=utf-8"),),
        json.dumps({"ok": True, "channel": "C0OPS", "ts": ts}).encode(),
    )


async def send(api: Client, *levels: str, minute: int = 0) -> None:
    events = [
        {
            "topic": "infra",
            "id": "cpu",
            "level": level,
            "message": f"cpu is {level}",
            "time": f"2024-01-01T00:{minute + i:02d}:00Z",
        }
        for i, level in enumerate(levels)
    ]
    r = await api.post("/tocsin/v1/events", json=events)
    assert r.status == 202, await r.text()


async def add_handler(api: Client, **options: Any) -> None:
    spec = {"id": "slack", "kind": "slack", "options": {"thread-recoveries": True, **options}}
    r = await api.post(HANDLERS, json=spec)
    assert r.status == 200, await r.text()


def threading(body: dict[str, Any]) -> tuple[str | None, bool | None, str]:
    return body.get("thread_ts"), body.get("reply_broadcast"), body["attachments"][0]["color"]


async def test_repeat_and_recovery_reply_in_the_first_messages_thread(start_api: StartApi, sink: HttpSink) -> None:
    sink.answer(answered(FIRST_TS))
    sink.set_default(200, body=json.dumps({"ok": True, "channel": "C0OPS", "ts": LATER_TS}).encode())
    api = await start_api(conf(sink))
    await add_handler(api)
    await send(api, "CRITICAL", "CRITICAL", "OK")
    got = await sink.wait_for(3)
    await engine_of(api).wait_idle()
    assert [threading(r.json()) for r in got] == [
        (None, None, "danger"),
        (FIRST_TS, False, "danger"),
        (FIRST_TS, True, "good"),
    ]
    assert {(r.path, r.header("Authorization"), r.header("Content-Type")) for r in got} == {
        ("/api/chat.postMessage", f"Bearer {TOKEN}", "application/json; charset=utf-8")
    }
    assert [r.json()["channel"] for r in got] == ["#ops"] * 3
    engine = engine_of(api)
    assert engine.memos == {}
    assert await engine.store.load_memos() == {}


async def test_a_new_incident_starts_a_new_thread(start_api: StartApi, sink: HttpSink) -> None:
    sink.answer(answered(FIRST_TS), answered("1.1"), answered(LATER_TS), answered("1.2"))
    api = await start_api(conf(sink))
    await add_handler(api, channel="C0OPS")
    await send(api, "WARNING", "OK", "CRITICAL", "WARNING")
    got = await sink.wait_for(4)
    await engine_of(api).wait_idle()
    assert [threading(r.json()) for r in got] == [
        (None, None, "warning"),
        (FIRST_TS, True, "good"),
        (None, None, "danger"),
        (LATER_TS, True, "warning"),
    ]
    assert engine_of(api).memos == {(handler_key("infra", "slack"), "cpu"): LATER_TS}


async def test_the_thread_survives_a_restart(start_api: StartApi, sink: HttpSink) -> None:
    sink.answer(answered(FIRST_TS))
    sink.set_default(200, body=b'{"ok":true,"ts":"9.9"}')
    api = await start_api(conf(sink))
    await add_handler(api)
    await send(api, "CRITICAL")
    await sink.wait_for(1)
    await engine_of(api).wait_idle()
    await stop_api(api)
    api = await start_api(conf(sink))
    await send(api, "CRITICAL", "OK", minute=1)
    got = await sink.wait_for(3)
    await engine_of(api).wait_idle()
    assert [threading(r.json()) for r in got] == [
        (None, None, "danger"),
        (FIRST_TS, False, "danger"),
        (FIRST_TS, True, "good"),
    ]
    assert engine_of(api).memos == {}


async def test_a_refusal_is_a_dead_delivery_that_names_slacks_error(start_api: StartApi, sink: HttpSink) -> None:
    sink.set_default(200, body=b'{"ok":false,"error":"channel_not_found"}')
    api = await start_api(conf(sink))
    await add_handler(api, channel="#gone")
    await send(api, "CRITICAL")
    await sink.wait_for(1)
    await engine_of(api).wait_idle()
    r = await api.get("/tocsin/v1/deliveries", params={"topic": "infra", "handler": "slack"})
    assert r.status == 200, await r.text()
    rows = (await r.json())["deliveries"]
    assert [(d["status"], d["attempts"], d["lastStatusCode"], d["lastError"]) for d in rows] == [
        # The URL is the [[slack]] url, a secret: scrubbed by value from the delivery log.
        ("dead", 1, 200, 'HTTP 200 from ***: slack error "channel_not_found"')
    ]
    assert engine_of(api).memos == {}

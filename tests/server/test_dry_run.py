"""POST /tocsin/v1/dry-run: which handlers match and the exact request each would send; nothing changes."""

from __future__ import annotations

import json

from tests.support.client import Client
from tests.support.sink import HttpSink

HANDLERS = "/kapacitor/v1/alerts/topics/{}/handlers"
SECRET = "T0/B0/dryRunSECRET"


async def test_dry_run_shows_exact_requests_and_changes_nothing(api: Client, sink: HttpSink) -> None:
    r = await api.post(
        "/kapacitor/v1/config/slack",
        json={"add": {"workspace": "ops", "enabled": True, "url": f"https://hooks.slack.com/services/{SECRET}"}},
    )
    assert r.status == 204, await r.text()
    await api.post(
        HANDLERS.format("t"),
        json={
            "id": "hook",
            "kind": "post",
            "options": {"url": sink.url + "/x", "headers": {"Authorization": "Bearer tok3n"}},
        },
    )
    await api.post(
        HANDLERS.format("t"),
        json={
            "id": "crit",
            "kind": "slack",
            "match": "level() == CRITICAL",
            "options": {"workspace": "ops", "channel": "#ops"},
        },
    )
    event = {"topic": "t", "id": "cpu", "level": "WARNING", "message": "cpu <high>", "time": "2026-01-01T00:00:00Z"}
    r = await api.post("/tocsin/v1/dry-run", json=event)
    assert r.status == 200
    body = await r.json()
    (result,) = body["results"]
    assert result["event"]["previousLevel"] == "OK" and result["event"]["message"] == "cpu <high>"
    crit, hook = sorted(result["handlers"], key=lambda h: h["id"])
    assert (crit["id"], crit["matched"]) == ("crit", False)
    assert hook["matched"] is True
    req = hook["request"]
    assert (req["transport"], req["method"], req["url"]) == ("http", "POST", sink.url + "/x")
    assert req["headers"] == [["Authorization", "***"], ["Content-Type", "application/json"]]
    assert json.loads(req["body"]) == {
        "id": "cpu",
        "message": "cpu <high>",
        "details": "",
        "time": "2026-01-01T00:00:00Z",
        "duration": 0,
        "level": "WARNING",
        "data": {"series": None},
        "previousLevel": "OK",
        "recoverable": True,
    }
    r = await api.post("/tocsin/v1/dry-run", json={**event, "level": "CRITICAL"})
    slack = next(h for h in (await r.json())["results"][0]["handlers"] if h["id"] == "crit")
    assert slack["matched"] is True
    assert slack["request"]["url"] == "https://hooks.slack.com/***"
    assert SECRET not in await r.text()
    # nothing was collected or sent
    assert (await api.get("/kapacitor/v1/alerts/topics/t")).status == 200
    topic = await (await api.get("/kapacitor/v1/alerts/topics/t")).json()
    assert topic["collected"] == 0
    assert sink.requests == []
    r = await api.post("/tocsin/v1/dry-run", json={"topic": "t", "level": "OK"})
    assert (r.status, (await r.json())["error"]) == (400, 'event: field "id": is required')

"""Config overrides applied live, service tests, aggregate and publish handlers, debug vars, over HTTP."""

from __future__ import annotations

import json

from tests.server.conftest import engine_of
from tests.support.client import Client
from tests.support.sink import Answer, HttpSink, TcpSink

HANDLERS = "/kapacitor/v1/alerts/topics/{}/handlers"


async def test_httppost_override_applies_to_running_handlers_without_restart(api: Client, sink: HttpSink) -> None:
    r = await api.post("/kapacitor/v1/config/httppost", json={"add": {"endpoint": "hooks", "url": sink.url + "/a"}})
    assert r.status == 204, await r.text()
    r = await api.post(HANDLERS.format("t"), json={"id": "h", "kind": "post", "options": {"endpoint": "hooks"}})
    assert r.status == 200
    await api.post("/tocsin/v1/events", json={"topic": "t", "id": "x", "level": "CRITICAL"})
    r = await api.post(
        "/kapacitor/v1/config/httppost/hooks", json={"set": {"url": sink.url + "/b", "headers": {"X-Team": "ops"}}}
    )
    assert r.status == 204, await r.text()
    await api.post("/tocsin/v1/events", json={"topic": "t", "id": "x", "level": "OK"})
    first, second = await sink.wait_for(2)
    assert (first.path, second.path) == ("/a", "/b")
    assert second.header("X-Team") == "ops"
    r = await api.get("/kapacitor/v1/config/httppost/hooks")
    assert (await r.json())["options"]["url"] == sink.url + "/b"
    r = await api.post("/kapacitor/v1/config/httppost/hooks", json={"set": {"nope": 1}})
    assert (r.status, (await r.json())["error"]) == (
        400,
        "failed to override configuration httppost/hooks: unknown options [nope] in section httppost",
    )


async def test_config_errors_over_http(api: Client) -> None:
    r = await api.get("/kapacitor/v1/config/")
    assert (r.status, (await r.json())["error"]) == (400, "section not specified, do you have an extra trailing '/'?")
    r = await api.get("/kapacitor/v1/config/nosuch")
    assert (r.status, (await r.json())["error"]) == (404, "unknown section: nosuch")
    r = await api.post("/kapacitor/v1/config/slack", json={"set": {"channel": "#x"}})
    assert (r.status, (await r.json())["error"]) == (
        400,
        "failed to apply update: invalid update action: element not specified, are you missing a trailing '/'?",
    )
    r = await api.post("/kapacitor/v1/config/slack/", data="{")
    assert r.status == 400
    r = await api.get("/kapacitor/v1/config")
    assert r.status == 200 and (await r.text()).endswith("}\n")


async def test_config_override_service_can_be_disabled(start_api: object) -> None:
    api = await start_api("[config-override]\nenabled = false\n")  # type: ignore[operator]
    for method, path in [("GET", "/kapacitor/v1/config"), ("POST", "/kapacitor/v1/config/slack/")]:
        r = await api.request(method, path, json={"set": {"channel": "#x"}})
        assert (r.status, (await r.json())["error"]) == (403, "config override service is not enabled")


async def test_service_tests_list_get_and_run(api: Client, sink: HttpSink) -> None:
    r = await api.get("/kapacitor/v1/service-tests", params={"pattern": "http*"})
    assert await r.json() == {
        "link": {"rel": "self", "href": "/kapacitor/v1/service-tests"},
        "services": [
            {
                "link": {"rel": "self", "href": "/kapacitor/v1/service-tests/httppost"},
                "name": "httppost",
                "options": {
                    "endpoint": "example",
                    "url": "http://localhost:3000/",
                    "headers": {"Auth": "secret"},
                    "timeout": 0,
                },
            }
        ],
    }
    r = await api.post("/kapacitor/v1/service-tests/httppost", json={"url": sink.url + "/test"})
    assert await r.json() == {"success": True, "message": ""}
    (req,) = await sink.wait_for(1)
    assert (req.path, req.header("Auth"), req.header("Content-Type")) == ("/test", "secret", "application/json")
    zero_alert = {
        "id": "",
        "message": "",
        "details": "",
        "time": "0001-01-01T00:00:00Z",
        "duration": 0,
        "level": "OK",
        "data": {"series": None},
        "previousLevel": "OK",
        "recoverable": False,
    }
    assert req.json() == zero_alert
    sink.answer(Answer(503, body=b"down for maintenance"))
    r = await api.post("/kapacitor/v1/service-tests/httppost", json={"url": sink.url + "/test"})
    assert await r.json() == {"success": False, "message": f"HTTP 503 from {sink.url}/test: down for maintenance"}
    r = await api.post("/kapacitor/v1/service-tests/slack", data="null")
    assert await r.json() == {"success": False, "message": "service is not enabled"}
    r = await api.post("/kapacitor/v1/service-tests/slack", data="")
    assert (r.status, (await r.json())["error"]) == (400, "failed to decode JSON body:EOF")
    r = await api.get("/kapacitor/v1/service-tests/nope")
    assert (r.status, (await r.json())["error"]) == (404, 'service "nope" not found')
    r = await api.get("/kapacitor/v1/service-tests", params={"pattern": "[x"})
    assert (r.status, (await r.json())["error"]) == (400, "bad pattern: syntax error in pattern")


async def test_publish_and_aggregate_through_topics(api: Client, tcp_sink: TcpSink) -> None:
    # in -> publish -> agg-in -> aggregate (100ms) -> out -> tcp
    await api.post(HANDLERS.format("in"), json={"id": "pub", "kind": "publish", "options": {"topics": ["agg-in"]}})
    r = await api.post(
        HANDLERS.format("agg-in"),
        json={"id": "agg", "kind": "aggregate", "options": {"id": "id-agg", "interval": 100_000_000, "topic": "out"}},
    )
    assert r.status == 200, await r.text()
    await api.post(HANDLERS.format("out"), json={"id": "tcp", "kind": "tcp", "options": {"address": tcp_sink.address}})
    events = [
        {
            "topic": "in",
            "id": "id",
            "level": "CRITICAL",
            "message": "message",
            "details": "",
            "time": f"1970-01-01T00:00:00.00{i}Z",
            "data": {
                "series": [
                    {"name": "alert", "columns": ["time", "value"], "values": [[f"1970-01-01T00:00:00.00{i}Z", v]]}
                ]
            },
        }
        for i, v in enumerate([3, 4, 2])
    ]
    r = await api.post("/tocsin/v1/events", json=events)
    assert r.status == 202
    (payload,) = await tcp_sink.wait_for(1, within=5)
    assert payload.endswith(b"}\n\n")
    got = json.loads(payload)
    assert got == {
        "id": "id-agg",
        "message": "Received 3 events in the last 100ms.",
        "details": "message\nmessage\nmessage",
        "time": "1970-01-01T00:00:00.002Z",
        "duration": 2_000_000,
        "level": "CRITICAL",
        "data": {
            "series": [
                {"name": "alert", "columns": ["time", "value"], "values": [[f"1970-01-01T00:00:00.00{i}Z", v]]}
                for i, v in enumerate([3, 4, 2])
            ]
        },
        "previousLevel": "OK",
        "recoverable": False,
    }
    await engine_of(api).wait_idle()
    r = await api.get("/tocsin/v1/deliveries", params={"topic": "agg-in"})
    assert {d["status"] for d in (await r.json())["deliveries"]} == {"delivered"}


async def test_debug_vars(api: Client) -> None:
    await api.post("/tocsin/v1/events", json={"topic": "t", "id": "a", "level": "OK"})
    r = await api.get("/kapacitor/v1/debug/vars")
    body = await r.json()
    assert body["host"] == "localhost" and body["product"] == "tocsin"
    (stat,) = body["kapacitor"].values()
    assert stat["name"] == "topics" and stat["tags"]["id"] == "t" and stat["values"] == {"collected": 1}
    r = await api.post("/kapacitor/v1/loglevel", json={"level": "LOUD"})
    assert r.status == 400

"""Topics, topic events and topic handlers over HTTP, compared with Kapacitor's answers."""

from __future__ import annotations

import json
from typing import Any

from tests.server.conftest import StartApi, engine_of, stop_api
from tests.support.client import Client
from tests.support.config import OPEN_POLICY_TOML
from tests.support.sink import HttpSink
from tocsin import KAPACITOR_COMPAT_VERSION

T0 = "2016-12-01T00:00:00Z"


def topic(tid: str, level: str, collected: int) -> dict[str, Any]:
    base = f"/kapacitor/v1/alerts/topics/{tid}"
    return {
        "link": {"rel": "self", "href": base},
        "id": tid,
        "level": level,
        "collected": collected,
        "events-link": {"rel": "events", "href": base + "/events"},
        "handlers-link": {"rel": "handlers", "href": base + "/handlers"},
    }


async def post_events(api: Client, events: list[dict[str, Any]]) -> None:
    r = await api.post("/tocsin/v1/events", json=events)
    assert r.status == 202, await r.text()
    assert await r.json() == {"accepted": len(events)}


async def test_ping_headers_and_preview_alias(api: Client) -> None:
    for method, path in [
        ("GET", "/kapacitor/v1/ping"),
        ("HEAD", "/kapacitor/v1/ping"),
        ("GET", "/kapacitor/v1preview/ping"),
    ]:
        r = await api.request(method, path)
        assert r.status == 204
        assert r.headers["X-Kapacitor-Version"] == KAPACITOR_COMPAT_VERSION
        assert r.headers["Request-Id"]
        assert await r.read() == b""


async def test_unknown_route_is_kapacitors_404(api: Client) -> None:
    r = await api.get("/kapacitor/v1/nothing/here")
    assert r.status == 404
    assert await r.json() == {"error": "Not Found", "message": "Not Found"}
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"


async def test_cors_only_for_listed_origins(start_api: StartApi) -> None:
    api = await start_api('[http]\ncors-allowed-origins = ["http://ui"]\n')
    r = await api.options("/kapacitor/v1/alerts/topics", headers={"Origin": "http://ui"})
    assert r.status == 200 and await r.read() == b""
    assert r.headers["Access-Control-Allow-Origin"] == "http://ui"
    assert r.headers["Access-Control-Allow-Methods"] == "DELETE, GET, OPTIONS, POST, PATCH"
    r = await api.get("/kapacitor/v1/ping", headers={"Origin": "http://ui"})
    assert r.headers["Access-Control-Allow-Origin"] == "http://ui"
    r = await api.get("/kapacitor/v1/ping", headers={"Origin": "http://other"})
    assert r.status == 403 and "Access-Control-Allow-Origin" not in r.headers
    r = await api.options("/kapacitor/v1/alerts/topics")
    assert r.status == 200 and "Access-Control-Allow-Origin" not in r.headers


async def test_seed_handler_filters_repeats_with_changed(api: Client, sink: HttpSink) -> None:
    spec = {
        "id": "handler-id",
        "topic": "topic-name",
        "match": "changed()",
        "kind": "post",
        "options": {"url": sink.url},
    }
    r = await api.post("/kapacitor/v1/alerts/topics/topic-name/handlers", json=spec)
    assert r.status == 200, await r.text()
    events = [
        {
            "topic": "topic-name",
            "id": "cpu",
            "level": level,
            "message": f"cpu is {level}",
            "time": f"2016-12-01T00:0{i}:00Z",
        }
        for i, level in enumerate(["CRITICAL", "CRITICAL", "OK"])
    ]
    await post_events(api, events)
    got = await sink.wait_for(2)
    await engine_of(api).wait_idle()
    assert len(sink.requests) == 2
    assert [json.loads(r.body) for r in got] == [
        {
            "id": "cpu",
            "message": "cpu is CRITICAL",
            "details": "",
            "time": "2016-12-01T00:00:00Z",
            "duration": 0,
            "level": "CRITICAL",
            "data": {"series": None},
            "previousLevel": "OK",
            "recoverable": True,
        },
        {
            "id": "cpu",
            "message": "cpu is OK",
            "details": "",
            "time": "2016-12-01T00:02:00Z",
            "duration": 120_000_000_000,
            "level": "OK",
            "data": {"series": None},
            "previousLevel": "CRITICAL",
            "recoverable": True,
        },
    ]
    assert all(r.header("Content-Type") == "application/json" for r in got)
    r = await api.get("/kapacitor/v1/alerts/topics/topic-name/events/cpu")
    assert await r.json() == {
        "link": {"rel": "self", "href": "/kapacitor/v1/alerts/topics/topic-name/events/cpu"},
        "id": "cpu",
        "state": {
            "message": "cpu is OK",
            "details": "",
            "time": "2016-12-01T00:02:00Z",
            "duration": "2m0s",
            "level": "OK",
        },
    }


async def test_topics_list_get_delete_as_the_vectors(api: Client) -> None:
    await post_events(
        api,
        [
            {"topic": "system", "id": "cpu", "level": "WARNING", "message": "cpu is WARNING", "time": T0},
            {
                "topic": "system",
                "id": "mem",
                "level": "CRITICAL",
                "message": "mem is CRITICAL",
                "time": "2016-12-01T00:10:00Z",
                "duration": "1m",
            },
            {"topic": "app", "id": "req", "level": "WARNING", "time": T0},
            {"topic": "quiet", "id": "x", "level": "OK", "time": T0},
        ],
    )
    r = await api.get("/kapacitor/v1/alerts/topics", params={"min-level": "WARNING", "pattern": "*"})
    assert r.status == 200
    assert await r.json() == {
        "link": {"rel": "self", "href": "/kapacitor/v1/alerts/topics?min-level=WARNING&pattern=*"},
        "topics": [topic("app", "WARNING", 1), topic("system", "CRITICAL", 2)],
    }
    r = await api.get("/kapacitor/v1/alerts/topics/system")
    assert await r.json() == topic("system", "CRITICAL", 2)
    r = await api.get("/kapacitor/v1/alerts/topics/system/events", params={"min-level": "OK"})
    events = await r.json()
    assert events["link"] == {"rel": "self", "href": "/kapacitor/v1/alerts/topics/system/events"}
    assert events["topic"] == "system"
    assert [(e["id"], e["state"]["level"], e["state"]["duration"]) for e in events["events"]] == [
        ("cpu", "WARNING", "0s"),
        ("mem", "CRITICAL", "1m0s"),
    ]
    r = await api.get("/kapacitor/v1/alerts/topics/system/events", params={"min-level": "CRITICAL"})
    assert [e["id"] for e in (await r.json())["events"]] == ["mem"]
    r = await api.delete("/kapacitor/v1/alerts/topics/system")
    assert r.status == 204
    r = await api.get("/kapacitor/v1/alerts/topics/system")
    assert r.status == 404
    assert await r.json() == {"error": 'unknown topic: "system"', "message": 'unknown topic: "system"'}
    assert (await api.delete("/kapacitor/v1/alerts/topics/never")).status == 204


async def test_topic_errors(api: Client) -> None:
    r = await api.get("/kapacitor/v1/alerts/topics", params={"min-level": "FOO"})
    assert (r.status, (await r.json())["error"]) == (400, "unknown alert level 'FOO'")
    r = await api.get("/kapacitor/v1/alerts/topics", params={"pattern": "[a"})
    assert (r.status, (await r.json())["error"]) == (400, "invalid pattern: syntax error in pattern")
    r = await api.get("/kapacitor/v1/alerts/topics/none/events")
    assert (await r.json())["error"] == 'failed to get topic events: unknown topic "none"'
    r = await api.get("/kapacitor/v1/alerts/topics/none/events/x")
    assert (r.status, (await r.json())["error"]) == (404, 'unknown event "x" in topic "none"')


async def test_handler_crud(start_api: StartApi) -> None:
    api = await start_api(OPEN_POLICY_TOML)
    base = "/kapacitor/v1/alerts/topics/system/handlers"
    r = await api.post(
        base, json={"topic": "", "id": "h", "kind": "log", "options": {"path": "/tmp/a.log"}, "match": ""}
    )
    assert r.status == 200
    handler = {
        "link": {"rel": "self", "href": base + "/h"},
        "id": "h",
        "kind": "log",
        "options": {"path": "/tmp/a.log"},
        "match": "",
    }
    assert await r.json() == handler
    r = await api.get(base, params={"pattern": ""})
    assert await r.json() == {
        "link": {"rel": "self", "href": base + "?pattern="},
        "topic": "system",
        "handlers": [handler],
    }
    # creating a handler creates its topic
    r = await api.get("/kapacitor/v1/alerts/topics/system")
    assert await r.json() == topic("system", "OK", 0)
    r = await api.patch(
        base + "/h",
        data=json.dumps(
            [
                {"op": "replace", "path": "/options/path", "value": "/tmp/b.log"},
                {"op": "add", "path": "/match", "value": "level() >= WARNING"},
            ]
        ),
        headers={"Content-Type": "application/json+patch"},
    )
    assert r.status == 200
    assert (await r.json())["options"] == {"path": "/tmp/b.log"}
    assert (await r.json())["match"] == "level() >= WARNING"
    r = await api.put(base + "/h", json={"id": "h2", "kind": "tcp", "options": {"address": "localhost:9"}})
    assert r.status == 200 and (await r.json())["id"] == "h2"
    assert (await api.get(base + "/h")).status == 404
    r = await api.get(base + "/h2")
    assert (await r.json())["kind"] == "tcp"
    assert (await api.delete(base + "/h2")).status == 204
    assert (await api.delete(base + "/h2")).status == 204
    r = await api.get(base + "/h2")
    assert (r.status, (await r.json())["error"]) == (404, 'unknown handler: "h2"')


async def test_handler_errors(api: Client) -> None:
    base = "/kapacitor/v1/alerts/topics/system/handlers"

    async def error(method: str, path: str, body: Any) -> tuple[int, str]:
        data = body if isinstance(body, str) else json.dumps(body)
        r = await api.request(method, path, data=data)
        return r.status, (await r.json())["error"]

    assert await error("POST", base, "{") == (
        400,
        "invalid handler json: Expecting property name enclosed in double quotes at line 1, column 2",
    )
    assert await error("POST", base, {"id": "a b", "kind": "log"}) == (
        400,
        "invalid handler spec: handler ID must contain only letters, numbers, '-', '.' and '_'. \"a b\"",
    )
    assert await error("POST", base, {"id": "a"}) == (400, "invalid handler spec: handler Kind must not be empty")
    assert await error("POST", base, {"id": "a", "kind": "nope"}) == (
        400,
        'failed to create handler: unsupported action kind "nope"',
    )
    status, text = await error("POST", base, {"id": "a", "kind": "tcp", "options": {"address": "x:1", "bogus": 1}})
    assert status == 400 and "bogus" in text and text.startswith("failed to create handler: ")
    status, text = await error(
        "POST", base, {"id": "a", "kind": "tcp", "options": {"address": "x:1"}, "match": "level() == "}
    )
    assert status == 400 and text.startswith("failed to create handler: invalid match expression: ")
    assert "line 1" in text
    assert await error("POST", base, {"id": "a", "kind": "tcp", "match": "bogus", "options": {"address": "x:1"}}) == (
        400,
        'failed to create handler: invalid match expression: unknown identifier "bogus"',
    )
    await api.post(base, json={"id": "dup", "kind": "tcp", "options": {"address": "x:1"}})
    assert await error("POST", base, {"id": "dup", "kind": "tcp", "options": {"address": "x:1"}}) == (
        409,
        'failed to create handler: cannot register handler, handler with ID "dup" already exists',
    )
    assert await error("PATCH", base + "/dup", "[{]") == (
        400,
        "invalid patch json: Expecting property name enclosed in double quotes at line 1, column 3",
    )
    status, text = await error("PATCH", base + "/dup", [{"op": "replace", "path": "/topics", "value": []}])
    assert status == 400 and text.startswith("failed to apply patch: ")
    assert (await api.put(base + "/none", json={"id": "none", "kind": "tcp"})).status == 404


async def test_handlers_and_topic_state_survive_a_restart(start_api: StartApi) -> None:
    api = await start_api("")
    base = "/kapacitor/v1/alerts/topics/system/handlers"
    await api.post(base, json={"id": "h", "kind": "tcp", "options": {"address": "localhost:9"}, "match": "changed()"})
    await post_events(
        api,
        [
            {"topic": "system", "id": "cpu", "level": "CRITICAL", "time": T0},
            {"topic": "system", "id": "mem", "level": "OK", "time": T0},
        ],
    )
    await stop_api(api)
    api = await start_api("")
    r = await api.get(base + "/h")
    assert (await r.json())["match"] == "changed()"
    r = await api.get("/kapacitor/v1/alerts/topics/system/events")
    # As Kapacitor: OK states are not kept across a restart; the collected count restarts at 0.
    assert [e["id"] for e in (await r.json())["events"]] == ["cpu"]
    r = await api.get("/kapacitor/v1/alerts/topics/system")
    assert await r.json() == topic("system", "CRITICAL", 0)

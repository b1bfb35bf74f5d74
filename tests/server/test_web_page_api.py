"""The page's server side: `/` and its assets, GET /tocsin/v1/schema and POST /tocsin/v1/handler-files/parse."""

from __future__ import annotations

from tests.support.client import Client


async def test_page_and_assets_are_served(api: Client) -> None:
    r = await api.get("/")
    assert r.status == 200 and r.content_type == "text/html"
    assert '<script type="module" src="/static/js/app.js"></script>' in await r.text()
    assert r.headers["Content-Security-Policy"].startswith("default-src 'self';")
    r = await api.get("/static/js/app.js")
    assert (r.status, r.content_type) == (200, "application/javascript")
    r = await api.get("/kapacitor/v1/nope")
    assert (r.status, await r.json()) == (404, {"error": "Not Found", "message": "Not Found"})


async def test_schema_lists_sections_and_kinds_without_secrets(api: Client) -> None:
    body = await (await api.get("/tocsin/v1/schema")).json()
    sections = {s["name"]: s for s in body["sections"]}
    slack = sections["slack"]
    assert (slack["list"], slack["elementKey"], slack["kinds"]) == (True, "workspace", ["slack"])
    assert slack["serviceTest"] == {"name": "slack", "elementOption": "workspace"}
    assert sections["kafka"]["serviceTest"] == {"name": "kafka", "elementOption": "cluster"}
    assert sections["mqtt"]["serviceTest"] == {"name": "mqtt", "elementOption": "broker-name"}
    assert sections["httppost"]["serviceTest"] == {"name": "httppost", "elementOption": "endpoint"}
    assert sections["smtp"]["serviceTest"] == {"name": "smtp", "elementOption": None}
    assert sections["influxdb"]["serviceTest"] == {"name": "influxdb", "elementOption": "cluster"}
    assert [f["type"] for f in sections["influxdb"]["fields"] if f["name"] == "subscriptions"] == ["list-map"]
    url = next(f for f in slack["fields"] if f["name"] == "url")
    assert (url["type"], url["secret"], url["default"]) == ("string", True, None)
    timeout = next(f for f in sections["smtp"]["fields"] if f["name"] == "idle-timeout")
    assert (timeout["type"], timeout["default"]) == ("duration", "30s")
    auth = next(f for f in sections["httppost"]["fields"] if f["name"] == "basic-auth")
    assert [f["name"] for f in auth["fields"]] == ["username", "password"]
    kinds = {k["name"]: k for k in body["kinds"]}
    assert len(kinds) == 27 and kinds["post"]["config"] == "httppost"
    channel = next(o for o in kinds["slack"]["options"] if o["name"] == "channel")
    assert (channel["type"], channel["tick"]) == ("string", "channel")


async def test_handler_files_parse(api: Client) -> None:
    r = await api.post("/tocsin/v1/handler-files/parse?format=yaml", data="topic: t\nid: h\nkind: log\n")
    assert (r.status, await r.json()) == (
        200,
        {"spec": {"topic": "t", "id": "h", "kind": "log", "options": None, "match": ""}},
    )
    r = await api.post("/tocsin/v1/handler-files/parse?format=json", data='{"topic": "t",\n "id": }')
    message = "handler.json:2:8: Expecting value"
    assert (r.status, await r.json()) == (400, {"error": message, "message": message, "line": 2, "column": 8})
    r = await api.post("/tocsin/v1/handler-files/parse?format=toml", data="")
    message = 'invalid format "toml": expected yaml or json'
    assert (r.status, await r.json()) == (400, {"error": message, "message": message, "line": 0, "column": 0})

"""Headers that cannot be sent are refused when a handler or endpoint is defined; URL credentials and an
explicit Authorization header work together (the header wins, as in Go's client)."""

from __future__ import annotations

import base64

import pytest

from tests.hardening.conftest import Start, engine_of
from tests.support.sink import HttpSink

HANDLERS = "/kapacitor/v1/alerts/topics/t/handlers"
EVENT = {"topic": "t", "id": "a", "level": "CRITICAL", "message": "m"}


@pytest.mark.parametrize(
    ("headers", "text"),
    [
        ({"X-A": "v\r\nX-Injected: 1"}, "headers: header X-A: the value holds a CR, LF or NUL character"),
        ({"X-A": "v\nw"}, "headers: header X-A: the value holds a CR, LF or NUL character"),
        ({"Bad Name": "v"}, 'headers: header name "Bad Name" is not a valid HTTP token'),
        ({"X-B\r\n": "v"}, 'headers: header name "X-B\\r\\n" is not a valid HTTP token'),
    ],
    ids=["crlf-value", "lf-value", "space-name", "crlf-name"],
)
async def test_bad_headers_are_refused_at_definition(start: Start, headers: dict[str, str], text: str) -> None:
    client = await start()
    handler = {"id": "p", "kind": "post", "options": {"url": "http://127.0.0.1:9/", "headers": headers}}
    resp = await client.post(HANDLERS, json=handler)
    assert (resp.status, (await resp.json())["error"]) == (400, "failed to create handler: " + text)
    resp = await client.post(
        "/kapacitor/v1/config/httppost",
        json={"add": {"endpoint": "e", "url": "http://127.0.0.1:9/", "headers": headers}},
    )
    assert resp.status == 400 and text in (await resp.json())["error"]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({}, "Basic " + base64.b64encode(b"u:p").decode()), ({"Authorization": "Bearer t"}, "Bearer t")],
    ids=["userinfo", "explicit-header-wins"],
)
async def test_userinfo_and_authorization(start: Start, sink: HttpSink, headers: dict[str, str], expected: str) -> None:
    client = await start()
    url = f"http://u:p@127.0.0.1:{sink.port}/hook"
    handler = {"id": "p", "kind": "post", "options": {"url": url, "headers": headers}}
    assert (await client.post(HANDLERS, json=handler)).status == 200
    assert (await client.post("/tocsin/v1/events", json=EVENT)).status == 202
    await engine_of(client).wait_idle()
    assert [r.header("Authorization") for r in sink.requests] == [expected]

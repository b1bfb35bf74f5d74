"""Secrets stay secret: planted values never come back in API answers, the delivery log or the server log,
even when the peer echoes them."""

from __future__ import annotations

import json
import logging

import pytest
from aiohttp.test_utils import make_mocked_request

from tests.hardening.conftest import Start, engine_of
from tests.support.client import Client
from tests.support.sink import HttpSink
from tocsin.server.accesslog import REDACTED, redacted_path_qs

PLANTED = ["PLANTED-header-key-1", "PLANTED-query-token-2", "PLANTED-userinfo-pw-3", "PLANTED-endpoint-hdr-4"]
HANDLERS = "/kapacitor/v1/alerts/topics/t/handlers"


async def _everything(client: Client) -> str:
    texts = []
    for path in (
        HANDLERS,
        HANDLERS + "/p",
        "/tocsin/v1/deliveries",
        "/tocsin/v1/deliveries/1",
        "/kapacitor/v1/config/httppost",
        "/kapacitor/v1/alerts/topics/t/events",
    ):
        texts.append(await (await client.get(path)).text())
    return "\n".join(texts)


async def test_planted_values_are_found_nowhere(start: Start, sink: HttpSink, caplog: pytest.LogCaptureFixture) -> None:
    client = await start()
    add = {"endpoint": "e", "url": sink.url + "/e", "headers": {"X-Endpoint-Key": PLANTED[3]}}
    assert (await client.post("/kapacitor/v1/config/httppost", json={"add": add})).status == 204
    url = f"http://user:{PLANTED[2]}@127.0.0.1:{sink.port}/hook?token={PLANTED[1]}"
    handler = {"id": "p", "kind": "post", "options": {"url": url, "headers": {"X-Api-Key": PLANTED[0]}}}
    assert (await client.post(HANDLERS, json=handler)).status == 200
    echo = json.dumps({"got": PLANTED}).encode()
    sink.set_default(401, body=echo)
    event = {"topic": "t", "id": "a", "level": "CRITICAL"}
    with caplog.at_level(logging.DEBUG):
        assert (await client.post("/tocsin/v1/events", json=event)).status == 202
        await engine_of(client).wait_idle()
    seen = await _everything(client)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert [p for p in PLANTED if p in seen] == []
    assert [p for p in PLANTED[:3] if p in logged] == []
    handler_answer = await (await client.get(HANDLERS + "/p")).json()
    assert handler_answer["options"]["headers"] == {"X-Api-Key": "<redacted>"}
    rows = (await (await client.get("/tocsin/v1/deliveries")).json())["deliveries"]
    assert [r["status"] for r in rows] == ["dead"] and "***" in rows[0]["lastError"]


async def test_a_put_with_the_placeholder_keeps_the_stored_header(start: Start, sink: HttpSink) -> None:
    client = await start()
    handler = {"id": "p", "kind": "post", "options": {"url": sink.url, "headers": {"X-Api-Key": PLANTED[0]}}}
    assert (await client.post(HANDLERS, json=handler)).status == 200
    shown = await (await client.get(HANDLERS + "/p")).json()
    body = {"id": "p", "kind": "post", "options": shown["options"]}
    assert (await client.put(HANDLERS + "/p", json=body)).status == 200
    assert (await client.post("/tocsin/v1/events", json={"topic": "t", "id": "a", "level": "CRITICAL"})).status == 202
    await engine_of(client).wait_idle()
    assert [r.header("X-Api-Key") for r in sink.requests] == [PLANTED[0]]


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("u=root&p=hunter22", f"u=root&p={REDACTED}"),
        ("u=root&%70=hunter22", f"u=root&p={REDACTED}"),
        ("token=abc123&db=x", f"token={REDACTED}&db=x"),
        ("API_KEY=abc123", f"API_KEY={REDACTED}"),
    ],
)
def test_the_access_log_hides_credentials_in_the_query(query: str, shown: str) -> None:
    request = make_mocked_request("GET", f"/write?{query}")
    assert redacted_path_qs(request) == f"/write?{shown}"


async def test_a_service_test_message_hides_what_the_peer_echoes(start: Start, sink: HttpSink) -> None:
    client = await start()
    sink.set_default(403, body=json.dumps({"you sent": PLANTED}).encode())
    url = f"http://u:{PLANTED[2]}@127.0.0.1:{sink.port}/t?token={PLANTED[1]}"
    options = {"url": url, "headers": {"X-Api-Key": PLANTED[0]}}
    resp = await client.post("/kapacitor/v1/service-tests/httppost", json=options)
    answer = await resp.json()
    assert answer["success"] is False and len(sink.requests) == 1
    assert [p for p in PLANTED[:3] if p in json.dumps(answer)] == []

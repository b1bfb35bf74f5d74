"""Request limits: body size (413), JSON nesting depth (400), slow clients (keep-alive and body timeouts)."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.hardening.conftest import Start
from tests.support.client import Client
from tocsin.engine.errors import InvalidError
from tocsin.server.jsondepth import check_depth
from tocsin.server.routes import body as body_module

DEEP = "[" * 65 + "]" * 65
TOO_DEEP = "JSON nested deeper than 64 levels at line 1, column 65"


async def test_oversized_body_is_413_json(start: Start) -> None:
    client = await start("[http]\nmax-body-size = 1024\n")
    resp = await client.post("/tocsin/v1/events", data="[" + " " * 2000 + "]")
    text = "request body too large: Maximum request body size 1024 exceeded."
    assert (resp.status, await resp.json()) == (413, {"error": text, "message": text})
    event = json.dumps({"topic": "t", "id": "a", "level": "OK", "message": "m"})
    assert (await client.post("/tocsin/v1/events", data=event + " " * 900)).status == 202


def test_default_max_body_size_is_32_mib() -> None:
    from tocsin.config.core import HTTP

    assert next(f.default for f in HTTP.fields if f.name == "max-body-size") == 32 * 1024 * 1024


@pytest.mark.parametrize(
    ("path", "prefix"),
    [
        ("/tocsin/v1/events", "invalid events json: "),
        ("/kapacitor/v1/alerts/topics/t/handlers", "invalid handler json: "),
        ("/kapacitor/v1/config/slack", "failed to decode JSON: "),
        ("/kapacitor/v1/service-tests/slack", "failed to decode JSON body:"),
        ("/kapacitor/v1/loglevel", "invalid json: "),
    ],
    ids=["intake", "handler", "config", "service-test", "loglevel"],
)
async def test_deep_json_is_400_before_parsing(start: Start, path: str, prefix: str) -> None:
    client = await start()
    resp = await client.post(path, data=DEEP)
    assert (resp.status, (await resp.json())["error"]) == (400, prefix + TOO_DEEP)


async def test_deep_json_in_users_api_is_invalid_json(start: Start) -> None:
    client = await start()
    resp = await client.post("/kapacitor/v1/users", data=DEEP)
    assert (resp.status, (await resp.json())["error"]) == (400, "invalid JSON")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("[" * 64 + "]" * 64, None),
        ('["' + "[" * 100 + '"]', None),
        ('{"a":' * 64 + "1" + "}" * 64, None),
        ('{"a":' * 65 + "1" + "}" * 65, "p: JSON nested deeper than 64 levels at line 1, column 321"),
        ("[\n" * 70, "p: JSON nested deeper than 64 levels at line 65, column 1"),
        ('["a\\"[", ' + "[" * 64, "p: JSON nested deeper than 64 levels at line 1, column 73"),
    ],
    ids=["64-ok", "brackets-in-string", "objects-64", "objects-65", "lines", "escaped-quote"],
)
def test_check_depth(text: str, error: str | None) -> None:
    if error is None:
        check_depth(text, "p: ")
        return
    with pytest.raises(InvalidError) as err:
        check_depth(text, "p: ")
    assert str(err.value) == error


async def test_a_silent_connection_is_closed_after_the_keepalive_timeout(start: Start) -> None:
    client: Client = await start("", keepalive_timeout=0.3)
    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(b"GET /kapacitor/v1/ping HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    await writer.drain()
    assert await asyncio.wait_for(reader.read(), timeout=3) == b""
    writer.close()


async def test_a_slow_body_gets_408(start: Start, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(body_module, "BODY_TIMEOUT", 0.2)
    client = await start()
    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(b"POST /tocsin/v1/events HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n[")
    await writer.drain()
    head = await asyncio.wait_for(reader.readline(), timeout=3)
    writer.close()
    assert head == b"HTTP/1.1 408 Request Timeout\r\n"


def test_serve_uses_a_short_keepalive() -> None:
    from tocsin.server.run import KEEPALIVE_TIMEOUT

    assert KEEPALIVE_TIMEOUT == 30.0

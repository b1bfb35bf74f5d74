"""Input that would cost the server more than it is worth is a 400: YAML alias bombs and deep nesting in handler
files, huge JSON integers on every route that reads JSON."""

from __future__ import annotations

import re
import time

import pytest

from tests.hardening.conftest import Start
from tests.security.test_auth_routes import routes
from tests.support.client import Client

PARSE = "/tocsin/v1/handler-files/parse?format={fmt}"
LAUGHS = "\n".join(
    ["id: x", "topic: t", "kind: post", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
        f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]"
        for i in range(8)
    ]
    + ["options: {url: 'http://127.0.0.1:9/', headers: {x: *i}}"]
)


async def _parse(client: Client, fmt: str, text: str) -> tuple[int, str]:
    resp = await client.post(PARSE.format(fmt=fmt), data=text.encode())
    return resp.status, (await resp.json())["error"]


async def test_a_yaml_alias_bomb_is_refused_at_once(start: Start) -> None:
    client = await start()
    assert len(LAUGHS) < 600
    began = time.monotonic()
    assert await _parse(client, "yaml", LAUGHS) == (
        400,
        "handler.yaml: the handler file expands to more than 100000 values (YAML aliases?)",
    )
    assert time.monotonic() - began < 2


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("yaml", "id: x\ntopic: t\noptions: " + "[" * 5000 + "]" * 5000),
        ("json", '{"id": "x", "topic": "t", "options": {"a": ' + "[" * 5000 + "]" * 5000 + "}}"),
        ("yaml", "id: x\ntopic: t\noptions: {a: " + "[" * 70 + "]" * 70 + "}"),
    ],
    ids=["yaml-parser-depth", "json-parser-depth", "yaml-value-depth"],
)
async def test_deep_nesting_is_refused(start: Start, fmt: str, text: str) -> None:
    client = await start()
    assert await _parse(client, fmt, text) == (400, f"handler.{fmt}: the handler file nests deeper than 64 levels")


async def test_a_huge_integer_is_a_400_on_every_json_route(start: Start) -> None:
    client = await start()
    assert client.app is not None
    body = '{"id": "x", "topic": "t", "name": "n", "level": "CRITICAL", "value": ' + "1" * 5000 + "}"
    answers = {}
    for method, path in routes(client.app):
        if method not in ("POST", "PUT", "PATCH") or path.startswith("/static"):
            continue
        resp = await client.request(method, path, data=body.encode())
        answers[(method, path)] = resp.status
    assert {k: v for k, v in answers.items() if v >= 500} == {}
    resp = await client.post("/tocsin/v1/events", data=body.encode())
    text = (await resp.json())["error"]
    assert resp.status == 400 and re.search(r"Exceeds the limit \(4300 digits\)", text), text

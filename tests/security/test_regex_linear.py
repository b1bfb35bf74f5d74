"""A user's regex cannot freeze the server: `=~` runs on RE2, linear in the text, whatever the pattern."""

from __future__ import annotations

import asyncio
import time

from tests.hardening.conftest import Start

HANDLERS = "/kapacitor/v1/alerts/topics/t/handlers"


async def test_a_backtracking_pattern_over_a_long_tag_answers_at_once(start: Start) -> None:
    client = await start()
    handler = {"id": "evil", "kind": "post", "match": '"host" =~ /(a+)+$/', "options": {"url": "http://127.0.0.1:9/"}}
    assert (await client.post(HANDLERS, json=handler)).status == 200
    event = {"topic": "t", "id": "a", "level": "CRITICAL", "message": "m", "tags": {"host": "a" * 100_000 + "b"}}
    began = time.monotonic()
    dry = asyncio.ensure_future(client.post("/tocsin/v1/dry-run", json=event))
    ping = await client.get("/kapacitor/v1/ping")
    resp = await dry
    assert (ping.status, resp.status) == (204, 200)
    results = (await resp.json())["results"]
    assert [h["matched"] for r in results for h in r["handlers"]] == [False]
    # With Python's backtracking `re` this took longer than any test timeout (exponential in the length).
    assert time.monotonic() - began < 5

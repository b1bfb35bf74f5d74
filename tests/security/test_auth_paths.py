"""Authorization sees what the router sees: no encoded-slash traversal, and HEAD needs what GET needs."""

from __future__ import annotations

from tests.hardening.conftest import AUTH_CONF, Start
from tests.hardening.test_auth import ROOT, add_user, compact
from tests.support.client import Client
from tocsin.server.auth import DOT_SEGMENTS

EVENT = [{"topic": "x", "id": "a", "level": "CRITICAL", "message": "m"}]


async def test_an_encoded_traversal_does_not_borrow_the_write_privilege(start: Start) -> None:
    client: Client = await start(AUTH_CONF)
    assert (await client.post("/tocsin/v1/events", json=EVENT, headers=ROOT)).status == 202
    writer = await add_user(client, "writer", ["write_points"])
    resp = await client.delete("/kapacitor/v1/alerts/topics/x%2F..%2F..%2F..%2Fwrite", headers=writer)
    assert (resp.status, await resp.text()) == (400, compact(DOT_SEGMENTS))
    assert (await client.get("/kapacitor/v1/alerts/topics/x", headers=ROOT)).status == 200
    assert (await client.delete("/kapacitor/v1/alerts/topics/x", headers=writer)).status == 403


async def test_head_needs_the_read_privilege(start: Start) -> None:
    client = await start(AUTH_CONF)
    nobody = await add_user(client, "nobody", ["none"])
    resp = await client.head("/kapacitor/v1/config", headers=nobody)
    assert (resp.status, "Content-Length" in resp.headers) == (403, True)
    assert (await client.head("/kapacitor/v1/config", headers=ROOT)).status == 200

"""Outbound address policy: no delivery or httpPost reaches the cloud metadata service, by address or by name.

Names resolve through a stub (no DNS, no /etc/hosts): `metadata.test` to 169.254.169.254, `rebind.test` first
to the local sink and then to 169.254.169.254, as a DNS-rebinding attacker's server would answer.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from tests.hardening.conftest import Start, engine_of
from tests.support.client import Client
from tests.support.sink import HttpSink
from tocsin.config.networks import DEFAULT_DENY, parse_networks
from tocsin.transports import Transports
from tocsin.transports.netpolicy import AddressPolicy

HANDLERS = "/kapacitor/v1/alerts/topics/t/handlers"
METADATA = "169.254.169.254"
DENIED = "connection to 169.254.169.254 ({host}) refused by [delivery] deny-networks (169.254.0.0/16)"


class StubResolver:
    """Answers from a table; a list of answers is used one after the other (the last one sticks)."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[tuple[int, str]]:
        self.asked.append(host)
        answers = self.table.get(host)
        if answers is None:
            try:
                socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
            except OSError:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
            return [(socket.AF_INET6 if ":" in host else socket.AF_INET, host)]
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        return [(socket.AF_INET, answer)]


@pytest.fixture
def resolver() -> StubResolver:
    return StubResolver({"metadata.test": [METADATA], "rebind.test": ["127.0.0.1", METADATA]})


@pytest.fixture
async def client(start: Start, resolver: StubResolver) -> Client:
    policy = AddressPolicy(parse_networks(DEFAULT_DENY), (), resolver)
    return await start("", transports=Transports(policy=policy))


async def _send(client: Client, handler: dict[str, Any] | None, count: int = 1) -> list[dict[str, Any]]:
    if handler is not None:
        resp = await client.post(HANDLERS, json=handler)
        assert resp.status == 200, await resp.text()
    for i in range(count):
        level = "CRITICAL" if i % 2 == 0 else "WARNING"
        event = {"topic": "t", "id": "a", "level": level, "message": f"m{i}"}
        assert (await client.post("/tocsin/v1/events", json=event)).status == 202
        await engine_of(client).wait_idle()
    resp = await client.get("/tocsin/v1/deliveries")
    rows: list[dict[str, Any]] = (await resp.json())["deliveries"]
    return sorted(rows, key=lambda r: r["id"])


async def _policy_failures(client: Client, kind: str) -> float:
    text = await (await client.get("/metrics")).text()
    prefix = f'tocsin_notifications_failed_total{{kind="{kind}",reason="policy"}} '
    return next((float(line[len(prefix) :]) for line in text.splitlines() if line.startswith(prefix)), 0.0)


@pytest.mark.parametrize(
    ("url", "host"),
    [(f"http://{METADATA}/latest/meta-data/", METADATA), ("http://metadata.test/latest/meta-data/", "metadata.test")],
    ids=["address", "name"],
)
async def test_post_to_metadata_is_a_policy_dead_letter(client: Client, url: str, host: str) -> None:
    rows = await _send(client, {"id": "p", "kind": "post", "options": {"url": url}})
    assert [(r["status"], r["attempts"], r["lastError"]) for r in rows] == [("dead", 1, DENIED.format(host=host))]
    assert await _policy_failures(client, "post") == 1.0


async def test_post_through_aiohttp_is_checked_too(client: Client) -> None:
    # Credentials in the URL take the aiohttp path instead of the lean client.
    rows = await _send(client, {"id": "p", "kind": "post", "options": {"url": f"http://u:p@{METADATA}/x"}})
    assert [(r["status"], r["lastError"].startswith("connection to 169.254.169.254")) for r in rows] == [("dead", True)]


async def test_a_kept_connection_stays_on_the_checked_address(
    client: Client, sink: HttpSink, resolver: StubResolver
) -> None:
    url = f"http://rebind.test:{sink.port}/hook"
    rows = await _send(client, {"id": "p", "kind": "post", "options": {"url": url}}, count=2)
    # The kept-alive connection of the first delivery goes to the address checked then: still the sink, and
    # the name is not resolved again while it lasts.
    assert [(r["status"], r["lastError"]) for r in rows] == [("delivered", ""), ("delivered", "")]
    assert (len(sink.requests), resolver.asked) == (2, ["rebind.test"])


async def test_a_new_connection_after_rebinding_is_refused(client: Client, sink: HttpSink) -> None:
    url = f"http://rebind.test:{sink.port}/hook"
    first = await _send(client, {"id": "p", "kind": "post", "options": {"url": url}})
    assert [r["status"] for r in first] == ["delivered"]
    await engine_of(client).transports.http.close()  # the pool is empty: the next delivery resolves again
    rows = await _send(client, None)
    assert [(r["status"], r["lastError"]) for r in rows] == [
        ("delivered", ""),
        ("dead", DENIED.format(host="rebind.test")),
    ]
    assert len(sink.requests) == 1


async def test_tcp_to_metadata_is_refused(client: Client) -> None:
    rows = await _send(client, {"id": "tcp", "kind": "tcp", "options": {"address": "metadata.test:80"}})
    assert [(r["status"], r["lastError"]) for r in rows] == [("dead", DENIED.format(host="metadata.test"))]
    assert await _policy_failures(client, "tcp") == 1.0


async def test_loopback_stays_allowed(client: Client, sink: HttpSink) -> None:
    rows = await _send(client, {"id": "p", "kind": "post", "options": {"url": sink.url}})
    assert [r["status"] for r in rows] == ["delivered"]


async def test_allow_networks_limits_deliveries_to_the_listed_networks(start: Start, sink: HttpSink) -> None:
    client = await start('allow-networks = ["10.0.0.0/8"]\n')  # continues the fixture's [delivery] table
    rows = await _send(client, {"id": "p", "kind": "post", "options": {"url": sink.url}})
    assert [(r["status"], r["lastError"]) for r in rows] == [
        ("dead", "connection to 127.0.0.1 (127.0.0.1) refused by [delivery] allow-networks (not listed)")
    ]
    assert sink.requests == []


async def test_http_post_node_cannot_reach_metadata(client: Client) -> None:
    script = "stream\n    |from()\n        .measurement('cpu')\n    |httpPost('http://metadata.test/x')\n"
    body = {"id": "hp", "type": "stream", "dbrps": [{"db": "db", "rp": "rp"}], "script": script, "status": "enabled"}
    assert (await client.post("/kapacitor/v1/tasks", json=body)).status == 200
    resp = await client.post("/write", params={"db": "db", "rp": "rp"}, data=b"cpu v=1 1")
    assert resp.status == 204
    stats: dict[str, Any] = {}
    for _ in range(100):
        task = await (await client.get("/kapacitor/v1/tasks/hp")).json()
        stats = task["stats"]["node-stats"]["http_post2"]
        if stats["errors"]:
            break
        await asyncio.sleep(0.05)
    assert stats["errors"] == 1


def test_deny_networks_must_be_networks() -> None:
    from tocsin.config.loader import load_text
    from tocsin.errors import ConfigError

    with pytest.raises(ConfigError, match='deny-networks: invalid network "metadata": expected an address or CIDR'):
        load_text('[delivery]\ndeny-networks = ["metadata"]\n', "t.conf", environ={})


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ("same-origin", "307 redirect to another origin (http://169.254.169.254/latest) not followed"),
        ("any", "connection to 169.254.169.254 (169.254.169.254) refused by [delivery] deny-networks"),
    ],
)
async def test_a_redirect_to_metadata_is_refused_at_every_hop(
    start: Start, resolver: StubResolver, sink: HttpSink, mode: str, error: str
) -> None:
    sink.set_default(307, headers=(("Location", "http://169.254.169.254/latest"),))
    policy = AddressPolicy(parse_networks(DEFAULT_DENY), (), resolver)
    client = await start("", transports=Transports(policy=policy, redirects=mode))
    rows = await _send(client, {"id": "p", "kind": "post", "options": {"url": sink.url}})
    assert [(r["status"], error in r["lastError"]) for r in rows] == [("dead", True)]

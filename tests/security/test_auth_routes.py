"""With auth on, every route of the route table refuses a request without credentials (a new route cannot be
forgotten: the walk reads the table, not a list)."""

from __future__ import annotations

import re

from aiohttp import web

from tests.hardening.conftest import AUTH_CONF, Start
from tests.hardening.test_auth import compact
from tests.support.client import Client

# Open by design: the page and its files hold no data.
OPEN = {("GET", "/"), ("HEAD", "/")}
OPEN_PREFIXES = ("/static/",)
SIGN_IN = "/tocsin/v1/session"


def routes(app: web.Application) -> list[tuple[str, str]]:
    found = []
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource is not None else {}
        path = info.get("path") or info.get("formatter") or info.get("prefix")
        if path is None or route.method == "OPTIONS":
            continue
        concrete = re.sub(r"\{[^}]+\}", "x", path)
        if "prefix" in info:
            concrete = path.rstrip("/") + "/x.js"
        found.append((route.method, concrete))
    return sorted(set(found))


async def test_every_route_needs_credentials(start: Start) -> None:
    client: Client = await start(AUTH_CONF)
    assert client.app is not None
    table = routes(client.app)
    assert len(table) > 60  # the walk sees the whole table (v1 and v1preview)
    answers = {}
    for method, path in table:
        resp = await client.request(method, path, data=b"{}")
        answers[(method, path)] = (resp.status, await resp.text())
    refused = {k: v for k, v in answers.items() if k not in OPEN and not k[1].startswith(OPEN_PREFIXES)}
    expected = compact("unable to parse authentication credentials")
    wrong = {k: v for k, v in refused.items() if v != (401, "" if k[0] == "HEAD" else expected) and k[1] != SIGN_IN}
    assert wrong == {}
    # Signing in checks the credentials it is given.
    assert answers[("POST", SIGN_IN)][0] in (400, 401)
    assert answers[("GET", SIGN_IN)][0] == 401
    assert answers[("GET", "/")][0] == 200


async def test_metrics_open_only_when_configured(start: Start) -> None:
    client = await start(AUTH_CONF)
    assert (await client.get("/metrics")).status == 401
    await client.close()


async def test_metrics_without_auth_when_metrics_auth_is_off(start: Start) -> None:
    client = await start(AUTH_CONF + "metrics-auth-enabled = false\n")
    resp = await client.get("/metrics")
    assert resp.status == 200 and "tocsin_events_ingested_total" in await resp.text()
    assert (await client.get("/kapacitor/v1/alerts/topics")).status == 401

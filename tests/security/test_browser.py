"""Pages on other sites cannot use the API: foreign origins are refused, DNS rebinding fails on the Host check.

The browser tests run Debian's Chromium: an attacker's page served from another port (another origin) fires
a "simple" form-style POST that needs no CORS preflight, and a page on a rebinding name (`rebind.test`
mapped to 127.0.0.1 by Chromium's resolver rules) calls the API as if same-origin.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, async_playwright

from tests.hardening.conftest import Start, engine_of
from tests.support.client import Client
from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS
from tocsin.server.browser import FOREIGN_HOST, FOREIGN_ORIGIN, SIMPLE_BODY, host_problem

EVENT = '{"topic":"t","id":"a","level":"CRITICAL","message":"from a web page"}'


async def test_a_foreign_origin_is_refused_and_gets_no_cors_headers(start: Start) -> None:
    client = await start()
    for method in ("GET", "POST", "OPTIONS"):
        resp = await client.request(method, "/tocsin/v1/events", data=EVENT, headers={"Origin": "http://evil.example"})
        assert (resp.status, "Access-Control-Allow-Origin" in resp.headers) == (403, False)
        assert (await resp.json())["error"] == FOREIGN_ORIGIN.format(origin="http://evil.example")
    assert engine_of(client).topics.get("t") is None


async def test_same_origin_and_listed_origins_pass(start: Start) -> None:
    client = await start('[http]\ncors-allowed-origins = ["https://grafana.example"]\n')
    own = f"http://{client.host}:{client.port}"
    assert (await client.get("/kapacitor/v1/ping", headers={"Origin": own})).status == 204
    resp = await client.get("/kapacitor/v1/ping", headers={"Origin": "https://grafana.example"})
    assert (resp.status, resp.headers["Access-Control-Allow-Origin"]) == (204, "https://grafana.example")


async def test_a_cross_site_fetch_without_origin_is_refused(start: Start) -> None:
    client = await start()
    resp = await client.post("/tocsin/v1/events", data=EVENT, headers={"Sec-Fetch-Site": "cross-site"})
    assert resp.status == 403


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("localhost:9092", 204),
        ("tocsin.localhost", 204),
        ("127.0.0.1:9092", 204),
        ("[::1]:9092", 204),
        ("10.1.2.3", 204),
        ("rebind.test:9092", 403),
        ("attacker.example", 403),
    ],
)
async def test_the_host_header_must_name_this_server_when_auth_is_off(start: Start, host: str, status: int) -> None:
    client = await start()
    resp = await client.get("/kapacitor/v1/ping", headers={"Host": host})
    assert resp.status == status
    if status == 403:
        assert (await resp.json())["error"] == FOREIGN_HOST.format(host=host)


async def test_allowed_hosts_pass(start: Start) -> None:
    client = await start('[http]\nallowed-hosts = ["tocsin.example"]\n')
    assert (await client.get("/kapacitor/v1/ping", headers={"Host": "tocsin.example:9092"})).status == 204


def test_the_configured_hostname_and_bind_host_pass() -> None:
    names = ["alerts.internal", "tocsin.lan"]
    assert [host_problem(h, names) for h in ("ALERTS.internal.", "tocsin.lan:9092")] == [None, None]
    assert host_problem("other.lan", names) == FOREIGN_HOST.format(host="other.lan")


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        args = [*CHROMIUM_ARGS, "--host-resolver-rules=MAP rebind.test 127.0.0.1"]
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        yield chromium
        await chromium.close()


async def _attacker(html: str) -> TestServer:
    app = web.Application()

    async def page(_: web.Request) -> web.Response:
        return web.Response(text=html, content_type="text/html")

    app.router.add_get("/", page)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


ATTACK = """<!doctype html><html><body><script>
window.result = (async () => {
  const out = {};
  try {
    await fetch("%(api)s/tocsin/v1/events", {method: "POST", mode: "no-cors",
      headers: {"Content-Type": "text/plain"}, body: '%(event)s'});
    out.post = "sent";
  } catch (e) { out.post = "error"; }
  try {
    const r = await fetch("%(api)s/kapacitor/v1/alerts/topics");
    out.read = r.status;
  } catch (e) { out.read = "blocked"; }
  return out;
})();
</script></body></html>"""


async def test_a_page_on_another_origin_can_neither_post_nor_read(start: Start, browser: Browser) -> None:
    client: Client = await start()
    api = f"http://127.0.0.1:{client.port}"
    attacker = await _attacker(ATTACK % {"api": api, "event": EVENT})
    try:
        page = await browser.new_page()
        await page.goto(str(attacker.make_url("/")))
        result = await page.evaluate("window.result")
    finally:
        await attacker.close()
    # The no-cors POST is sent (the browser does not say what came back), the read is blocked by CORS.
    assert result == {"post": "sent", "read": "blocked"}
    await asyncio.sleep(0.1)
    assert engine_of(client).topics.get("t") is None  # the server refused the POST: no event was taken


async def test_dns_rebinding_is_refused(start: Start, browser: Browser) -> None:
    client: Client = await start()
    # The attacker's page is served by Tocsin's own port under the rebinding name, as after the DNS switch.
    page = await browser.new_page()
    response = await page.goto(f"http://rebind.test:{client.port}/")
    assert response is not None and response.status == 403
    status = await page.evaluate(
        "async (body) => (await fetch('/tocsin/v1/events', {method: 'POST', body})).status", EVENT
    )
    assert status == 403
    assert engine_of(client).topics.get("t") is None


@pytest.mark.parametrize("media", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; b=x"])
async def test_a_browser_write_with_a_form_body_is_refused(start: Start, media: str) -> None:
    client = await start()
    own = f"http://{client.host}:{client.port}"
    resp = await client.post("/tocsin/v1/events", data=EVENT, headers={"Origin": own, "Content-Type": media})
    bare = media.partition(";")[0]
    assert (resp.status, (await resp.json())["error"]) == (415, SIMPLE_BODY.format(media=bare))
    # A client that is not a browser (curl -d sends a form type) is not affected.
    resp = await client.post("/tocsin/v1/events", data=EVENT, headers={"Content-Type": media})
    assert resp.status == 202

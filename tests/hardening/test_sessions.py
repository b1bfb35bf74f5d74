"""Web-page sessions: sign-in, the cookie's attributes, the cookie as a credential, CSRF on writes, sign-out."""

from __future__ import annotations

import json
import ssl
from http.cookies import SimpleCookie
from typing import Any

import aiohttp
import pytest
import trustme

from tests.hardening.conftest import ADMIN, ADMIN_PASSWORD, AUTH_CONF, Start
from tests.hardening.test_auth import ROOT, add_user, basic, compact
from tests.support.client import Client
from tests.support.config import OPEN_POLICY_TOML
from tocsin.auth.users import User
from tocsin.server.auth import USERS

SESSION = "/tocsin/v1/session"
HANDLERS = "/kapacitor/v1/alerts/topics/t/handlers"
HOOK = {"id": "h", "kind": "log", "options": {"path": "/tmp/never-written.log"}}
CSRF_MISSING = (
    "missing X-CSRF-Token header: a change made with the session cookie must send the session's token "
    "(from POST or GET /tocsin/v1/session)"
)
CSRF_WRONG = "wrong X-CSRF-Token header: it is not the token of this session (see GET /tocsin/v1/session)"


def cookie_of(resp: aiohttp.ClientResponse) -> SimpleCookie:
    (header,) = resp.headers.getall("Set-Cookie")
    jar: SimpleCookie = SimpleCookie()
    jar.load(header)
    return jar


async def sign_in(client: Client, name: str = ADMIN, password: str = ADMIN_PASSWORD) -> tuple[str, str]:
    """(cookie value, CSRF token) of a new session; the test client's jar keeps the cookie too."""
    resp = await client.post(SESSION, json={"username": name, "password": password})
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    return cookie_of(resp)["tocsin_session"].value, body["csrf-token"]


@pytest.fixture
async def secured(start: Start) -> Client:
    return await start(AUTH_CONF + OPEN_POLICY_TOML)


async def test_sign_in_answer_and_cookie_attributes(secured: Client) -> None:
    resp = await secured.post(SESSION, json={"username": ADMIN, "password": ADMIN_PASSWORD})
    body = await resp.json()
    assert (resp.status, sorted(body)) == (200, ["auth-enabled", "csrf-token", "username"])
    assert (body["auth-enabled"], body["username"], len(body["csrf-token"])) == (True, ADMIN, 43)
    (header,) = resp.headers.getall("Set-Cookie")
    morsel = cookie_of(resp)["tocsin_session"]
    assert len(morsel.value) == 43
    assert header == f"tocsin_session={morsel.value}; HttpOnly; Path=/; SameSite=Strict"
    assert (await (await secured.get(SESSION)).json()) == body


async def test_cookie_is_secure_over_https(start: Start) -> None:
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ctx)
    client = await start(AUTH_CONF + OPEN_POLICY_TOML, ssl=server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    url = f"https://127.0.0.1:{client.server.port}{SESSION}"
    credentials = {"username": ADMIN, "password": ADMIN_PASSWORD}
    async with aiohttp.ClientSession() as http, http.post(url, json=credentials, ssl=client_ctx) as resp:
        assert resp.status == 200
        (header,) = resp.headers.getall("Set-Cookie")
    value = cookie_of(resp)["tocsin_session"].value
    assert header == f"tocsin_session={value}; HttpOnly; Path=/; SameSite=Strict; Secure"


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"username": ADMIN, "password": "wrong"}, 401, "wrong username or password"),
        ({"username": "ghost", "password": "x"}, 401, "wrong username or password"),
        ({"username": "", "password": "x"}, 401, "username required"),
        (
            {"username": ADMIN},
            400,
            'invalid sign-in json: expected {"username": "...", "password": "..."} with string values',
        ),
        ([], 400, 'invalid sign-in json: expected {"username": "...", "password": "..."} with string values'),
    ],
    ids=["wrong-password", "unknown-user", "no-name", "no-password", "not-an-object"],
)
async def test_refused_sign_in(secured: Client, body: Any, status: int, message: str) -> None:
    resp = await secured.post(SESSION, json=body)
    assert (resp.status, json.loads(await resp.text())["error"]) == (status, message)
    assert "Set-Cookie" not in resp.headers


async def test_cookie_reads_and_csrf_token_writes(secured: Client) -> None:
    _, token = await sign_in(secured)
    assert (await secured.get("/kapacitor/v1/alerts/topics")).status == 200
    resp = await secured.post(HANDLERS, json=HOOK, headers={"X-CSRF-Token": token})
    assert resp.status == 200, await resp.text()
    resp = await secured.delete(HANDLERS + "/h", headers={"X-CSRF-Token": token})
    assert resp.status == 204


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", HANDLERS, HOOK),
        ("PUT", HANDLERS + "/h", HOOK),
        ("PATCH", HANDLERS + "/h", []),
        ("DELETE", HANDLERS + "/h", None),
        ("POST", "/tocsin/v1/events", []),
    ],
    ids=["post", "put", "patch", "delete", "events"],
)
async def test_cookie_writes_without_the_token_are_refused(secured: Client, method: str, path: str, body: Any) -> None:
    await secured.post(HANDLERS, json=HOOK, headers=ROOT)
    _, token = await sign_in(secured)
    resp = await secured.request(method, path, json=body)
    assert (resp.status, await resp.text()) == (403, compact(CSRF_MISSING))
    resp = await secured.request(method, path, json=body, headers={"X-CSRF-Token": token[:-1] + "x"})
    assert (resp.status, await resp.text()) == (403, compact(CSRF_WRONG))
    assert (await secured.get(HANDLERS + "/h", headers=ROOT)).status == 200


async def test_a_plain_client_with_the_cookie_needs_the_token(secured: Client) -> None:
    cookie, token = await sign_in(secured)
    async with aiohttp.ClientSession(cookies={"tocsin_session": cookie}) as http:
        url = str(secured.make_url(HANDLERS))
        async with http.post(url, json=HOOK) as resp:
            assert (resp.status, await resp.text()) == (403, compact(CSRF_MISSING))
        async with http.post(url, json=HOOK, headers={"X-CSRF-Token": token}) as resp:
            assert resp.status == 200


async def test_basic_and_bearer_writes_need_no_token(secured: Client) -> None:
    await sign_in(secured)
    resp = await secured.post(HANDLERS, json=HOOK, headers=ROOT)
    assert resp.status == 200
    resp = await secured.delete(HANDLERS + "/h", params={"u": ADMIN, "p": ADMIN_PASSWORD})
    assert resp.status == 204


async def test_other_credentials_win_over_the_cookie(secured: Client) -> None:
    await sign_in(secured)
    resp = await secured.get("/kapacitor/v1/ping", headers=basic(ADMIN, "wrong"))
    assert (resp.status, await resp.text()) == (401, compact("authorization failed"))


async def test_the_session_carries_the_users_privileges(secured: Client) -> None:
    await add_user(secured, "cfg", ["config_api"])
    secured.session.cookie_jar.clear()
    await sign_in(secured, "cfg", "cfg-pw")
    resp = await secured.get("/kapacitor/v1/alerts/topics")
    text = 'user cfg does not have "read" privilege for API endpoint "/kapacitor/v1/alerts/topics"'
    assert (resp.status, await resp.text()) == (403, compact(text))


async def test_sign_out_ends_the_session(secured: Client) -> None:
    cookie, token = await sign_in(secured)
    resp = await secured.delete(SESSION)
    assert (resp.status, await resp.text()) == (403, compact(CSRF_MISSING))
    resp = await secured.delete(SESSION, headers={"X-CSRF-Token": token})
    assert resp.status == 204
    (header,) = resp.headers.getall("Set-Cookie")
    assert header.startswith('tocsin_session=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Max-Age=0; Path=/')
    async with aiohttp.ClientSession(cookies={"tocsin_session": cookie}) as http:
        async with http.get(str(secured.make_url("/kapacitor/v1/ping"))) as resp:
            message = "session expired or ended; sign in again"
            assert (resp.status, await resp.text()) == (401, compact(message))
        async with http.get(str(secured.make_url(SESSION))) as resp:
            assert (resp.status, await resp.text()) == (401, compact(message))


async def test_no_session_is_signed_out(secured: Client) -> None:
    resp = await secured.get(SESSION)
    assert (resp.status, await resp.text()) == (401, compact("not signed in"))
    assert (await secured.delete(SESSION)).status == 204


async def test_a_password_change_or_deletion_ends_sessions(secured: Client) -> None:
    await add_user(secured, "ann", ["api"])
    secured.session.cookie_jar.clear()
    await sign_in(secured, "ann", "ann-pw")
    assert (await secured.get("/kapacitor/v1/ping")).status == 204
    users = secured.app[USERS]
    user = await users.get("ann")
    assert user is not None
    await users.put(User(user.name, "scrypt$changed", user.admin, user.privileges))
    assert (await secured.get("/kapacitor/v1/ping")).status == 401
    await sign_in(secured, ADMIN, ADMIN_PASSWORD)
    assert (await secured.get("/kapacitor/v1/ping")).status == 204
    await users.delete(ADMIN)
    assert (await secured.get("/kapacitor/v1/ping")).status == 401


async def test_the_page_and_its_files_are_open(secured: Client) -> None:
    for path in ("/", "/static/js/app.js", "/static/css/app.css"):
        assert (await secured.get(path)).status == 200, path
    resp = await secured.get("/tocsin/v1/schema")
    assert (resp.status, await resp.text()) == (401, compact("unable to parse authentication credentials"))


async def test_auth_off_needs_no_sign_in(start: Start) -> None:
    client = await start(OPEN_POLICY_TOML)
    resp = await client.get(SESSION)
    assert (resp.status, await resp.json()) == (200, {"auth-enabled": False})
    resp = await client.post(SESSION, json={"username": "a", "password": "b"})
    text = "authentication is not enabled ([http] auth-enabled = false): there is nothing to sign in to"
    assert (resp.status, (await resp.json())["error"]) == (400, text)
    assert (await client.post(HANDLERS, json=HOOK)).status == 200

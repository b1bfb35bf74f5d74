"""`[http] auth-enabled`: credentials, Kapacitor's 401/403 texts, privileges per permission, bootstrap."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.hardening.conftest import ADMIN, ADMIN_PASSWORD, AUTH_CONF, SECRET, Start
from tests.support.client import Client
from tocsin.auth.bootstrap import NO_USERS, bootstrap_admin
from tocsin.auth.directory import UserDirectory
from tocsin.auth.tokens import sign
from tocsin.config.effective import Config
from tocsin.config.loader import load_text
from tocsin.config.overrides import Overrides
from tocsin.errors import ConfigError
from tocsin.store.sqlite import SqliteStore


def basic(name: str, password: str) -> dict[str, str]:
    """An Authorization header for HTTP Basic credentials."""
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


ROOT = basic(ADMIN, ADMIN_PASSWORD)
EVENT = [{"topic": "t", "id": "a", "level": "CRITICAL", "message": "m"}]


def compact(text: str) -> str:
    return json.dumps({"error": text, "message": text}, separators=(",", ":"))


async def add_user(client: Client, name: str, permissions: list[str]) -> dict[str, str]:
    body = {"name": name, "password": name + "-pw", "type": "normal", "permissions": permissions}
    resp = await client.post("/kapacitor/v1/users", json=body, headers=ROOT)
    assert resp.status == 200, await resp.text()
    return basic(name, name + "-pw")


@pytest.fixture
async def secured(start: Start) -> Client:
    return await start(AUTH_CONF)


async def test_no_credentials_is_401_compact_with_kapacitor_headers(secured: Client) -> None:
    resp = await secured.get("/kapacitor/v1/ping")
    assert resp.status == 401
    assert await resp.text() == compact("unable to parse authentication credentials")
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "X-Kapacitor-Version" in resp.headers


async def test_unknown_paths_need_credentials_too(secured: Client) -> None:
    resp = await secured.get("/kapacitor/v1/nothing-here")
    assert (resp.status, await resp.text()) == (401, compact("unable to parse authentication credentials"))


async def test_options_needs_no_credentials(secured: Client) -> None:
    resp = await secured.options("/kapacitor/v1/alerts/topics")
    assert (resp.status, await resp.read()) == (200, b"")


@pytest.mark.parametrize(
    ("kwargs", "status", "text"),
    [
        ({"headers": ROOT}, 204, ""),
        ({"headers": basic(ADMIN, "wrong")}, 401, compact("authorization failed")),
        ({"headers": basic("nobody", "x")}, 401, compact("authorization failed")),
        ({"headers": basic("", "x")}, 401, compact("username required")),
        ({"params": {"u": ADMIN, "p": ADMIN_PASSWORD}}, 204, ""),
        ({"params": {"u": ADMIN, "p": "wrong"}}, 401, compact("authorization failed")),
        ({"params": {"u": ADMIN}}, 401, compact("unable to parse authentication credentials")),
        ({"headers": {"Authorization": "Digest abc"}}, 401, compact("unable to parse authentication credentials")),
    ],
    ids=["basic", "basic-wrong", "basic-unknown", "basic-no-name", "query", "query-wrong", "query-no-p", "digest"],
)
async def test_password_credentials(secured: Client, kwargs: dict[str, Any], status: int, text: str) -> None:
    resp = await secured.get("/kapacitor/v1/ping", **kwargs)
    assert (resp.status, await resp.text()) == (status, text)


def bearer(claims: dict[str, Any], secret: str = SECRET, alg: str = "HS256") -> dict[str, str]:
    return {"Authorization": "Bearer " + sign(claims, secret, alg)}


LATER = time.time() + 3600


@pytest.mark.parametrize(
    ("headers", "status", "text"),
    [
        (bearer({"username": ADMIN, "exp": LATER}), 204, ""),
        (bearer({"username": ADMIN, "exp": LATER}, alg="HS512"), 204, ""),
        (bearer({"username": ADMIN}), 401, compact("token expiration required")),
        (bearer({"username": ADMIN, "exp": 0}), 401, compact("token expiration required")),
        (bearer({"username": ADMIN, "exp": time.time() - 10}), 401, compact("invalid token: Token is expired")),
        (bearer({"exp": LATER}), 401, compact("username in token must be a string")),
        (bearer({"username": 7, "exp": LATER}), 401, compact("username in token must be a string")),
        (bearer({"username": "", "exp": LATER}), 401, compact("token must contain a username")),
        (bearer({"username": ADMIN, "exp": LATER}, "other"), 401, compact("invalid token: signature is invalid")),
        (
            bearer({"username": "ghost", "exp": LATER}),
            401,
            compact('retrieving user "ghost" from store: no user exists'),
        ),
        (
            {"Authorization": "Bearer a.b"},
            401,
            compact("invalid token: token contains an invalid number of segments"),
        ),
        (
            {"Authorization": "Bearer eyJhbGciOiJub25lIn0.eyJ1c2VybmFtZSI6InJvb3QifQ."},
            401,
            compact("invalid token: unexpected signing method: none"),
        ),
    ],
    ids=[
        "ok",
        "hs512",
        "no-exp",
        "zero-exp",
        "expired",
        "no-username",
        "number-username",
        "empty-username",
        "bad-signature",
        "unknown-user",
        "segments",
        "alg-none",
    ],
)
async def test_bearer_tokens(secured: Client, headers: dict[str, str], status: int, text: str) -> None:
    resp = await secured.get("/kapacitor/v1/ping", headers=headers)
    assert (resp.status, await resp.text()) == (status, text)


async def test_an_empty_shared_secret_accepts_no_token(start: Start) -> None:
    client = await start(AUTH_CONF.replace(f'shared-secret = "{SECRET}"', 'shared-secret = ""'))
    resp = await client.get("/kapacitor/v1/ping", headers=bearer({"username": ADMIN, "exp": LATER}, ""))
    assert (resp.status, await resp.text()) == (401, compact("invalid token: signature is invalid"))


# (method, path, body) -> status per permission
REQUESTS: list[tuple[str, str, Any]] = [
    ("GET", "/kapacitor/v1/ping", None),
    ("GET", "/kapacitor/v1/alerts/topics", None),
    ("GET", "/kapacitor/v1preview/alerts/topics", None),
    ("DELETE", "/kapacitor/v1/alerts/topics/t", None),
    ("GET", "/kapacitor/v1/config", None),
    ("POST", "/tocsin/v1/events", EVENT),
    ("GET", "/tocsin/v1/deliveries", None),
    ("GET", "/metrics", None),
    ("GET", "/kapacitor/v1/users", None),
]
EXPECTED = {
    "none": [403, 403, 403, 403, 403, 403, 403, 403, 403],
    # Listing users needs an admin, whatever the permissions (tests/security/test_user_privileges.py).
    "api": [204, 200, 200, 204, 403, 202, 200, 200, 403],
    "config_api": [204, 403, 403, 403, 200, 403, 403, 403, 403],
    "write_points": [204, 403, 403, 403, 403, 202, 403, 403, 403],
    "all": [204, 200, 200, 204, 200, 202, 200, 200, 403],
}


@pytest.mark.parametrize("permission", list(EXPECTED), ids=list(EXPECTED))
async def test_privileges_per_permission(secured: Client, permission: str) -> None:
    creds = await add_user(secured, "u_" + permission, [permission])
    got = []
    for method, path, body in REQUESTS:
        resp = await secured.request(method, path, json=body, headers=creds)
        got.append(resp.status)
    assert got == EXPECTED[permission]


async def test_403_text_names_user_privilege_and_path(secured: Client) -> None:
    creds = await add_user(secured, "reader", ["none"])
    resp = await secured.get("/kapacitor/v1/ping", headers=creds)
    text = 'user reader does not have "read" privilege for API endpoint "/kapacitor/v1/ping"'
    assert (resp.status, await resp.text()) == (403, compact(text))
    resp = await secured.delete("/kapacitor/v1/alerts/topics/x", headers=await add_user(secured, "cfg", ["config_api"]))
    text = 'user cfg does not have "delete" privilege for API endpoint "/kapacitor/v1/alerts/topics/x"'
    assert (resp.status, await resp.text()) == (403, compact(text))


async def test_head_needs_what_get_needs(secured: Client) -> None:
    assert (await secured.head("/kapacitor/v1/ping")).status == 401
    assert (await secured.head("/kapacitor/v1/ping", headers=await add_user(secured, "nobody", ["none"]))).status == 403
    assert (await secured.head("/kapacitor/v1/ping", headers=await add_user(secured, "reader", ["api"]))).status == 204


async def test_debug_vars_is_open_only_with_pprof_enabled(start: Start) -> None:
    closed = await start(AUTH_CONF)
    assert (await closed.get("/kapacitor/v1/debug/vars")).status == 401


async def test_debug_vars_open_with_pprof(start: Start) -> None:
    client = await start(AUTH_CONF + "pprof-enabled = true\n")
    assert (await client.get("/kapacitor/v1/debug/vars")).status == 200
    assert (await client.get("/kapacitor/v1/ping")).status == 401


async def test_auth_disabled_ignores_credentials(start: Start) -> None:
    client = await start()
    resp = await client.get("/kapacitor/v1/ping", headers=basic("who", "ever"))
    assert resp.status == 204


async def test_bootstrap_refuses_an_empty_store_without_admin(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "t.db"))
    await store.open()
    config = Config.build(load_text("[http]\nauth-enabled = true\n", "t.conf", environ={}), Overrides())
    try:
        with pytest.raises(ConfigError) as err:
            await bootstrap_admin(UserDirectory(store), config)
        assert str(err.value) == NO_USERS
    finally:
        await store.close()


async def test_bootstrap_once_then_users_persist(tmp_path: Path) -> None:
    conf = load_text(AUTH_CONF, "t.conf", environ={})
    store = SqliteStore(str(tmp_path / "t.db"))
    await store.open()
    created = await bootstrap_admin(UserDirectory(store), Config.build(conf, Overrides()))
    again = await bootstrap_admin(UserDirectory(store), Config.build(conf, Overrides()))
    users = await store.load_users()
    await store.close()
    assert created is not None and created.admin and again is None
    assert [u["name"] for u in users] == [ADMIN]
    assert ADMIN_PASSWORD not in json.dumps(users)


def test_admin_user_and_password_go_together() -> None:
    with pytest.raises(ConfigError, match="admin-user and admin-password must be set together"):
        load_text('[http]\nadmin-user = "x"\n', "t.conf", environ={})


def test_admin_password_comes_from_the_environment() -> None:
    conf = load_text('[http]\nadmin-user = "x"\n', "t.conf", environ={"TOCSIN_HTTP_ADMIN_PASSWORD": "pw"})
    assert conf.values["http"][0]["admin-password"] == "pw"

"""/kapacitor/v1/users: Kapacitor's shapes and texts."""

from __future__ import annotations

from typing import Any

import pytest

from tests.hardening.conftest import ADMIN, AUTH_CONF, Start
from tests.hardening.test_auth import ROOT, basic
from tests.support.client import Client

USERS = "/kapacitor/v1/users"


@pytest.fixture
async def api(start: Start) -> Client:
    return await start(AUTH_CONF)


def user(name: str, kind: str, permissions: list[str]) -> dict[str, Any]:
    return {"link": {"rel": "self", "href": f"{USERS}/{name}"}, "name": name, "type": kind, "permissions": permissions}


async def test_create_get_list_patch_delete(api: Client) -> None:
    body = {"name": "bob", "password": "pw1", "type": "normal", "permissions": ["api", "write_points"]}
    resp = await api.post(USERS, json=body, headers=ROOT)
    assert (resp.status, await resp.json()) == (200, user("bob", "normal", ["api", "write_points"]))
    assert await (await api.get(f"{USERS}/bob", headers=ROOT)).json() == user("bob", "normal", ["api", "write_points"])
    listed = await (await api.get(USERS, headers=ROOT)).json()
    assert listed == {"users": [user("bob", "normal", ["api", "write_points"]), user(ADMIN, "admin", [])]}
    assert (await api.get("/kapacitor/v1/ping", headers=basic("bob", "pw1"))).status == 204
    resp = await api.patch(f"{USERS}/bob", json={"password": "pw2", "permissions": ["all"]}, headers=ROOT)
    assert await resp.json() == user("bob", "normal", ["all"])
    assert (await api.get("/kapacitor/v1/ping", headers=basic("bob", "pw1"))).status == 401
    assert (await api.get("/kapacitor/v1/config", headers=basic("bob", "pw2"))).status == 200
    resp = await api.patch(f"{USERS}/bob", json={"type": "admin"}, headers=ROOT)
    assert await resp.json() == user("bob", "admin", [])
    assert (await api.delete(f"{USERS}/bob", headers=ROOT)).status == 204
    assert (await api.delete(f"{USERS}/bob", headers=ROOT)).status == 204
    assert (await api.get("/kapacitor/v1/ping", headers=basic("bob", "pw2"))).status == 401


async def test_list_pattern_fields_offset_limit(api: Client) -> None:
    for name in ("a1", "a2", "b1"):
        await api.post(USERS, json={"name": name, "password": "x"}, headers=ROOT)
    resp = await api.get(USERS, params=[("pattern", "a*"), ("fields", "type")], headers=ROOT)
    assert await resp.json() == {
        "users": [{"link": {"rel": "self", "href": f"{USERS}/{n}"}, "name": n, "type": "normal"} for n in ("a1", "a2")]
    }
    resp = await api.get(USERS, params={"offset": "1", "limit": "2"}, headers=ROOT)
    assert [u["name"] for u in (await resp.json())["users"]] == ["a2", "b1"]


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ("{", 400, "invalid JSON"),
        ("[1]", 400, "invalid JSON"),
        ('{"name": "x", "password": "y", "permissions": ["root"]}', 400, "invalid JSON"),
        ('{"name": "x", "password": "y", "type": "super"}', 400, "invalid JSON"),
        ('{"password": "y"}', 400, "username is required"),
        (
            '{"name": "a b", "password": "y"}',
            400,
            "username must contain only letters, numbers, '-', '.', '@' and '_'. \"a b\"",
        ),
        ('{"name": "x"}', 400, "password is required"),
        (f'{{"name": "{ADMIN}", "password": "y"}}', 409, "failed to create user: creating user: user already exists"),
    ],
    ids=["syntax", "not-object", "permission", "type", "no-name", "bad-name", "no-password", "exists"],
)
async def test_create_errors(api: Client, body: str, status: int, text: str) -> None:
    resp = await api.post(USERS, data=body, headers=ROOT)
    assert (resp.status, await resp.json()) == (status, {"error": text, "message": text})


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "text"),
    [
        ("GET", f"{USERS}/ghost", None, 404, "no user exists"),
        ("GET", f"{USERS}/", None, 400, "must specify username on path"),
        ("PATCH", f"{USERS}/ghost", "{}", 404, "failed to create user: updating user: no user exists"),
        ("PATCH", f"{USERS}/{ADMIN}", "{", 400, "invalid JSON"),
        ("GET", f"{USERS}?fields=hash", None, 400, 'unsupported field "hash"'),
        ("GET", f"{USERS}?limit=x", None, 400, 'invalid limit parameter "x" must be an integer'),
    ],
    ids=["get-unknown", "no-name", "patch-unknown", "patch-json", "field", "limit"],
)
async def test_other_errors(api: Client, method: str, path: str, body: str | None, status: int, text: str) -> None:
    resp = await api.request(method, path, data=body, headers=ROOT)
    assert (resp.status, await resp.json()) == (status, {"error": text, "message": text})


async def test_password_hashes_never_leave_the_server(api: Client) -> None:
    await api.post(USERS, json={"name": "carol", "password": "carol-secret-pw"}, headers=ROOT)
    texts = [await (await api.get(path, headers=ROOT)).text() for path in (USERS, f"{USERS}/carol")]
    assert not [t for t in texts if "scrypt" in t or "carol-secret-pw" in t or "hash" in t]

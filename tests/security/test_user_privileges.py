"""User management needs an admin: an `api` user cannot make itself or anyone else admin."""

from __future__ import annotations

from typing import Any

import pytest

from tests.hardening.conftest import ADMIN, AUTH_CONF, Start
from tests.hardening.test_auth import ROOT, add_user, basic
from tests.support.client import Client
from tocsin.server.routes.users import NOT_ADMIN

USERS = "/kapacitor/v1/users"
REFUSED = {"error": NOT_ADMIN.format(name="ops"), "message": NOT_ADMIN.format(name="ops")}


@pytest.fixture
async def client(start: Start) -> Client:
    return await start(AUTH_CONF)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", USERS, {"name": "evil", "password": "x", "type": "admin"}),
        ("POST", USERS, {"name": "evil", "password": "x", "type": "normal", "permissions": ["api"]}),
        ("PATCH", USERS + "/ops", {"permissions": ["all"]}),
        ("PATCH", USERS + "/ops", {"type": "admin"}),
        ("PATCH", USERS + "/ops", {"password": "new", "type": "admin"}),
        ("PATCH", USERS + f"/{ADMIN}", {"password": "taken-over"}),
        ("DELETE", USERS + f"/{ADMIN}", None),
        ("GET", USERS, None),
        ("GET", USERS + f"/{ADMIN}", None),
    ],
    ids=[
        "create-admin",
        "create-user",
        "grant-all",
        "self-admin",
        "password-and-admin",
        "others-password",
        "delete-admin",
        "list",
        "read-other",
    ],
)
async def test_an_api_user_cannot_manage_users(
    client: Client, method: str, path: str, body: dict[str, Any] | None
) -> None:
    ops = await add_user(client, "ops", ["api"])
    resp = await client.request(method, path, json=body, headers=ops)
    assert (resp.status, await resp.json()) == (403, REFUSED)
    users = await (await client.get(USERS, headers=ROOT)).json()
    assert sorted((u["name"], u["type"], u["permissions"]) for u in users["users"]) == [
        ("ops", "normal", ["api"]),
        (ADMIN, "admin", []),
    ]
    assert (await client.get(USERS, headers=basic(ADMIN, "taken-over"))).status == 401


async def test_a_user_may_read_itself_and_change_its_own_password(client: Client) -> None:
    ops = await add_user(client, "ops", ["api"])
    me = await client.get(USERS + "/ops", headers=ops)
    assert (me.status, (await me.json())["permissions"]) == (200, ["api"])
    resp = await client.patch(USERS + "/ops", json={"password": "ops-new-pw"}, headers=ops)
    assert resp.status == 200
    assert (await client.get("/kapacitor/v1/alerts/topics", headers=ops)).status == 401
    assert (await client.get("/kapacitor/v1/alerts/topics", headers=basic("ops", "ops-new-pw"))).status == 200


async def test_an_admin_manages_users(client: Client) -> None:
    resp = await client.post(USERS, json={"name": "second", "password": "pw", "type": "admin"}, headers=ROOT)
    assert resp.status == 200
    assert (await client.patch(USERS + "/second", json={"type": "normal"}, headers=ROOT)).status == 200
    assert (await client.delete(USERS + "/second", headers=ROOT)).status == 204

"""`POST /kapacitor/v1/sideload/reload` over HTTP: running sideload tasks read their files again."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.support.client import Client
from tocsin.auth.bootstrap import bootstrap_admin
from tocsin.auth.passwords import hash_password
from tocsin.auth.users import ROOT, Privilege, User
from tocsin.config.loader import load_text
from tocsin.server.app import build_app
from tocsin.server.auth import USERS
from tocsin.server.keys import ENGINE
from tocsin.store.sqlite import SqliteStore
from tocsin.wiring import assemble

RELOAD = "/kapacitor/v1/sideload/reload"
AUTH = '[http]\nauth-enabled = true\nadmin-user = "root"\nadmin-password = "root-pw"\n'
SCRIPT = """stream
    |from()
        .measurement('cpu')
    |sideload()
        .source('file://{dir}')
        .order('host/{{{{.host}}}}.yml', 'default.json')
        .field('threshold', 0.0)
        .tag('team', 'none')
    |httpOut('out')
"""

Start = Callable[..., Awaitable[Client]]


@pytest.fixture
async def start(tmp_path: Path) -> AsyncIterator[Start]:
    clients: list[Client] = []

    async def run(conf: str = "", allowed: str = "") -> Client:
        text = f'data_dir = "{tmp_path}"\n[sideload]\nallowed-dirs = ["{allowed or tmp_path}"]\n{conf}'
        engine = assemble(load_text(text, "test.conf", environ={}), SqliteStore(str(tmp_path / "tocsin.db")))
        await engine.start()
        app = build_app(engine)
        if engine.config.get("http", "auth-enabled"):
            await bootstrap_admin(app[USERS], engine.config)
        client = TestClient(TestServer(app))
        await client.start_server()
        clients.append(client)
        return client

    yield run
    for client in clients:
        assert client.app is not None
        engine = client.app[ENGINE]
        await client.close()
        await engine.stop(0.1)


@pytest.fixture
def src(tmp_path: Path) -> Path:
    root = tmp_path / "sideload"
    (root / "host").mkdir(parents=True)
    (root / "host/a.yml").write_text("threshold: 95\nteam: web\n")
    (root / "default.json").write_text('{"threshold": 70}')
    return root


def basic(name: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


async def create_task(client: Client, src: Path, headers: dict[str, str] | None = None) -> None:
    task = {
        "id": "enrich",
        "dbrps": [{"db": "db", "rp": "rp"}],
        "script": SCRIPT.format(dir=src),
        "status": "enabled",
    }
    resp = await client.post("/kapacitor/v1/tasks", json=task, headers=headers)
    assert resp.status == 200, await resp.text()


async def enriched(client: Client, host: str, headers: dict[str, str] | None = None) -> Any:
    write = await client.post("/kapacitor/v1/write?db=db&rp=rp", data=f"cpu,host={host} value=1 1", headers=headers)
    assert write.status == 204
    resp = await client.get("/kapacitor/v1/tasks/enrich/out", headers=headers)
    assert resp.status == 200
    body = await resp.json()
    series = body["series"][0]
    return series["tags"], dict(zip(series["columns"], series["values"][0], strict=True))


async def test_reload_picks_up_changed_files(start: Start, src: Path) -> None:
    client = await start()
    await create_task(client, src)
    assert await enriched(client, "a") == (
        {"host": "a", "team": "web"},
        {"time": "1970-01-01T00:00:00.000000001Z", "threshold": 95, "value": 1},
    )
    (src / "host/a.yml").write_text("threshold: 99.5\nteam: db\n")
    (src / "host/b.yml").write_text("team: new\n")
    assert (await enriched(client, "a"))[1]["threshold"] == 95  # cached until the reload
    resp = await client.post(RELOAD)
    assert (resp.status, await resp.read()) == (204, b"")
    assert await enriched(client, "a") == (
        {"host": "a", "team": "db"},
        {"time": "1970-01-01T00:00:00.000000001Z", "threshold": 99.5, "value": 1},
    )
    assert (await enriched(client, "b"))[0] == {"host": "b", "team": "new"}


async def test_a_failed_reload_is_500_naming_the_file_and_keeps_the_values(start: Start, src: Path) -> None:
    client = await start()
    await create_task(client, src)
    (src / "default.json").write_text("{")
    resp = await client.post("/kapacitor/v1preview/sideload/reload")
    message = (
        f'failed to update source "{src}": failed to update sideload cache for source file "{src}": '
        f'failed to unmarshal json values "{src}/default.json": line 1, column 2: Expecting property name enclosed '
        "in double quotes"
    )
    assert (resp.status, await resp.json()) == (500, {"error": message, "message": message})
    assert (await enriched(client, "b"))[1]["threshold"] == 70


async def test_reload_without_sideload_tasks_is_204(start: Start) -> None:
    client = await start()
    assert (await client.post(RELOAD)).status == 204
    assert (await client.get(RELOAD)).status == 405


async def test_a_task_outside_the_allowed_dirs_does_not_start(start: Start, tmp_path: Path) -> None:
    client = await start(allowed=f"{tmp_path}/elsewhere")
    task = {"id": "t", "dbrps": [{"db": "db", "rp": "rp"}], "script": SCRIPT.format(dir=tmp_path), "status": "enabled"}
    resp = await client.post("/kapacitor/v1/tasks", json=task)
    message = (
        f'failed to create sideload2 node: sideload source "{tmp_path}" is not inside a directory of '
        "[sideload] allowed-dirs"
    )
    assert (resp.status, await resp.json()) == (500, {"error": message, "message": message})


async def test_reload_needs_write_privilege_when_auth_is_enabled(start: Start, src: Path) -> None:
    client = await start(AUTH)
    admin = basic("root", "root-pw")
    await create_task(client, src, admin)
    assert client.app is not None
    await client.app[USERS].put(User("reader", hash_password("pw"), False, {ROOT: int(Privilege.READ)}))
    await client.app[USERS].put(User("writer", hash_password("pw"), False, {ROOT: int(Privilege.WRITE)}))
    resp = await client.post(RELOAD)
    assert (resp.status, (await resp.json())["error"]) == (401, "unable to parse authentication credentials")
    resp = await client.post(RELOAD, headers=basic("reader", "pw"))
    assert (resp.status, (await resp.json())["error"]) == (
        403,
        'user reader does not have "write" privilege for API endpoint "/kapacitor/v1/sideload/reload"',
    )
    (src / "host/a.yml").write_text("threshold: 1\n")
    assert (await client.post(RELOAD, headers=basic("writer", "pw"))).status == 204
    assert (await client.post(RELOAD, headers=admin)).status == 204
    assert (await enriched(client, "a", admin))[1]["threshold"] == 1

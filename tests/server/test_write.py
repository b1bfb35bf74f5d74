"""The write route: `POST /kapacitor/v1/write` and `/write`, answered exactly as Kapacitor answers."""

from __future__ import annotations

import base64
import gzip
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.support.client import Client
from tocsin.auth.bootstrap import bootstrap_admin
from tocsin.auth.passwords import hash_password
from tocsin.auth.users import WRITE, Privilege, User
from tocsin.config.loader import load_text
from tocsin.points import Point
from tocsin.server.app import build_app
from tocsin.server.auth import USERS
from tocsin.server.keys import ENGINE
from tocsin.store.sqlite import SqliteStore
from tocsin.wiring import assemble

JSON = "application/json; charset=utf-8"
AUTH = '[http]\nauth-enabled = true\nadmin-user = "root"\nadmin-password = "root-pw"\n'


class Recorder:
    """A PointSink that keeps every batch it is given."""

    def __init__(self) -> None:
        self.batches: list[list[Point]] = []

    async def write(self, points: list[Point]) -> None:
        self.batches.append(points)


Start = Callable[..., Awaitable[tuple[Client, Recorder]]]


@pytest.fixture
async def start(tmp_path: Path) -> AsyncIterator[Start]:
    clients: list[Client] = []

    async def run(conf: str = "") -> tuple[Client, Recorder]:
        engine = assemble(
            load_text(f'data_dir = "{tmp_path}"\n{conf}', "test.conf", environ={}),
            SqliteStore(str(tmp_path / "tocsin.db")),
        )
        await engine.start()
        recorder = Recorder()
        engine.points = recorder
        app = build_app(engine)
        if engine.config.get("http", "auth-enabled"):
            await bootstrap_admin(app[USERS], engine.config)
        client = TestClient(TestServer(app))
        await client.start_server()
        clients.append(client)
        return client, recorder

    yield run
    for client in clients:
        assert client.app is not None
        engine = client.app[ENGINE]
        await client.close()
        await engine.stop(0.1)


def basic(name: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


@pytest.mark.parametrize("path", ["/kapacitor/v1/write", "/write", "/kapacitor/v1preview/write"])
async def test_points_are_written_with_db_and_rp(start: Start, path: str) -> None:
    client, recorder = await start()
    resp = await client.post(path, params={"db": "telegraf", "rp": "autogen"}, data=b"cpu,host=a v=1 5\nmem f=2i 6\n")
    assert resp.status == 204
    assert await resp.read() == b""
    assert resp.headers["X-Kapacitor-Version"]
    assert recorder.batches == [
        [
            Point("cpu", {"host": "a"}, {"v": 1.0}, 5, "telegraf", "autogen"),
            Point("mem", {}, {"f": 2}, 6, "telegraf", "autogen"),
        ]
    ]


async def test_empty_body_is_204(start: Start) -> None:
    client, recorder = await start()
    resp = await client.post("/write", params={"db": "d"}, data=b"")
    assert resp.status == 204
    # The engine drops empty batches itself; the route hands it what it parsed.
    assert recorder.batches == []


async def test_parse_error_is_plain_text_with_json_content_type(start: Start) -> None:
    client, recorder = await start()
    resp = await client.post("/kapacitor/v1/write", params={"db": "d"}, data=b"cpu value=\nok v=1 1\nx")
    assert resp.status == 400
    assert resp.headers["Content-Type"] == JSON
    assert await resp.text() == (
        "unable to parse 'cpu value=': missing field value\nunable to parse 'x': missing fields\n"
    )
    assert recorder.batches == []


async def test_parse_errors_come_before_the_database_check(start: Start) -> None:
    client, _ = await start()
    resp = await client.post("/write", data=b"cpu")
    assert (resp.status, await resp.text()) == (400, "unable to parse 'cpu': missing fields\n")
    resp = await client.post("/write", data=b"cpu v=1")
    assert (resp.status, await resp.text()) == (400, "database is required\n")
    assert resp.headers["Content-Type"] == JSON


async def test_precision(start: Start) -> None:
    client, recorder = await start()
    resp = await client.post("/write", params={"db": "d", "precision": "s"}, data=b"m v=1 7")
    assert resp.status == 204
    assert recorder.batches[0][0].time == 7_000_000_000


async def test_default_retention_policy_from_config(start: Start) -> None:
    client, recorder = await start('default-retention-policy = "autogen"\n')
    assert (await client.post("/write", params={"db": "d"}, data=b"m v=1 1")).status == 204
    assert (await client.post("/write", params={"db": "d", "rp": "x"}, data=b"m v=1 1")).status == 204
    assert [b[0].retention_policy for b in recorder.batches] == ["autogen", "x"]


async def test_gzip_body(start: Start) -> None:
    client, recorder = await start()
    body = gzip.compress(b"m v=1 1\n")
    resp = await client.post("/write", params={"db": "d"}, data=body, headers={"Content-Encoding": "gzip"})
    assert resp.status == 204
    assert recorder.batches[0][0].fields == {"v": 1.0}


async def test_bad_gzip_is_400(start: Start) -> None:
    client, recorder = await start()
    resp = await client.post("/write", params={"db": "d"}, data=b"not gzip", headers={"Content-Encoding": "gzip"})
    assert (resp.status, await resp.text()) == (400, "gzip: invalid header\n")
    assert resp.headers["Content-Type"] == JSON
    assert recorder.batches == []


async def test_inflated_body_is_bounded_by_max_body_size(start: Start) -> None:
    client, recorder = await start("[http]\nmax-body-size = 1000\n")
    body = gzip.compress(b"m v=1 1\n" * 1000)
    assert len(body) < 1000
    resp = await client.post("/write", params={"db": "d"}, data=body, headers={"Content-Encoding": "gzip"})
    assert resp.status == 413
    assert (await resp.json())["error"].startswith("request body too large: ")
    assert recorder.batches == []


async def test_time_field_partial_write_keeps_the_other_points(start: Start) -> None:
    client, recorder = await start()
    resp = await client.post("/write", params={"db": "d"}, data=b"m v=1 1\nm time=2 2\n")
    assert resp.status == 400
    assert await resp.text() == (
        'partial write: invalid field name: input field "time" on measurement "m" is invalid dropped=1\n'
    )
    assert recorder.batches == [[Point("m", {}, {"v": 1.0}, 1, "d", "")]]


async def test_options_is_200_with_cors_for_a_listed_origin(start: Start) -> None:
    client, _ = await start('[http]\ncors-allowed-origins = ["http://x"]\n')
    for path in ("/write", "/kapacitor/v1/write"):
        resp = await client.options(path, headers={"Origin": "http://x"})
        # Kapacitor's CORS wrapper answers OPTIONS before the route's own 204 handler runs.
        assert (resp.status, await resp.read()) == (200, b"")
        assert resp.headers["Access-Control-Allow-Origin"] == "http://x"


async def test_auth_credentials_in_query_and_privileges(start: Start) -> None:
    client, recorder = await start(AUTH)
    resp = await client.post("/write", params={"db": "d"}, data=b"m v=1 1")
    assert resp.status == 401
    assert await resp.json() == {
        "error": "unable to parse authentication credentials",
        "message": "unable to parse authentication credentials",
    }
    admin = {"u": "root", "p": "root-pw"}
    assert (await client.post("/write", params={"db": "d", **admin}, data=b"m v=1 1")).status == 204
    for name, permissions in (("writer", ["write_points"]), ("apier", ["api"])):
        body = {"name": name, "password": "pw", "type": "normal", "permissions": permissions}
        made = await client.post("/kapacitor/v1/users", json=body, headers=basic("root", "root-pw"))
        assert made.status == 200, await made.text()
    resp = await client.post("/kapacitor/v1/write", params={"db": "d"}, data=b"m v=1 2", headers=basic("writer", "pw"))
    assert resp.status == 204
    resp = await client.post("/kapacitor/v1/write", params={"db": "d"}, data=b"m v=1 3", headers=basic("apier", "pw"))
    assert resp.status == 403
    assert (await resp.json())["error"] == (
        'user apier does not have "write" privilege for API endpoint "/kapacitor/v1/write"'
    )
    assert [b[0].time for b in recorder.batches] == [1, 2]


async def test_401_when_the_user_may_not_write_to_the_database(start: Start) -> None:
    client, recorder = await start(AUTH)
    assert client.app is not None
    # Passes the API path check (write on /api/write) without Kapacitor's grant on the database.
    user = User("partial", hash_password("pw"), False, {WRITE: int(Privilege.WRITE)})
    await client.app[USERS].put(user)
    resp = await client.post("/write", params={"db": "mydb"}, data=b"m v=1 1", headers=basic("partial", "pw"))
    assert (resp.status, await resp.text()) == (401, '"partial" user is not authorized to write to database "mydb"\n')
    granted = User("dbuser", hash_password("pw"), False, {WRITE: int(Privilege.WRITE), "/databases/mydb": 4})
    await client.app[USERS].put(granted)
    resp = await client.post("/write", params={"db": "mydb"}, data=b"m v=1 1", headers=basic("dbuser", "pw"))
    assert resp.status == 204
    assert len(recorder.batches) == 1


async def test_write_tracing_logs_each_write(start: Start, caplog: pytest.LogCaptureFixture) -> None:
    client, _ = await start("[http]\nwrite-tracing = true\n")
    body = b"cpu,host=a v=1 5\nmem f=2i 6\n"
    with caplog.at_level(logging.INFO, logger="tocsin.server.routes.write"):
        assert (await client.post("/write", params={"db": "telegraf", "rp": "autogen"}, data=body)).status == 204
    assert [r.getMessage() for r in caplog.records if r.name == "tocsin.server.routes.write"] == [
        f"write: db=telegraf rp=autogen precision=n points=2 bytes={len(body)}"
    ]


async def test_without_write_tracing_writes_are_not_logged(start: Start, caplog: pytest.LogCaptureFixture) -> None:
    client, _ = await start()
    with caplog.at_level(logging.INFO, logger="tocsin.server.routes.write"):
        assert (await client.post("/write", params={"db": "telegraf"}, data=b"cpu v=1 5\n")).status == 204
    assert [r for r in caplog.records if r.name == "tocsin.server.routes.write"] == []

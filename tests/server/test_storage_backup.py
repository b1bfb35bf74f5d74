"""GET /kapacitor/v1/storage/backup: a consistent SQLite copy of the store; admins only; pg_dump for PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from tests.server.conftest import StartApi, engine_of
from tests.support.client import Client
from tests.support.polling import eventually
from tests.support.postgres import fresh_database
from tocsin.auth.bootstrap import bootstrap_admin
from tocsin.server.auth import USERS
from tocsin.store.base import BackupUnsupported
from tocsin.store.postgres import BACKUP_WITH_PG_DUMP, PostgresStore

BACKUP = "/kapacitor/v1/storage/backup"


async def test_the_backup_is_a_copy_of_the_store_and_no_file_is_left_behind(api: Client, tmp_path: Path) -> None:
    r = await api.post(
        "/kapacitor/v1/tasks", json={"id": "t", "script": "stream|from()", "dbrps": [{"db": "d", "rp": "r"}]}
    )
    assert r.status == 200
    response = await api.get(BACKUP)
    assert (response.status, response.headers["Content-Type"]) == (200, "application/octet-stream")
    copy = tmp_path / "copy.db"
    copy.write_bytes(await response.read())
    with sqlite3.connect(copy) as db:
        assert db.execute("SELECT key FROM documents WHERE namespace = 'tasks'").fetchall() == [("t",)]
    data_dir = Path(engine_of(api).config.data_dir)

    async def cleaned() -> bool:  # the handler removes its copy once the answer is out
        names = await asyncio.to_thread(lambda: [p.name for p in data_dir.iterdir()])
        return not any(name.startswith(".backup-") for name in names)

    assert await eventually(cleaned, within=5)


async def test_with_auth_only_an_admin_takes_a_backup(start_api: StartApi) -> None:
    api = await start_api('[http]\nauth-enabled = true\nadmin-user = "root"\nadmin-password = "s3cret-Passw0rd"\n')
    assert api.app is not None
    users = api.app[USERS]
    await bootstrap_admin(users, engine_of(api).config)
    await users.create("ops", "0ps-Passw0rd!", admin=False, permissions=["api"])
    denied = await api.get(BACKUP, params={"u": "ops", "p": "0ps-Passw0rd!"})
    assert (denied.status, (await denied.json())["error"]) == (
        403,
        "user ops is not an admin: only admins may take a backup of the store",
    )
    allowed = await api.get(BACKUP, params={"u": "root", "p": "s3cret-Passw0rd"})
    assert allowed.status == 200
    assert (await allowed.read()).startswith(b"SQLite format 3\x00")


async def test_a_postgresql_store_is_backed_up_with_pg_dump() -> None:
    async with fresh_database() as url:
        store = PostgresStore(url)
        with pytest.raises(BackupUnsupported) as raised:
            await store.backup("/nonexistent/x.db")
    assert str(raised.value) == BACKUP_WITH_PG_DUMP

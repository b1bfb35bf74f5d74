"""The store file locked by another process (a sqlite3 connection holding an EXCLUSIVE transaction longer than
the store's busy_timeout of 5 s): intake answers 503, never 500, and works again once the lock is released."""

from __future__ import annotations

import asyncio
import sys
import time
from asyncio.subprocess import PIPE
from pathlib import Path

from tests.server.conftest import StartApi
from tests.support.sink import HttpSink

LOCKED = "the store cannot accept events right now: database is locked"
HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("COMMIT")
"""


async def test_intake_answers_503_while_locked_and_recovers(
    start_api: StartApi, sink: HttpSink, tmp_path: Path
) -> None:
    api = await start_api('[delivery]\nbackoff-initial = "10ms"\n')
    r = await api.post(
        "/kapacitor/v1/alerts/topics/t/handlers",
        json={"id": "h", "kind": "post", "options": {"url": sink.url + "/hook"}},
    )
    assert r.status == 200
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLDER, str(tmp_path / "tocsin.db"), stdin=PIPE, stdout=PIPE
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert await asyncio.wait_for(holder.stdout.readline(), 10) == b"locked\n"
        started = time.monotonic()
        r = await api.post("/tocsin/v1/events", json={"topic": "t", "id": "a", "level": "CRITICAL"})
        waited = time.monotonic() - started
        assert (r.status, await r.json()) == (503, {"error": LOCKED, "message": LOCKED})
        assert 4.5 < waited < 15, waited  # busy_timeout: the store waits for the lock before giving up
        assert (await (await api.get("/kapacitor/v1/alerts/topics/t")).json())["level"] == "OK"
    finally:
        holder.stdin.write(b"\n")
        holder.stdin.close()
        assert await asyncio.wait_for(holder.wait(), 10) == 0
    r = await api.post("/tocsin/v1/events", json={"topic": "t", "id": "a", "level": "CRITICAL"})
    assert (r.status, await r.json()) == (202, {"accepted": 1})
    (got,) = await sink.wait_for(1)
    assert (got.json()["id"], got.json()["level"], got.json()["previousLevel"]) == ("a", "CRITICAL", "OK")
    assert len(sink.requests) == 1

"""Limits on the TICKscript surfaces: /write bodies (size, gzip bombs, huge lines, slow clients) and scripts."""

from __future__ import annotations

import asyncio
import gzip
import time
import tracemalloc

import pytest

from tests.hardening.conftest import Start
from tocsin.server.routes import write as write_module

TASKS = "/kapacitor/v1/tasks"
DBRPS = [{"db": "db", "rp": "rp"}]
TOO_LARGE = "request body too large: Maximum request body size 1048576 exceeded."


async def test_oversized_write_body_is_413(start: Start) -> None:
    client = await start("[http]\nmax-body-size = 1048576\n")
    resp = await client.post("/write", params={"db": "db"}, data=b"m v=1\n" * 200_000)
    assert (resp.status, (await resp.json())["error"]) == (413, TOO_LARGE)


async def test_a_gzip_bomb_is_413_in_bounded_memory_and_time(start: Start) -> None:
    client = await start("[http]\nmax-body-size = 1048576\n")
    bomb = gzip.compress(b"m v=1\n" * (256 * 1024 * 1024 // 6), compresslevel=9)  # 256 MiB inflated
    assert len(bomb) < 1024 * 1024
    tracemalloc.start()
    began = time.monotonic()
    resp = await client.post("/write", params={"db": "db"}, data=bomb, headers={"Content-Encoding": "gzip"})
    elapsed = time.monotonic() - began
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert (resp.status, (await resp.json())["error"]) == (413, TOO_LARGE)
    assert elapsed < 5 and peak < 24 * 1024 * 1024, (elapsed, peak)


async def test_a_huge_single_line_is_written_in_bounded_time(start: Start) -> None:
    client = await start()
    line = b'm,host=a s="' + b"x" * (8 * 1024 * 1024) + b'" 1'
    began = time.monotonic()
    resp = await client.post("/write", params={"db": "db"}, data=line)
    assert (resp.status, time.monotonic() - began < 5) == (204, True)
    many_fields = b"m " + b",".join(b"f%d=1" % i for i in range(200_000))
    resp = await client.post("/write", params={"db": "db"}, data=many_fields)
    assert (resp.status, time.monotonic() - began < 15) == (204, True)


async def test_a_huge_measurement_name_is_400(start: Start) -> None:
    client = await start()
    resp = await client.post("/write", params={"db": "db"}, data=b"m" * 70_000 + b" v=1 1")
    text = await resp.text()
    assert (resp.status, text.endswith("max key length exceeded: 70000 > 65535\n")) == (400, True), text[-200:]


async def test_a_slow_write_body_gets_408(start: Start, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(write_module, "BODY_TIMEOUT", 0.2)
    client = await start()
    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(b"POST /write?db=db HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nm v=")
    await writer.drain()
    head = await asyncio.wait_for(reader.readline(), timeout=3)
    writer.close()
    assert head == b"HTTP/1.1 408 Request Timeout\r\n"


def _long_chain(n: int) -> str:
    return "stream|from()" + "|log()" * n


@pytest.mark.parametrize(
    ("script", "error"),
    [
        (
            "stream|from()\n// " + "x" * (1 << 20),
            "invalid TICKscript: parser: script too long: 1048593 characters, the limit is 1048576 line 1 char 1",
        ),
        (
            "stream|from().where(lambda: " + "(" * 3000 + "TRUE" + ")" * 3000 + ")",
            "invalid TICKscript: parser: expression nested too deeply line 1 char 61",
        ),
        (
            "stream|from().where(lambda: " + "!" * 3000 + "TRUE)",
            "invalid TICKscript: parser: expression nested too deeply line 1 char 61",
        ),
        (_long_chain(249), "invalid TICKscript: pipeline too deep: 251 nodes in one chain, the limit is 250"),
        (_long_chain(5000), "invalid TICKscript: pipeline too deep: 5002 nodes in one chain, the limit is 250"),
        (
            "stream|from()|eval(lambda: " + " + ".join(['"v"'] * 2000) + ").as('x')",
            "invalid TICKscript: eval2: expression too complex line 1 char 12020",
        ),
    ],
    ids=["script-size", "deep-parentheses", "deep-not", "chain-251", "chain-5000", "lambda-too-complex"],
)
async def test_oversized_scripts_are_400_naming_the_limit(start: Start, script: str, error: str) -> None:
    client = await start()
    for status in ("enabled", "disabled"):
        resp = await client.post(TASKS, json={"id": "t", "script": script, "dbrps": DBRPS, "status": status})
        assert (resp.status, (await resp.json())["error"]) == (400, error)
    resp = await client.post("/kapacitor/v1/templates", json={"id": "t", "script": script})
    assert (resp.status, (await resp.json())["error"]) == (400, error)
    assert (await (await client.get(TASKS)).json()) == {"tasks": []}


async def test_the_deepest_allowed_chain_and_a_long_or_run(start: Start) -> None:
    client = await start()
    long_or = "stream|from().where(lambda: " + " OR ".join(f'"h" == {i}' for i in range(2000)) + ")|log()"
    for task_id, script in (("deep", _long_chain(248)), ("or", long_or)):
        resp = await client.post(TASKS, json={"id": task_id, "script": script, "dbrps": DBRPS, "status": "enabled"})
        assert resp.status == 200, await resp.text()
    assert (await client.post("/write", params={"db": "db", "rp": "rp"}, data=b"m,h=1999 v=1 1")).status == 204
    listed = (await (await client.get(TASKS)).json())["tasks"]
    stats = {t["id"]: t["stats"]["node-stats"] for t in listed}
    assert (stats["deep"]["log249"]["collected"], stats["or"]["log2"]["collected"]) == (1, 0)
    assert stats["or"]["from1"]["errors"] == 1  # "h" is a tag string compared with an int: a node error, logged


@pytest.mark.parametrize(
    ("path", "status", "error"),
    [
        (TASKS, 400, "invalid JSON"),
        ("/kapacitor/v1/templates", 400, "invalid JSON"),
        ("/kapacitor/v1/alerts/topics/t/handlers", 400, "invalid handler json: Expecting value at line 1, column 1"),
        ("/tocsin/v1/handler-files/parse?format=json", 400, None),
    ],
    ids=["tasks", "templates", "handlers", "handler-file"],
)
async def test_bodies_that_are_not_utf8_are_400(start: Start, path: str, status: int, error: str | None) -> None:
    client = await start()
    headers = {"Content-Type": "application/json; charset=no-such-charset"}
    resp = await client.post(path, data=b"\xff\xfe{", headers=headers)
    body = await resp.json()
    assert (resp.status, body["error"] == body["message"]) == (status, True)
    if error is not None:
        assert body["error"] == error

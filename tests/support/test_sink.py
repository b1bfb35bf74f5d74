"""The recording servers themselves: scripting, waiting, and the out-of-process CLI."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path

import aiohttp
import pytest
from yarl import URL

from tests.support.sink import Answer, HttpSink, TcpSink

REPO = Path(__file__).resolve().parents[2]


async def _statuses(url: str, count: int) -> list[int]:
    async with aiohttp.ClientSession() as client:
        out = []
        for i in range(count):
            async with client.post(f"{url}/n/{i}", data=b"x") as resp:
                out.append(resp.status)
        return out


async def test_records_requests_exactly(sink: HttpSink) -> None:
    async with aiohttp.ClientSession() as client:
        headers = [("X-B", "2"), ("x-a", "1"), ("X-B", "3")]
        url = URL(sink.url + "/p%20q?z=1&a=%41", encoded=True)
        async with client.put(url, data=b"\xffraw", headers=headers) as resp:
            assert resp.status == 200
    (got,) = await sink.wait_for(1)
    assert (got.method, got.path, got.query_string, got.body) == ("PUT", "/p%20q", "z=1&a=%41", b"\xffraw")
    assert [h for h in got.headers if h[0].lower().startswith("x-")] == headers
    assert got.to_record()["body_base64"] == "/3Jhdw=="


async def test_scripted_answers_then_default(sink: HttpSink) -> None:
    sink.set_default(202)
    sink.answer(Answer(429, headers=(("Retry-After", "1"),)), Answer(503))
    assert await _statuses(sink.url, 3) == [429, 503, 202]


async def test_fail_ratio_is_seeded(sink: HttpSink) -> None:
    sink.fail_randomly(0.5, seed=3, answer=Answer(502))
    first = await _statuses(sink.url, 20)
    sink.fail_randomly(0.5, seed=3, answer=Answer(502))
    assert await _statuses(sink.url, 20) == first
    assert set(first) == {200, 502}


async def test_hang_holds_the_answer_until_released(sink: HttpSink) -> None:
    sink.hang()
    pending = asyncio.create_task(_statuses(sink.url, 1))
    await sink.wait_for(1)
    await asyncio.sleep(0.05)
    assert not pending.done()
    sink.hang(False)
    assert await pending == [200]


async def test_wait_for_reports_what_arrived(sink: HttpSink) -> None:
    with pytest.raises(AssertionError, match=r"expected 1 requests within 0\.05s, got 0"):
        await sink.wait_for(1, within=0.05)


async def test_tcp_sink(tcp_sink: TcpSink) -> None:
    _, writer = await asyncio.open_connection("127.0.0.1", tcp_sink.port)
    writer.write(b"a\n\n")
    writer.close()
    assert await tcp_sink.wait_for(1) == [b"a\n\n"]
    with pytest.raises(AssertionError, match=r"expected 2 payloads within 0\.05s, got 1"):
        await tcp_sink.wait_for(2, within=0.05)


async def test_cli_records_and_reports_on_sigterm(tmp_path: Path) -> None:
    record = tmp_path / "received.jsonl"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.support.sink",
        "--port",
        "0",
        "--fail-ratio",
        "0.5",
        "--seed",
        "3",
        "--fail-status",
        "502",
        "--record",
        str(record),
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        first = (await asyncio.wait_for(proc.stdout.readline(), 10)).decode()
        assert first.startswith("listening ")
        statuses = await _statuses(f"http://127.0.0.1:{int(first.split()[1])}", 20)
    finally:
        proc.send_signal(signal.SIGTERM)
        rest, _ = await asyncio.wait_for(proc.communicate(), 10)
    assert (proc.returncode, rest) == (0, b"received 20\n")
    in_process = await HttpSink().start()
    in_process.fail_randomly(0.5, seed=3, answer=Answer(502))
    try:
        assert await _statuses(in_process.url, 20) == statuses
    finally:
        await in_process.close()
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert [(r["method"], r["path"], r["body"]) for r in lines] == [("POST", f"/n/{i}", "x") for i in range(20)]

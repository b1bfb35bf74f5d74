"""A compressed body inflates in bounded steps: a gzip bomb gets its 413 without holding the loop or the memory."""

from __future__ import annotations

import asyncio
import gzip
import time
import zlib

import pytest

from tests.hardening.conftest import Start, engine_of

LIMIT = 1 << 20  # [http] max-body-size for these tests: 1 MiB


def bomb(megabytes: int, wbits: int = 31) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    zeros = b"0" * (1 << 20)
    return b"".join(packer.compress(zeros) for _ in range(megabytes)) + packer.flush()


@pytest.mark.parametrize(
    ("path", "encoding", "wbits"),
    [
        ("/write?db=db", "gzip", 31),
        ("/tocsin/v1/events", "gzip", 31),
        ("/tocsin/v1/events", "deflate", 15),
        ("/kapacitor/v1/alerts/topics/t/handlers", "deflate", -15),
    ],
    ids=["write", "events", "events-deflate", "handlers-raw-deflate"],
)
async def test_a_bomb_is_refused_while_the_loop_keeps_running(
    start: Start, path: str, encoding: str, wbits: int
) -> None:
    client = await start(f"[http]\nmax-body-size = {LIMIT}\n")
    body = bomb(200, wbits)  # 200 MiB inflated from ~200 kB
    lags: list[float] = []

    async def probe() -> None:
        while True:
            began = time.monotonic()
            await asyncio.sleep(0.005)
            lags.append(time.monotonic() - began - 0.005)

    task = asyncio.create_task(probe())
    resp = await client.post(path, data=body, headers={"Content-Encoding": encoding})
    await asyncio.sleep(0.05)
    task.cancel()
    assert resp.status == 413
    assert resp.headers.get("Connection", "").lower() == "close"
    # aiohttp's own decoder inflated each network chunk whole: about a second and a half in one step.
    assert max(lags) < 0.2


async def test_compressed_bodies_within_the_limit_are_read(start: Start) -> None:
    client = await start()
    event = b'{"topic":"t","id":"a","level":"CRITICAL","message":"m"}'
    for encoding, data in (("gzip", gzip.compress(event)), ("deflate", zlib.compress(event))):
        resp = await client.post("/tocsin/v1/events", data=data, headers={"Content-Encoding": encoding})
        assert (resp.status, await resp.json()) == (202, {"accepted": 1})
    resp = await client.post("/write?db=db", data=gzip.compress(b"cpu v=1 1"), headers={"Content-Encoding": "gzip"})
    assert resp.status == 204
    assert engine_of(client).topics.get("t") is not None


@pytest.mark.parametrize(
    ("data", "encoding", "text"),
    [
        (b"not gzip at all", "gzip", "invalid request body: gzip: invalid header"),
        (gzip.compress(b'{"a": 1}')[:-12], "gzip", "invalid request body: gzip: unexpected end of the compressed body"),
        (
            b"\x78\x9c garbage",
            "deflate",
            "invalid request body: deflate: Error -3 while decompressing data: invalid stored block lengths",
        ),
        (b"{}", "br", 'invalid request body: unsupported Content-Encoding "br" (gzip and deflate are read)'),
    ],
    ids=["not-gzip", "truncated", "bad-deflate", "unsupported"],
)
async def test_bad_encodings_are_400s(start: Start, data: bytes, encoding: str, text: str) -> None:
    client = await start()
    resp = await client.post("/tocsin/v1/events", data=data, headers={"Content-Encoding": encoding})
    assert (resp.status, (await resp.json())["error"]) == (400, text)

"""Recording servers for tests and benchmarks: an HTTP sink that can be scripted, and a TCP sink.

In-process: `sink = await HttpSink().start()`, then `sink.url`, `sink.answer(Answer(503, ...))`,
`await sink.wait_for(1)`, `sink.requests`, `await sink.close()`.

Out of process (benchmarks, durability tests):
`python -m tests.support.sink --port 0 --fail-ratio 0.5 --seed 7 --record received.jsonl`
prints `listening <port>` once ready, appends one JSON line per request to the record file, and prints
`received <count>` when it gets SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import random
import signal
import ssl
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from aiohttp import web

MAX_BODY = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Recorded:
    """One request exactly as it arrived; headers keep their order, case and repeats."""

    method: str
    path: str
    query_string: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    arrived: float  # time.monotonic()

    def header(self, name: str) -> str | None:
        """The first value of header `name` (case-insensitive), or None."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    def header_values(self, name: str) -> list[str]:
        """Every value of header `name` (case-insensitive), in arrival order."""
        wanted = name.lower()
        return [v for k, v in self.headers if k.lower() == wanted]

    def json(self) -> Any:
        return json.loads(self.body)

    def to_record(self) -> dict[str, Any]:
        """A JSON-able form (body as UTF-8 text when it is, base64 otherwise)."""
        try:
            body: dict[str, str] = {"body": self.body.decode("utf-8")}
        except UnicodeDecodeError:
            body = {"body_base64": base64.b64encode(self.body).decode("ascii")}
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query_string,
            "headers": [list(h) for h in self.headers],
            **body,
            "arrived": self.arrived,
        }


@dataclass(frozen=True, slots=True)
class Answer:
    """What the sink answers to one request."""

    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


@dataclass(slots=True)
class _Script:
    default: Answer = field(default_factory=Answer)
    queue: deque[Answer] = field(default_factory=deque)
    hanging: bool = False
    fail_ratio: float = 0.0
    fail_answer: Answer = field(default_factory=lambda: Answer(500, body=b"sink: scripted failure"))
    rng: random.Random = field(default_factory=lambda: random.Random(0))

    def next_answer(self) -> Answer:
        if self.queue:
            return self.queue.popleft()
        if self.fail_ratio and self.rng.random() < self.fail_ratio:
            return self.fail_answer
        return self.default


class HttpSink:
    """An HTTP server on 127.0.0.1 (random port) that records every request and answers as scripted."""

    def __init__(self, *, status: int = 200) -> None:
        self.requests: list[Recorded] = []
        self.listeners: list[Callable[[Recorded], None]] = []
        self._script = _Script(default=Answer(status))
        self._changed = asyncio.Condition()
        self._released = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.scheme = "http"
        self.host = "127.0.0.1"
        self.port = 0

    async def start(
        self, host: str = "127.0.0.1", port: int = 0, *, ssl_context: ssl.SSLContext | None = None
    ) -> HttpSink:
        """Listen (HTTPS when `ssl_context` is given); port 0 picks a free port."""
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        self.scheme = "https" if ssl_context is not None else "http"
        site = web.TCPSite(self._runner, host, port, ssl_context=ssl_context)
        await site.start()
        self.host = host
        self.port = self._runner.addresses[0][1]
        return self

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, like Go's httptest.Server.URL."""
        return f"{self.scheme}://{self.host}:{self.port}"

    def set_default(self, status: int, *, headers: tuple[tuple[str, str], ...] = (), body: bytes = b"") -> None:
        """The answer for requests that no queued answer or failure covers."""
        self._script.default = Answer(status, headers, body)

    def answer(self, *answers: Answer) -> None:
        """Queue answers for the next requests, in order."""
        self._script.queue.extend(answers)

    def hang(self, on: bool = True) -> None:
        """Never answer (until `hang(False)` or close) — for timeout tests."""
        self._script.hanging = on
        if not on:
            self._released.set()
            self._released = asyncio.Event()

    def fail_randomly(self, ratio: float, *, seed: int = 0, answer: Answer | None = None) -> None:
        """Answer a seeded-random `ratio` of requests with `answer` (default HTTP 500)."""
        self._script.fail_ratio = ratio
        self._script.rng = random.Random(seed)
        if answer is not None:
            self._script.fail_answer = answer

    async def wait_for(self, count: int, within: float = 5.0) -> list[Recorded]:
        """Wait until `count` requests have arrived; fails the test with the count seen on timeout."""
        try:
            async with asyncio.timeout(within), self._changed:
                await self._changed.wait_for(lambda: len(self.requests) >= count)
        except TimeoutError:
            raise AssertionError(f"expected {count} requests within {within}s, got {len(self.requests)}") from None
        return list(self.requests)

    async def close(self) -> None:
        self._released.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        path, _, query = request.raw_path.partition("?")
        recorded = Recorded(
            method=request.method,
            path=path,
            query_string=query,
            headers=tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in request.raw_headers),
            body=body,
            arrived=time.monotonic(),
        )
        self.requests.append(recorded)
        for listener in self.listeners:
            listener(recorded)
        async with self._changed:
            self._changed.notify_all()
        if self._script.hanging:
            await self._released.wait()
        answer = self._script.next_answer()
        return web.Response(status=answer.status, headers=list(answer.headers), body=answer.body)


class TcpSink:
    """A TCP server on 127.0.0.1 that records the bytes of each connection (read until the peer closes)."""

    def __init__(self) -> None:
        self.payloads: list[bytes] = []
        self._changed = asyncio.Condition()
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> TcpSink:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def wait_for(self, count: int, within: float = 5.0) -> list[bytes]:
        """Wait until `count` connections have closed; fails the test with the count seen on timeout."""
        try:
            async with asyncio.timeout(within), self._changed:
                await self._changed.wait_for(lambda: len(self.payloads) >= count)
        except TimeoutError:
            raise AssertionError(f"expected {count} payloads within {within}s, got {len(self.payloads)}") from None
        return list(self.payloads)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        data = await reader.read()
        self.payloads.append(data)
        writer.close()
        async with self._changed:
            self._changed.notify_all()


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.support.sink", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (printed on start)")
    parser.add_argument("--status", type=int, default=200, help="default answer status")
    parser.add_argument("--fail-ratio", type=float, default=0.0, help="share of requests answered --fail-status")
    parser.add_argument("--fail-status", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0, help="seed of the failure RNG")
    parser.add_argument("--hang", action="store_true", help="never answer")
    parser.add_argument("--record", help="append one JSON line per request to this file")
    return parser.parse_args(argv)


async def _serve(args: argparse.Namespace, record: TextIO | None) -> int:
    sink = HttpSink(status=args.status)
    sink.fail_randomly(args.fail_ratio, seed=args.seed, answer=Answer(args.fail_status))
    sink.hang(args.hang)
    if record is not None:
        out = record

        def write(recorded: Recorded) -> None:
            out.write(json.dumps(recorded.to_record()) + "\n")
            out.flush()

        sink.listeners.append(write)
    await sink.start(args.host, args.port)
    print(f"listening {sink.port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    await sink.close()
    print(f"received {len(sink.requests)}", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    if not args.record:
        return asyncio.run(_serve(args, None))
    with open(args.record, "a", encoding="utf-8") as record:
        return asyncio.run(_serve(args, record))


if __name__ == "__main__":
    sys.exit(main())

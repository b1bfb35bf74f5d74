"""Alerts/s through a `post` topic handler with the durable outbox, against bare clients posting the same bodies.

Every path POSTs the same Kapacitor alert JSON bodies to the same aiohttp sink (a separate process), in the
same run, with the same concurrency. The Tocsin path goes through everything an alert goes through in
production except HTTP intake: topic state, match, outbox rows committed to SQLite (WAL, synchronous=full,
group commit) before delivery, the dispatcher, the HTTP transport and the attempt records written back.

Two baselines: a plain aiohttp client (the issue's yardstick), and the lean HTTP/1.1 client Tocsin's
transport uses for plain deliveries, driven bare (so `overhead` is what the outbox and engine cost).

    python benchmarks/delivery.py [--events 20000] [--concurrency 50] [--loop asyncio|uvloop|both]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import aiohttp
from yarl import URL

from tocsin.alert.event import Event, alert_json_line
from tocsin.alert.levels import Level
from tocsin.alert.topics import Derive
from tocsin.config.loader import load_text
from tocsin.server.run import tune_gc
from tocsin.store.sqlite import SqliteStore
from tocsin.transports.http1 import Http1Client, Origin
from tocsin.wiring import assemble

SINK = """
import asyncio, sys
from aiohttp import web
async def hook(request):
    await request.read()
    return web.Response(status=200)
async def main():
    app = web.Application(); app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None); await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0); await site.start()
    print(site._server.sockets[0].getsockname()[1], flush=True)
    await asyncio.Event().wait()
try:
    import uvloop; uvloop.install()
except ImportError:
    pass
asyncio.run(main())
"""

ALERT_IDS = 1000


def events(n: int) -> list[Event]:
    out = []
    for i in range(n):
        level = Level.CRITICAL if (i // ALERT_IDS) % 2 == 0 else Level.OK
        out.append(
            Event(
                topic="bench",
                id=f"host{i % ALERT_IDS}",
                level=level,
                time=1_700_000_000_000_000_000 + i,
                message=f"host{i % ALERT_IDS} cpu is {level.name}",
                details="usage_idle below threshold",
                tags={"host": f"host{i % ALERT_IDS}", "region": "us-west"},
                fields={"usage_idle": 4.5},
                data={
                    "series": [
                        {
                            "name": "cpu",
                            "tags": {"host": f"host{i % ALERT_IDS}"},
                            "columns": ["time", "usage_idle"],
                            "values": [["2023-11-14T22:13:20Z", 4.5]],
                        }
                    ]
                },
            )
        )
    return out


async def bare_client(url: str, bodies: list[bytes], concurrency: int) -> tuple[float, float]:
    """Wall and CPU seconds for a plain aiohttp client to POST every body (the physical limit here)."""
    queue = iter(bodies)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            for body in queue:
                async with session.post(url, data=body, headers={"Content-Type": "application/json"}) as r:
                    await r.read()
                    assert r.status == 200

        start, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - start, time.process_time() - cpu


async def bare_lean(url: str, bodies: list[bytes], concurrency: int) -> tuple[float, float]:
    """Wall and CPU seconds for Tocsin's lean HTTP/1.1 client alone to POST every body."""
    parts = URL(url)
    assert parts.raw_host is not None and parts.port is not None
    origin = Origin(parts.scheme, parts.raw_host, parts.port, True)
    client = Http1Client(cap=64 * 1024)
    queue = iter(bodies)
    headers = (("Content-Type", "application/json"),)

    async def worker() -> None:
        for body in queue:
            answer = await client.request(origin, "POST", parts.raw_path_qs, headers, body)
            assert answer.status == 200

    start, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    took = time.perf_counter() - start, time.process_time() - cpu
    client.close()
    return took


async def through_tocsin(
    url: str, evs: list[Event], concurrency: int, workdir: str, synchronous: str
) -> tuple[float, float, int]:
    """Wall and CPU seconds from the first collect until every delivery is confirmed; the delivered count.

    CPU includes the store's writer thread (process time)."""
    base = load_text(
        f'data_dir = "{workdir}"\n[delivery]\nconcurrency = {concurrency}\n',
        "bench.conf",
        environ={},
    )
    store = SqliteStore(str(Path(workdir) / "tocsin.db"), synchronous)
    engine = assemble(base, store)
    await engine.start()
    await engine.create_handler("bench", {"id": "sink", "kind": "post", "options": {"url": url}})
    batch = 500
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(evs), batch):
        await engine.collect([(e, Derive()) for e in evs[i : i + batch]])
    await engine.wait_idle()
    elapsed, used = time.perf_counter() - start, time.process_time() - cpu
    delivered = int(engine.metrics.delivered.labels("post", "bench/sink")._value.get())
    await engine.stop()
    return elapsed, used, delivered


def run_loop(kind: str, main: Callable[[], Coroutine[Any, Any, dict[str, float]]]) -> dict[str, float]:
    if kind == "uvloop":
        import uvloop

        return uvloop.run(main())
    return asyncio.run(main())


def _other_core() -> None:
    """Run the sink on another core than a benchmark pinned to one (`taskset -c 1`), so they do not compete."""
    mine, every = os.sched_getaffinity(0), set(range(os.cpu_count() or 1))
    if len(mine) == 1 and every - mine:
        os.sched_setaffinity(0, every - mine)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--loop", choices=("asyncio", "uvloop", "both"), default="both")
    parser.add_argument("--synchronous", choices=("full", "normal"), default="full", help="SQLite sync mode")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()

    tune_gc()  # as `tocsin serve` does; applies to both paths alike
    sink = subprocess.Popen([sys.executable, "-c", SINK], stdout=subprocess.PIPE, preexec_fn=_other_core)
    assert sink.stdout is not None
    url = f"http://127.0.0.1:{int(sink.stdout.readline())}/hook"
    evs = events(args.events)
    bodies = [alert_json_line(e) for e in evs]
    results: dict[str, dict[str, float]] = {}
    try:
        for loop in ("asyncio", "uvloop") if args.loop == "both" else (args.loop,):

            async def one() -> dict[str, float]:
                await bare_client(url, bodies[:2000], args.concurrency)  # warm-up: sink, connections
                bare, bare_cpu = await bare_client(url, bodies, args.concurrency)
                lean, lean_cpu = await bare_lean(url, bodies, args.concurrency)
                with tempfile.TemporaryDirectory() as tmp:
                    took, cpu, delivered = await through_tocsin(url, evs, args.concurrency, tmp, args.synchronous)
                assert delivered == len(evs), (delivered, len(evs))
                return {
                    "bare_per_s": len(bodies) / bare,
                    "lean_per_s": len(bodies) / lean,
                    "tocsin_per_s": len(evs) / took,
                    "bare_cpu_us": bare_cpu / len(bodies) * 1e6,
                    "lean_cpu_us": lean_cpu / len(bodies) * 1e6,
                    "tocsin_cpu_us": cpu / len(evs) * 1e6,
                }

            r = run_loop(loop, one)
            r["ratio"] = r["tocsin_per_s"] / r["bare_per_s"]
            r["overhead_ratio"] = r["tocsin_per_s"] / r["lean_per_s"]
            results[loop] = r
    finally:
        sink.kill()
        with contextlib.suppress(Exception):
            sink.wait(5)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(
            f"{args.events} alerts, concurrency {args.concurrency}, SQLite outbox (WAL, synchronous={args.synchronous})"
        )
        print(
            f"{'loop':<9}{'aiohttp/s':>11}{'lean/s':>9}{'tocsin/s':>10}{'ratio':>7}{'vs lean':>9}"
            f"{'CPU µs: aiohttp':>17}{'lean':>6}{'tocsin':>8}"
        )
        for loop, r in results.items():
            print(
                f"{loop:<9}{r['bare_per_s']:>11.0f}{r['lean_per_s']:>9.0f}{r['tocsin_per_s']:>10.0f}"
                f"{r['ratio']:>7.2f}{r['overhead_ratio']:>9.2f}"
                f"{r['bare_cpu_us']:>17.0f}{r['lean_cpu_us']:>6.0f}{r['tocsin_cpu_us']:>8.0f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Delivery throughput of one and of two `tocsin serve` instances sharing one PostgreSQL database, same run.

Each round starts the instances on a fresh database, creates a `post` topic handler through the first one,
then sends the events (1,000 alert IDs, batches of 500) spread evenly over the instances, one sender per
instance, and times from the first POST until the sink (a separate process) has received every event.
Alerts/s = events / that time. Rounds alternate one and two instances; the ratio compares medians.

Two scenarios, because what limits one instance decides what a second one adds:
- `cpu`: a sink that answers at once; one instance, PostgreSQL and the sink share the machine's CPUs, so a
  second instance helps only where CPUs are left over (on 2 vCPUs, none are).
- `endpoint`: a sink that takes `--latency` ms per request, as real webhooks do, and a per-handler
  concurrency of `--endpoint-concurrency`; one instance is bound by its connections, not its CPU.

    python benchmarks/scale.py [--scenario cpu|endpoint|both] [--events 20000] [--rounds 2] [--concurrency 50]
        [--latency 50] [--endpoint-events 4000] [--endpoint-concurrency 8] [--pg URL] [--json]

`--pg` names the PostgreSQL server (any database on it; default $TOCSIN_TEST_PG_URL or the local `postgres`
database); a database `tocsin_bench_<random>` is created for each round and dropped after it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import asyncpg  # type: ignore[import-untyped]

ALERT_IDS = 1000
BATCH = 500
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"

SINK = """
import asyncio, sys
from aiohttp import web
count = 0
latency = float(sys.argv[1]) / 1000
async def hook(request):
    global count
    await request.read()
    if latency:
        await asyncio.sleep(latency)
    count += 1
    return web.Response(status=200)
async def total(request):
    return web.Response(text=str(count))
async def main():
    app = web.Application(); app.router.add_post("/hook", hook); app.router.add_get("/count", total)
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

CONFIG = """data_dir = "{data}"
hostname = "localhost"
[storage]
url = "{url}"
[delivery]
concurrency = {concurrency}
[logging]
level = "WARN"
[http]
bind-address = "127.0.0.1:{port}"
log-enabled = false
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def with_database(server: str, name: str) -> str:
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


def batches(events: int) -> list[list[dict[str, Any]]]:
    out = []
    for start in range(0, events, BATCH):
        out.append(
            [
                {
                    "topic": "bench",
                    "id": f"host{i % ALERT_IDS}",
                    "level": "CRITICAL" if (i // ALERT_IDS) % 2 == 0 else "OK",
                    "message": f"seq={i}",
                    "tags": {"host": f"host{i % ALERT_IDS}", "region": "us-west"},
                    "fields": {"usage_idle": 4.5},
                }
                for i in range(start, min(start + BATCH, events))
            ]
        )
    return out


class Instance:
    """One `tocsin serve` process."""

    def __init__(self, workdir: Path, url: str, concurrency: int) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        workdir.mkdir(parents=True)
        self.config = workdir / "kapacitor.conf"
        self.config.write_text(CONFIG.format(data=workdir, url=url, concurrency=concurrency, port=self.port))
        self.log = workdir / "server.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KAPACITOR_", "TOCSIN_"))}
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tocsin", "serve", "-config", str(self.config)],
                stdout=log,
                stderr=log,
                env=env,
            )

    async def ready(self, http: aiohttp.ClientSession) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"tocsin serve exited:\n{self.log.read_text()}")
            try:
                async with http.get(self.base + "/kapacitor/v1/ping") as r:
                    if r.status == 204:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
        raise RuntimeError(f"tocsin serve did not start:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


async def one_round(
    n: int, args: argparse.Namespace, concurrency: int, sink: str, work: list[list[dict[str, Any]]]
) -> float:
    """Alerts/s with `n` instances on a fresh database."""
    name = f"tocsin_bench_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(args.pg)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = with_database(args.pg, name)
    instances: list[Instance] = []
    try:
        with tempfile.TemporaryDirectory(prefix="tocsin-scale-") as tmp:
            # one after the other: the first start migrates the database
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
                for i in range(n):
                    instances.append(Instance(Path(tmp) / f"i{i}", url, concurrency))
                    await instances[-1].ready(http)
                spec = {"id": "sink", "kind": "post", "options": {"url": sink + "/hook"}}
                async with http.post(instances[0].base + "/kapacitor/v1/alerts/topics/bench/handlers", json=spec) as r:
                    assert r.status == 200, await r.text()
                for inst in instances[1:]:
                    while True:
                        async with http.get(inst.base + "/kapacitor/v1/alerts/topics/bench/handlers/sink") as r:
                            if r.status == 200:
                                break
                        await asyncio.sleep(0.02)
                async with http.get(sink + "/count") as r:
                    before = int(await r.text())
                total = sum(len(b) for b in work)

                async def sender(inst: Instance, mine: list[list[dict[str, Any]]]) -> None:
                    for body in mine:
                        async with http.post(inst.base + "/tocsin/v1/events", json=body) as r:
                            assert r.status == 202, await r.text()

                start = time.perf_counter()
                await asyncio.gather(*(sender(inst, work[i::n]) for i, inst in enumerate(instances)))
                while True:
                    async with http.get(sink + "/count") as r:
                        got = int(await r.text()) - before
                    if got >= total:
                        break
                    await asyncio.sleep(0.01)
                elapsed = time.perf_counter() - start
    finally:
        for inst in instances:
            inst.stop()
        admin = await asyncpg.connect(args.pg)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return total / elapsed


def scenario(name: str, args: argparse.Namespace) -> dict[str, Any]:
    """Rounds of one and two instances against a sink answering after `latency` ms; the medians and ratio."""
    latency, events, concurrency = (
        (0.0, args.events, args.concurrency)
        if name == "cpu"
        else (args.latency, args.endpoint_events, args.endpoint_concurrency)
    )
    sink_proc = subprocess.Popen([sys.executable, "-c", SINK, str(latency)], stdout=subprocess.PIPE)
    assert sink_proc.stdout is not None
    sink = f"http://127.0.0.1:{int(sink_proc.stdout.readline())}"
    work = batches(events)
    rates: dict[int, list[float]] = {1: [], 2: []}
    try:
        for _ in range(args.rounds):
            for n in (1, 2):
                rate = asyncio.run(one_round(n, args, concurrency, sink, work))
                rates[n].append(rate)
                if not args.json:
                    print(f"{name}: {n} instance(s): {rate:,.0f} alerts/s", flush=True)
    finally:
        sink_proc.terminate()
        sink_proc.wait(10)
    one, two = statistics.median(rates[1]), statistics.median(rates[2])
    return {
        "events": events,
        "latency_ms": latency,
        "concurrency": concurrency,
        "one": rates[1],
        "two": rates[2],
        "ratio": two / one,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", choices=("cpu", "endpoint", "both"), default="both")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--latency", type=float, default=50.0, help="ms the endpoint scenario's sink takes")
    parser.add_argument("--endpoint-events", type=int, default=4_000)
    parser.add_argument("--endpoint-concurrency", type=int, default=8)
    parser.add_argument("--pg", default=os.environ.get("TOCSIN_TEST_PG_URL") or DEFAULT_PG)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    names = ("cpu", "endpoint") if args.scenario == "both" else (args.scenario,)
    results = {name: scenario(name, args) for name in names}
    if args.json:
        print(json.dumps({"cpus": os.cpu_count(), **results}))
        return 0
    for name, r in results.items():
        one, two = statistics.median(r["one"]), statistics.median(r["two"])
        print(
            f"{name}: median one {one:,.0f}/s, two {two:,.0f}/s, ratio {r['ratio']:.2f} (goal 1.8)"
            f" on {os.cpu_count()} CPUs"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

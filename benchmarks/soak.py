"""Soak: events at a fixed rate through a real `tocsin serve` process to four handlers at once.

Sinks (all on 127.0.0.1, in this process): a healthy one; a flapping one (answers 500 for --flap-down seconds
every --flap-every seconds); a hung one (never answers; the server's 2 s timeout gives up each attempt); a
rate-limited one (answers 429 with Retry-After: 1 for one second in every --limit-every seconds, and beyond
--limit-per-s requests in any second). Every
event carries its sequence number and send time in its message; the sinks record arrival times.

Reports intake throughput, p50/p99 latency from intake to receipt at the healthy and flapping sinks, the server's
RSS (start, end, peak), the outbox depth over time (GET /metrics, every --sample-every seconds), and, per sink,
events lost (accepted by intake, never confirmed) and duplicates (confirmed more than once).

    python benchmarks/soak.py [--rate 200] [--minutes 2] [--drain 90] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ALERT_IDS = 100
BATCHES_PER_S = 20
CONFIG = """data_dir = "{data}"
hostname = "localhost"
[http]
bind-address = "127.0.0.1:{port}"
log-enabled = false
[logging]
level = "WARN"
[delivery]
timeout = "2s"
backoff-initial = "200ms"
backoff-max = "5s"
max-attempts = 100000
"""
_SEQ = re.compile(r"seq=(\d+) sent=([0-9.]+)")


@dataclass
class Sink:
    """One recording endpoint: `confirmed` holds (seq, send time, arrival time) of every 2xx it answered."""

    name: str
    requests: int = 0
    confirmed: list[tuple[int, float, float]] = field(default_factory=list)


class Sinks:
    def __init__(self, flap_every: float, flap_down: float, limit_every: float, limit_per_s: int) -> None:
        self.healthy, self.flapping = Sink("healthy"), Sink("flapping")
        self.hung, self.limited = Sink("hung"), Sink("rate-limited")
        self.flap_every, self.flap_down = flap_every, flap_down
        self.limit_every, self.limit = limit_every, limit_per_s
        self.started = time.monotonic()
        self.window, self.in_window = 0, 0
        self.release = asyncio.Event()
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/healthy", self._healthy)
        app.router.add_post("/flapping", self._flapping)
        app.router.add_post("/hung", self._hung)
        app.router.add_post("/limited", self._limited)
        self.runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = self.runner.addresses[0][1]

    async def close(self) -> None:
        self.release.set()
        if self.runner is not None:
            await self.runner.cleanup()

    @staticmethod
    async def _record(sink: Sink, request: web.Request) -> None:
        arrived = time.time()
        found = _SEQ.search(json.loads(await request.read())["message"])
        assert found is not None
        sink.confirmed.append((int(found[1]), float(found[2]), arrived))

    async def _healthy(self, request: web.Request) -> web.Response:
        self.healthy.requests += 1
        await self._record(self.healthy, request)
        return web.Response(status=200)

    def flapping_down(self) -> bool:
        return (time.monotonic() - self.started) % self.flap_every >= self.flap_every - self.flap_down

    async def _flapping(self, request: web.Request) -> web.Response:
        self.flapping.requests += 1
        if self.flapping_down():
            return web.Response(status=500, text="flapping: down")
        await self._record(self.flapping, request)
        return web.Response(status=200)

    async def _hung(self, request: web.Request) -> web.Response:
        self.hung.requests += 1
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(60):
                await self.release.wait()
        return web.Response(status=503)

    async def _limited(self, request: web.Request) -> web.Response:
        self.limited.requests += 1
        second = int(time.monotonic())
        if second != self.window:
            self.window, self.in_window = second, 0
        self.in_window += 1
        refusing = (time.monotonic() - self.started) % self.limit_every < 1.0
        if refusing or self.in_window > self.limit:
            return web.Response(status=429, headers={"Retry-After": "1"}, text="slow down")
        await self._record(self.limited, request)
        return web.Response(status=200)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM = peak RSS) of a process in KiB, from /proc/<pid>/status."""
    values: dict[str, int] = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    return values["VmRSS"], values["VmHWM"]


async def outbox_depth(http: aiohttp.ClientSession, url: str) -> int:
    async with http.get(url + "/metrics") as r:
        text = await r.text()
    found = re.search(r"^tocsin_outbox_depth (\S+)$", text, re.M)
    return int(float(found[1])) if found else -1


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def tally(sink: Sink, accepted: set[int]) -> dict[str, Any]:
    counts = Counter(seq for seq, _sent, _arrived in sink.confirmed)
    first: dict[int, float] = {}
    for seq, sent, arrived in sink.confirmed:
        first.setdefault(seq, arrived - sent)
    latencies = [first[s] for s in accepted if s in first]
    return {
        "requests": sink.requests,
        "confirmed": len(counts),
        "missing": len(accepted - counts.keys()),
        "duplicates": sum(n - 1 for n in counts.values()),
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "max_ms": max(latencies, default=float("nan")) * 1000,
    }


def start_server(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`tocsin serve` on a fresh data directory in `workdir` (log in server.log); returns it and its URL."""
    port = free_port()
    conf = workdir / "kapacitor.conf"
    conf.write_text(CONFIG.format(data=workdir / "data", port=port))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAPACITOR_", "TOCSIN_"))}
    with open(workdir / "server.log", "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "tocsin", "serve", "-config", str(conf)], stdout=log, stderr=log, env=env
        )
    return server, f"http://127.0.0.1:{port}"


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)


async def soak(args: argparse.Namespace, server: subprocess.Popen[bytes], url: str) -> dict[str, Any]:
    sinks = Sinks(args.flap_every, args.flap_down, args.limit_every, args.limit_per_s)
    await sinks.start()
    samples: list[tuple[float, int, int]] = []  # (seconds since start, outbox depth, RSS KiB)
    accepted: set[int] = set()
    refused = 0
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
            for _ in range(200):  # ~10 s for the server to answer ping
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(url + "/kapacitor/v1/ping") as r:
                        if r.status == 204:
                            break
                if server.poll() is not None:
                    raise RuntimeError(f"tocsin serve exited with {server.returncode}; see its server.log")
                await asyncio.sleep(0.05)
            else:
                raise RuntimeError("tocsin serve did not answer ping within 10 s")
            for name, path in (
                ("healthy", "healthy"),
                ("flapping", "flapping"),
                ("hung", "hung"),
                ("limited", "limited"),
            ):
                body = {"id": name, "kind": "post", "options": {"url": f"http://127.0.0.1:{sinks.port}/{path}"}}
                async with http.post(url + "/kapacitor/v1/alerts/topics/soak/handlers", json=body) as r:
                    assert r.status == 200, await r.text()
            rss_start, _ = rss_kib(server.pid)
            started = time.monotonic()
            total = int(args.rate * args.minutes * 60)
            per_batch = max(1, args.rate // BATCHES_PER_S)
            interval = per_batch / args.rate

            async def sample_until(stop: asyncio.Event) -> None:
                for _ in range(100_000):
                    samples.append((time.monotonic() - started, await outbox_depth(http, url), rss_kib(server.pid)[0]))
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), args.sample_every)
                    if stop.is_set():
                        return

            stop_sampling = asyncio.Event()
            sampler = asyncio.create_task(sample_until(stop_sampling))
            for n, first in enumerate(range(0, total, per_batch)):
                due = started + n * interval
                if due > time.monotonic():
                    await asyncio.sleep(due - time.monotonic())
                seqs = range(first, min(total, first + per_batch))
                batch = [
                    {
                        "topic": "soak",
                        "id": f"a{s % ALERT_IDS}",
                        "level": "CRITICAL" if s % 2 else "WARNING",
                        "message": f"seq={s} sent={time.time():.6f}",
                    }
                    for s in seqs
                ]
                try:
                    async with http.post(url + "/tocsin/v1/events", json=batch) as r:
                        if r.status == 202:
                            accepted.update(seqs)
                        else:
                            refused += len(seqs)
                except aiohttp.ClientError:
                    refused += len(seqs)
            sent_for = time.monotonic() - started
            # Drain: wait until every sink that can confirm has confirmed everything (bounded by --drain).
            drain_started = time.monotonic()
            for _ in range(int(args.drain * 4)):
                done = all(
                    accepted <= {seq for seq, _s, _a in sink.confirmed}
                    for sink in (sinks.healthy, sinks.flapping, sinks.limited)
                )
                if done:
                    break
                await asyncio.sleep(0.25)
            drained_after = time.monotonic() - drain_started
            stop_sampling.set()
            await sampler
            rss_end, rss_peak = rss_kib(server.pid)
            depth_end = await outbox_depth(http, url)
    finally:
        await sinks.close()
    peak_sampled = max((s[2] for s in samples), default=0)
    return {
        "rate": args.rate,
        "minutes": args.minutes,
        "events_sent": len(accepted) + refused,
        "events_accepted": len(accepted),
        "events_refused": refused,
        "send_seconds": sent_for,
        "intake_per_s": len(accepted) / sent_for,
        "drain_seconds": drained_after,
        "rss_start_mib": rss_start / 1024,
        "rss_end_mib": rss_end / 1024,
        "rss_peak_mib": max(rss_peak, peak_sampled) / 1024,
        "outbox_depth": [(round(t, 1), d) for t, d, _rss in samples],
        "outbox_depth_end": depth_end,
        "sinks": {
            "healthy": tally(sinks.healthy, accepted),
            "flapping": tally(sinks.flapping, accepted),
            "rate-limited": tally(sinks.limited, accepted),
            "hung": {"requests": sinks.hung.requests, "confirmed": 0},
        },
    }


def report(r: dict[str, Any]) -> None:
    print(f"soak: {r['rate']} events/s for {r['minutes']} min through `tocsin serve` (SQLite, synchronous=full)")
    print(
        f"intake: {r['events_accepted']} accepted, {r['events_refused']} refused, "
        f"{r['intake_per_s']:.0f}/s over {r['send_seconds']:.1f} s; drain {r['drain_seconds']:.1f} s"
    )
    print(f"server RSS MiB: start {r['rss_start_mib']:.1f}, end {r['rss_end_mib']:.1f}, peak {r['rss_peak_mib']:.1f}")
    print("outbox depth (s: depth): " + ", ".join(f"{t:g}: {d}" for t, d in r["outbox_depth"]))
    print(f"outbox depth at the end: {r['outbox_depth_end']} (the hung endpoint's deliveries)")
    print(
        f"{'sink':<14}{'requests':>10}{'confirmed':>11}{'missing':>9}{'dups':>6}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
    )
    for name, s in r["sinks"].items():
        if name == "hung":
            print(f"{name:<14}{s['requests']:>10}{s['confirmed']:>11}")
            continue
        print(
            f"{name:<14}{s['requests']:>10}{s['confirmed']:>11}{s['missing']:>9}{s['duplicates']:>6}"
            f"{s['p50_ms']:>9.1f}{s['p99_ms']:>9.1f}{s['max_ms']:>9.1f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=int, default=200, help="events per second")
    parser.add_argument("--minutes", type=float, default=2.0, help="how long to send (0.5 for a quick run)")
    parser.add_argument("--drain", type=float, default=90.0, help="seconds to wait for the sinks to catch up")
    parser.add_argument("--sample-every", type=float, default=5.0, help="seconds between outbox/RSS samples")
    parser.add_argument("--flap-every", type=float, default=20.0)
    parser.add_argument("--flap-down", type=float, default=4.0)
    parser.add_argument("--limit-every", type=float, default=10.0, help="the rate-limited sink refuses 1 s in N")
    parser.add_argument("--limit-per-s", type=int, default=400, help="most the rate-limited sink accepts per s")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args, ignored = parser.parse_known_args()
    if ignored:
        print(f"soak: ignoring arguments meant for other benchmarks: {' '.join(ignored)}", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        server, url = start_server(Path(tmp))
        try:
            result = asyncio.run(soak(args, server, url))
        finally:
            stop_server(server)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        report(result)
    bad = any(s.get("missing") or s.get("duplicates") for s in result["sinks"].values())
    return 1 if bad or result["events_refused"] else 0


if __name__ == "__main__":
    sys.exit(main())

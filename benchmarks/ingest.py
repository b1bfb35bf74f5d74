"""Points/s through `POST /write` into a `stream|from|where|alert` task, against the bare parse rates.

One run, one body of Telegraf-like `cpu` lines (tags cpu/host/region, ten float fields, ns timestamps):

  (a) the C parser `line_protocol_parser.parse_line`, line by line (the yardstick for a fast parser);
  (b) Tocsin's `parse_points` on the whole body (the "bare parse rate");
  (d) the same task driven in-process through `TaskService.write` with pre-parsed points (pipeline alone);
  (c) end to end: a `tocsin serve` process pinned to one core receives the body as `/write?db=telegraf&rp=autogen`
      requests of `--batch` lines, one at a time as Telegraf sends them, from a client pinned to another core.

The task keeps most points (`where`) and alerts on `usage_idle < 5`, which about `--crit` of the points hit, so
alerts (to a `log` handler, through the durable outbox) are rare but real. CPU µs per point for (c) is the
server process's CPU time (all its threads) over the run. (a), (b) and (d) run in this process, on one core.

    python benchmarks/ingest.py [--lines 100000] [--batch 5000] [--crit 0.002] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import line_protocol_parser  # type: ignore[import-untyped]

from tocsin.config.loader import load_text
from tocsin.lineprotocol import parse_points
from tocsin.points import Point
from tocsin.server.run import tune_gc
from tocsin.store.sqlite import SqliteStore
from tocsin.wiring import assemble, tasks_of

FIELDS = (
    "usage_user",
    "usage_system",
    "usage_idle",
    "usage_nice",
    "usage_iowait",
    "usage_irq",
    "usage_softirq",
    "usage_steal",
    "usage_guest",
    "usage_guest_nice",
)
REGIONS = ("us-west", "us-east", "eu-central")
HOST_KINDS = ("web", "db", "cache", "test")  # `where` drops the `test` hosts
SCRIPT = """stream
    |from()
        .measurement('cpu')
        .groupBy('host', 'cpu')
    |where(lambda: "host" !~ /^test-/)
    |alert()
        .crit(lambda: "usage_idle" < 5)
        .log('{log}')
"""
TICKS = os.sysconf("SC_CLK_TCK")


def telegraf_body(lines: int, crit: float, seed: int = 1) -> bytes:
    """`lines` cpu lines: 40 hosts × 8 cpus per timestamp (10 s apart); about `crit` of them with usage_idle < 5."""
    rng = random.Random(seed)
    series = [
        (f"cpu{c}", f"{HOST_KINDS[h % len(HOST_KINDS)]}-{h:02d}", REGIONS[h % len(REGIONS)])
        for h in range(40)
        for c in range(8)
    ]
    out = []
    t = 1_700_000_000_000_000_000
    for i in range(lines):
        cpu, host, region = series[i % len(series)]
        if i % len(series) == 0:
            t += 10_000_000_000
        values = [rng.uniform(0, 20) for _ in FIELDS]
        values[2] = rng.uniform(0, 5) if rng.random() < crit else rng.uniform(5, 100)
        fields = ",".join(f"{name}={value!r}" for name, value in zip(FIELDS, values, strict=True))
        out.append(f"cpu,cpu={cpu},host={host},region={region} {fields} {t}")
    return ("\n".join(out) + "\n").encode()


def batches(body: bytes, size: int) -> list[bytes]:
    """The body cut into requests of `size` lines."""
    lines = body.splitlines(keepends=True)
    return [b"".join(lines[i : i + size]) for i in range(0, len(lines), size)]


def best(runs: int, fn: Any) -> float:
    """The fastest of `runs` timings (seconds) of `fn()`."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def c_parse(body: bytes) -> None:
    parse = line_protocol_parser.parse_line
    for line in body.decode().splitlines():
        parse(line)


def tocsin_parse(chunks: list[bytes]) -> None:
    for chunk in chunks:
        parse_points(chunk, database="telegraf", retention_policy="autogen")


async def in_process(chunks: list[bytes], workdir: str, log_path: str, runs: int) -> tuple[float, float, int]:
    """Best seconds and CPU seconds (of that run) for TaskService.write over pre-parsed points; alerts triggered."""
    base = load_text(
        f'data_dir = "{workdir}"\nhostname = "bench"\n[logging]\nlevel = "ERROR"\n'
        f'[log]\nallowed-dirs = ["{workdir}"]\n',
        "bench.conf",
        environ={},
    )
    engine = assemble(base, SqliteStore(str(Path(workdir) / "tocsin.db")))
    await engine.start()
    try:
        await tasks_of(engine).create_task(
            {
                "id": "cpu_alert",
                "script": SCRIPT.format(log=log_path),
                "status": "enabled",
                "dbrps": [{"db": "telegraf", "rp": "autogen"}],
            }
        )
        results = []
        for _ in range(runs):
            parsed: list[list[Point]] = [
                parse_points(c, database="telegraf", retention_policy="autogen") for c in chunks
            ]
            start, cpu = time.perf_counter(), time.process_time()
            for points in parsed:
                await tasks_of(engine).write(points)
            await engine.wait_idle()  # the alerts' deliveries are part of the cost, as over HTTP
            results.append((time.perf_counter() - start, time.process_time() - cpu))
        took, used = min(results)
        return took, used, alerts(tasks_of(engine).runtime.stats("cpu_alert")["node-stats"])
    finally:
        await engine.stop(1.0)


def alerts(node_stats: dict[str, Any]) -> int:
    """The alert node's alerts_triggered."""
    return sum(int(v["alerts_triggered"]) for k, v in node_stats.items() if k.startswith("alert"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (every thread), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class Client:
    """A keep-alive HTTP/1.1 client, one request at a time (as one Telegraf output flushes)."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        headers = {
            "Content-Type": "application/json" if method != "POST" or path.startswith("/kapacitor") else "text/plain"
        }
        self.conn.request(method, path, body=body, headers=headers)
        answer = self.conn.getresponse()
        return answer.status, answer.read()


def start_server(workdir: str, core: int | None) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    conf = Path(workdir) / "tocsin.conf"
    conf.write_text(
        f'data_dir = "{workdir}"\nhostname = "bench"\n[http]\nbind-address = "127.0.0.1:{port}"\n'
        f'log-enabled = false\n[logging]\nlevel = "ERROR"\n[log]\nallowed-dirs = ["{workdir}"]\n'
    )
    server = subprocess.Popen([sys.executable, "-m", "tocsin", "serve", "-config", str(conf)])
    if core is not None:
        os.sched_setaffinity(server.pid, {core})
    deadline = time.monotonic() + 30
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return server, port
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("tocsin serve did not start")
        time.sleep(0.05)


def through_http(
    chunks: list[bytes], workdir: str, log_path: str, core: int | None, runs: int
) -> tuple[float, float, int]:
    """Best seconds and the server's CPU seconds (of that run) to POST every chunk; the alerts triggered."""
    server, port = start_server(workdir, core)
    try:
        client = Client(port)
        status, text = client.request(
            "POST",
            "/kapacitor/v1/tasks",
            json.dumps(
                {
                    "id": "cpu_alert",
                    "script": SCRIPT.format(log=log_path),
                    "status": "enabled",
                    "dbrps": [{"db": "telegraf", "rp": "autogen"}],
                }
            ).encode(),
        )
        assert status == 200, (status, text)
        path = "/write?db=telegraf&rp=autogen"
        for chunk in chunks[:2]:  # warm-up: connection, caches, alert state of every group
            status, text = client.request("POST", path, chunk)
            assert status == 204, (status, text)
        results = []
        for _ in range(runs):
            cpu, start = cpu_seconds(server.pid), time.perf_counter()
            for chunk in chunks:
                status, text = client.request("POST", path, chunk)
                assert status == 204, (status, text)
            results.append((time.perf_counter() - start, cpu_seconds(server.pid) - cpu))
        status, text = client.request("GET", "/kapacitor/v1/tasks/cpu_alert")
        took, used = min(results)
        return took, used, alerts(json.loads(text)["stats"]["node-stats"])
    finally:
        server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(10)
        if server.poll() is None:
            server.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5_000, help="lines per /write request")
    parser.add_argument("--crit", type=float, default=0.002, help="share of points with usage_idle < 5")
    parser.add_argument("--runs", type=int, default=5, help="timed repetitions; the best is reported")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()

    cores = sorted(os.sched_getaffinity(0))
    server_core = cores[0] if len(cores) > 1 else None
    client_core = cores[1] if len(cores) > 1 else cores[0]
    os.sched_setaffinity(0, {client_core})
    tune_gc()  # as `tocsin serve` does, so (b) and (d) run with the server's collector settings
    body = telegraf_body(args.lines, args.crit)
    chunks = batches(body, args.batch)
    n = args.lines

    c_s = best(args.runs, lambda: c_parse(body))
    parse_s = best(args.runs, lambda: tocsin_parse(chunks))
    with tempfile.TemporaryDirectory() as tmp:
        pipe_s, pipe_cpu, pipe_alerts = asyncio.run(in_process(chunks, tmp, str(Path(tmp) / "alerts.log"), args.runs))
    with tempfile.TemporaryDirectory() as tmp:
        http_s, http_cpu, http_alerts = through_http(chunks, tmp, str(Path(tmp) / "alerts.log"), server_core, args.runs)
    r: dict[str, Any] = {
        "lines": n,
        "batch": args.batch,
        "c_parse_per_s": n / c_s,
        "parse_per_s": n / parse_s,
        "pipeline_per_s": n / pipe_s,
        "http_per_s": n / http_s,
        "http_vs_parse": parse_s / http_s,
        "http_vs_c_parse": c_s / http_s,
        "parse_vs_c_parse": c_s / parse_s,
        "c_parse_cpu_us": c_s / n * 1e6,
        "parse_cpu_us": parse_s / n * 1e6,
        "pipeline_cpu_us": pipe_cpu / n * 1e6,
        "http_cpu_us": http_cpu / n * 1e6,
        "alerts_in_process": pipe_alerts,
        "alerts_http": http_alerts,
        "server_pinned": server_core is not None,
    }
    if args.json:
        print(json.dumps(r, indent=2))
        return 0
    pinned = f"server on core {server_core}, client on core {client_core}" if server_core is not None else "1 core"
    print(f"{n} telegraf cpu lines, {args.batch} per /write, stream|from|where|alert; best of {args.runs}; {pinned}")
    print(f"{'path':<34}{'points/s':>11}{'µs/point':>10}{'vs parse':>10}{'vs C':>7}")
    rows = (
        ("(a) C line_protocol_parser", r["c_parse_per_s"], r["c_parse_cpu_us"], c_s),
        ("(b) tocsin parse_points", r["parse_per_s"], r["parse_cpu_us"], parse_s),
        ("(d) TaskService.write (no parse)", r["pipeline_per_s"], r["pipeline_cpu_us"], pipe_s),
        ("(c) POST /write end to end", r["http_per_s"], r["http_cpu_us"], http_s),
    )
    for label, rate, us, took in rows:
        print(f"{label:<34}{rate:>11.0f}{us:>10.2f}{parse_s / took:>10.2f}{c_s / took:>7.2f}")
    print(f"alerts triggered: {pipe_alerts} in-process, {http_alerts} over HTTP (every run; HTTP also the warm-up)")
    print(f"goal (c)/(b) >= 0.5: {r['http_vs_parse']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

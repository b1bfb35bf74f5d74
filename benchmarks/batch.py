"""Batch tasks against a local InfluxDB 1.x: queries/s and rows/s through `batch|query` and on into the task,
against a bare aiohttp client sending the same statements to the same InfluxDB in the same run.

influxd (Debian's `influxdb`, scripts/peers/influxdb.sh) runs pinned to one core with `--hosts` series of one
point a second over the last ten minutes; this process is pinned to the other. Two query shapes:

  aggregate: `SELECT mean(usage_idle) FROM cpu GROUP BY time(1m), host` over 10 minutes (one row per host and
             minute, one batch per host), as a typical alert query;
  raw:       `SELECT usage_idle, usage_user FROM cpu GROUP BY host` over 10 minutes (600 rows per host).

For each shape and round: the bare client sends `--queries` statements one after another (`epoch=ns`, the answer
parsed with orjson, as Tocsin's client does), then the task's query node runs as many ticks (each one the same
statement, its answer turned into batches and pushed through `|mean()|alert()` or `|count()|alert()`). Medians
of `--rounds` rounds; the ratio is Tocsin's rate over the bare client's.

    python benchmarks/batch.py [--hosts 100] [--queries 30] [--rounds 5] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.support.influxd: the suite's influxd

from tests.support.influxd import Influxd

from tocsin.config.loader import load_text
from tocsin.engine.engine import Engine
from tocsin.store.sqlite import SqliteStore
from tocsin.tasks.nodes.query import QueryNode
from tocsin.wiring import assemble, tasks_of

S = 1_000_000_000
SHAPES = {
    "aggregate": (
        'SELECT mean(usage_idle) FROM "bench"."autogen"."cpu"',
        ".groupBy(time(1m), 'host')",
        "|mean('mean')",
    ),
    "raw": ('SELECT usage_idle, usage_user FROM "bench"."autogen"."cpu"', ".groupBy('host')", "|count('usage_idle')"),
}


def fill(influxd: Influxd, hosts: int, now: int) -> None:
    """One point a second per host over the last ten minutes."""
    start = now - 600 * S
    for first in range(0, 600, 60):
        lines = [
            f"cpu,host=h{h:04d} usage_idle={50 + (h + t) % 40}.5,usage_user={(h * t) % 30}.25 {start + t * S}"
            for t in range(first, first + 60)
            for h in range(hosts)
        ]
        influxd.write("bench", "\n".join(lines) + "\n")


async def bare(url: str, statement: str, queries: int) -> tuple[float, int]:
    """Seconds for `queries` statements and the rows of one answer."""
    rows = 0
    async with aiohttp.ClientSession() as session:
        begun = time.perf_counter()
        for _ in range(queries):
            async with session.post(url + "/query", params={"q": statement, "epoch": "ns"}) as response:
                answer = orjson.loads(await response.read())
            rows = sum(len(s["values"]) for r in answer["results"] for s in r.get("series", []))
        return time.perf_counter() - begun, rows


async def start_engine(influxd: Influxd, data: str) -> Engine:
    conf = (
        f'data_dir = "{data}"\nhostname = "localhost"\n[stats]\nenabled = false\n'
        f'[[influxdb]]\nname = "local"\nurls = ["{influxd.url}"]\ndisable-subscriptions = true\n'
    )
    engine = assemble(load_text(conf, "bench.conf", environ={}), SqliteStore(f"{data}/tocsin.db"))
    await engine.start()
    return engine


async def tocsin(engine: Engine, shape: str, tick: int, queries: int) -> tuple[float, int, str]:
    """Seconds for `queries` ticks of the task's query node, the rows of one answer, and its statement."""
    text, group_by, reduce = SHAPES[shape]
    script = (
        f'dbrp "bench"."autogen"\nbatch\n    |query(\'{text}\')\n        .period(10m)\n        .every(1h)\n'
        f"        {group_by}\n    {reduce}\n    |alert()\n        .crit(lambda: FALSE)\n"
    )
    service = tasks_of(engine)
    task_id = f"bench_{shape}"
    await service.create_task({"id": task_id, "script": script, "status": "enabled"})
    node = service.runtime.running[task_id].executor.node("query1")
    assert isinstance(node, QueryNode)
    statement = node.statement(tick)[0]
    before = node.points_queried
    begun = time.perf_counter()
    for _ in range(queries):
        await node.query_once(tick)
    elapsed = time.perf_counter() - begun
    rows = (node.points_queried - before) // queries
    assert node.query_errors == 0, node.last_error
    await service.delete_task(task_id)
    return elapsed, rows, statement


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as work:
        influxd = Influxd(Path(work) / "influxdb")
        try:
            cores = sorted(os.sched_getaffinity(0))
            if len(cores) > 1:
                os.sched_setaffinity(influxd.proc.pid, {cores[1]})
                os.sched_setaffinity(0, {cores[0]})
            influxd.query('CREATE DATABASE "bench"')
            now = time.time_ns() // (60 * S) * 60 * S
            fill(influxd, args.hosts, now)
            engine = await start_engine(influxd, work)
            out: dict[str, Any] = {"hosts": args.hosts, "queries": args.queries, "rounds": args.rounds, "shapes": {}}
            try:
                for shape in SHAPES:
                    bare_rates, tocsin_rates, rows_seen = [], [], 0
                    for _ in range(args.rounds):
                        elapsed, rows, statement = await tocsin(engine, shape, now, args.queries)
                        base, base_rows = await bare(influxd.url, statement, args.queries)
                        assert rows == base_rows, (rows, base_rows)
                        rows_seen = rows
                        bare_rates.append(args.queries / base)
                        tocsin_rates.append(args.queries / elapsed)
                    bare_q, tocsin_q = statistics.median(bare_rates), statistics.median(tocsin_rates)
                    out["shapes"][shape] = {
                        "rows_per_query": rows_seen,
                        "bare_queries_per_s": round(bare_q, 1),
                        "tocsin_queries_per_s": round(tocsin_q, 1),
                        "bare_rows_per_s": round(bare_q * rows_seen),
                        "tocsin_rows_per_s": round(tocsin_q * rows_seen),
                        "ratio": round(tocsin_q / bare_q, 2),
                    }
            finally:
                await engine.stop(0.1)
            return out
        finally:
            influxd.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if not Path("/usr/bin/influxd").exists():
        print("batch.py: skipped: /usr/bin/influxd is missing (run scripts/peers/influxdb.sh)")
        return 0
    result = asyncio.run(measure(args))
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{args.hosts} hosts, {args.queries} queries per round, medians of {args.rounds} rounds")
    print(
        f"{'shape':<10} {'rows/query':>10} {'bare q/s':>9} {'Tocsin q/s':>10} {'bare rows/s':>12} "
        f"{'Tocsin rows/s':>13} {'ratio':>6}"
    )
    for shape, row in result["shapes"].items():
        print(
            f"{shape:<10} {row['rows_per_query']:>10,} {row['bare_queries_per_s']:>9,.1f} "
            f"{row['tocsin_queries_per_s']:>10,.1f} {row['bare_rows_per_s']:>12,} {row['tocsin_rows_per_s']:>13,} "
            f"{row['ratio']:>6.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

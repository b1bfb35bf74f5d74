"""Batch tasks and influxDBOut against a real InfluxDB 1.x: queries on a schedule, batches through the nodes,
writes read back with SELECT, failures counted and recovered from."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.server.test_tasks_api import StartTasks, call, start_tasks
from tests.support.client import Client
from tests.support.influxd import Influxd
from tests.support.sink import HttpSink

__all__ = ["start_tasks"]

S = 1_000_000_000
TASKS = "/kapacitor/v1/tasks"


def cluster_conf(influxd: Influxd, extra: str = "") -> str:
    return f'[[influxdb]]\n  name = "local"\n  urls = ["{influxd.url}"]\n  disable-subscriptions = true\n{extra}'


async def until(check: Callable[[], Awaitable[Any]], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        got = await check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


async def node_stats(api: Client, task_id: str, node: str) -> dict[str, Any]:
    status, answer = await call(api, "GET", f"{TASKS}/{task_id}")
    assert status == 200, answer
    stats: dict[str, Any] = answer["stats"]["node-stats"][node]
    return stats


@pytest.fixture
def influx(influxd: Influxd) -> Influxd:
    influxd.query('CREATE DATABASE "telegraf"')
    return influxd


async def test_a_batch_query_raises_an_alert_through_a_post_handler(start_tasks: StartTasks, influx: Influxd) -> None:
    now = time.time_ns()
    influx.write(
        "telegraf",
        "\n".join(f"cpu,cpu=cpu0,host=a usage_idle={v} {now - (5 - i) * S}" for i, v in enumerate((20, 30, 40, 50)))
        + f"\ncpu,cpu=cpu1,host=a usage_idle=90 {now - 2 * S}\n",
    )
    sink = await HttpSink().start()
    try:
        api = await start_tasks(cluster_conf(influx))
        script = (
            'dbrp "telegraf"."autogen"\n\nbatch\n    |query(\'\'\'\n        SELECT mean(usage_idle)\n'
            '        FROM "telegraf"."autogen"."cpu"\n    \'\'\')\n        .period(1m)\n        .every(100ms)\n'
            "        .groupBy('cpu')\n    |alert()\n        .crit(lambda: \"mean\" < 70)\n"
            f"        .post('{sink.url}')\n"
        )
        status, answer = await call(
            api, "POST", TASKS, {"id": "cpu_alert_batch", "script": script, "status": "enabled"}
        )
        assert status == 200, answer
        assert answer["type"] == "batch"
        assert answer["error"] == ""
        body = (await until(lambda: asyncio.sleep(0, sink.requests)))[0].json()
        assert body["id"] == "cpu:cpu=cpu0"  # the default ID: {{ .Name }}:{{ .Group }}
        assert body["level"] == "CRITICAL"
        assert body["data"]["series"] == [
            {"name": "cpu", "tags": {"cpu": "cpu0"}, "columns": ["time", "mean"], "values": [[body["time"], 35.0]]}
        ]
        stats = await node_stats(api, "cpu_alert_batch", "query1")
        assert stats["batches_queried"] >= 2
        assert stats["points_queried"] >= 2
        assert stats["query_errors"] == 0
        status, answer = await call(api, "GET", f"{TASKS}/cpu_alert_batch", **{"dot-view": "attributes"})
        assert 'graph [throughput="' in answer["dot"] and 'batches/s"];' in answer["dot"]
    finally:
        await sink.close()

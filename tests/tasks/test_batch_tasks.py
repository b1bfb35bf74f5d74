"""Batch tasks and influxDBOut against a real InfluxDB 1.x: queries on a schedule, batches through the nodes,
writes read back with SELECT, failures counted and recovered from."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import engine_of
from tests.server.test_tasks_api import StartTasks, call, start_tasks
from tests.support.client import Client
from tests.support.influxd import Influxd
from tests.support.polling import eventually
from tests.support.sink import HttpSink
from tocsin.influxdb.querytext import rfc3339
from tocsin.tasks.nodes.query import QueryNode
from tocsin.wiring import tasks_of

__all__ = ["start_tasks"]

S = 1_000_000_000
TASKS = "/kapacitor/v1/tasks"


def cluster_conf(influxd: Influxd, extra: str = "") -> str:
    return f'[[influxdb]]\n  name = "local"\n  urls = ["{influxd.url}"]\n  disable-subscriptions = true\n{extra}'


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
        body = (await eventually(lambda: asyncio.sleep(0, sink.requests)))[0].json()
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


def running_query(api: Client, task_id: str) -> QueryNode:
    node = tasks_of(engine_of(api)).runtime.running[task_id].executor.node("query1")
    assert isinstance(node, QueryNode)
    return node


# The getting-started guide's batch task (docs.influxdata.com/kapacitor/v1/introduction/getting-started/), verbatim
# but for the log file's directory.
GETTING_STARTED = """dbrp "telegraf"."autogen"

batch
    |query('''
        SELECT mean(usage_idle)
        FROM "telegraf"."autogen"."cpu"
    ''')
        .period(5m)
        .every(5m)
        .groupBy(time(1m), 'cpu')
    |alert()
        .crit(lambda: "mean" < 70)
        .log('{log}')
"""


async def test_the_getting_started_batch_task_runs(start_tasks: StartTasks, influx: Influxd, tmp_path: Path) -> None:
    tick = (time.time_ns() // (60 * S)) * 60 * S  # a run on the minute: its five buckets are whole minutes
    influx.write(
        "telegraf",
        f"cpu,cpu=cpu0 usage_idle=50 {tick - 90 * S}\ncpu,cpu=cpu0 usage_idle=60 {tick - 80 * S}\n"
        f"cpu,cpu=cpu-total usage_idle=95 {tick - 90 * S}\n",
    )
    log_file = tmp_path / "logs" / "batch_alerts.log"
    log_file.parent.mkdir()
    api = await start_tasks(cluster_conf(influx, f'[log]\n  allowed-dirs = ["{log_file.parent}"]\n'))
    script = GETTING_STARTED.format(log=log_file)
    status, answer = await call(api, "POST", TASKS, {"id": "batch_cpu_alert", "script": script, "status": "enabled"})
    assert status == 200, answer
    assert (answer["type"], answer["dbrps"], answer["executing"]) == (
        "batch",
        [{"db": "telegraf", "rp": "autogen"}],
        True,
    )
    await running_query(api, "batch_cpu_alert").query_once(tick)  # the 5m tick, without waiting 5 minutes
    entry = json.loads(await eventually(lambda: asyncio.sleep(0, log_file.exists() and log_file.read_text())))
    minute = tick - 2 * 60 * S
    assert (entry["id"], entry["level"], entry["data"]["series"]) == (
        "cpu:cpu=cpu0",
        "CRITICAL",
        [
            {
                "name": "cpu",
                "tags": {"cpu": "cpu0"},
                "columns": ["time", "mean"],
                "values": [[rfc3339(minute), 55.0]],
            }
        ],
    )
    stats = await node_stats(api, "batch_cpu_alert", "query1")
    assert (stats["batches_queried"], stats["points_queried"], stats["query_errors"]) == (2, 2, 0)


async def test_a_dead_influxdb_is_the_task_s_error_until_it_answers_again(
    start_tasks: StartTasks, influx: Influxd
) -> None:
    now = time.time_ns()
    influx.write("telegraf", f"cpu,cpu=cpu0 usage_idle=50 {now - 5 * S}\n")
    api = await start_tasks(cluster_conf(influx))
    script = (
        'dbrp "telegraf"."autogen"\nbatch\n'
        '    |query(\'SELECT mean(usage_idle) FROM "telegraf"."autogen"."cpu"\')\n        .period(1m)\n'
    )
    status, answer = await call(
        api, "POST", TASKS, {"id": "b", "script": script + "        .every(1h)\n", "status": "enabled"}
    )
    assert status == 200, answer
    query = running_query(api, "b")
    influx.stop()
    await query.query_once(time.time_ns())
    _, task = await call(api, "GET", f"{TASKS}/b")
    assert task["error"] == f"query1: failed to reach InfluxDB: {influx.url}: connection refused"
    stats = task["stats"]["node-stats"]["query1"]
    assert (stats["query_errors"], stats["connect_errors"], stats["batches_queried"]) == (1, 1, 0)
    await asyncio.to_thread(influx.start)
    await query.query_once(time.time_ns())
    _, task = await call(api, "GET", f"{TASKS}/b")
    assert task["error"] == ""
    stats = task["stats"]["node-stats"]["query1"]
    assert (stats["query_errors"], stats["connect_errors"], stats["batches_queried"]) == (1, 1, 1)


async def test_batches_flow_through_eval_where_alert_all_httpout_and_influxdbout(
    start_tasks: StartTasks, influx: Influxd
) -> None:
    tick = time.time_ns() // S * S
    influx.write(
        "telegraf",
        f"disk,host=a,path=/ used=91 {tick - 20 * S}\ndisk,host=a,path=/var used=95 {tick - 10 * S}\n"
        f"disk,host=b,path=/ used=40 {tick - 10 * S}\n",
    )
    api = await start_tasks(cluster_conf(influx))
    script = (
        'dbrp "telegraf"."autogen"\n\nbatch\n'
        '    |query(\'SELECT used, path FROM "telegraf"."autogen"."disk"\')\n'
        "        .period(1m)\n        .every(1h)\n        .groupBy('host')\n"
        "    |eval(lambda: \"used\" / 100.0)\n        .as('ratio')\n        .keep('used', 'path', 'ratio')\n"
        '    |where(lambda: "ratio" > 0.5)\n'
        '    |alert()\n        .crit(lambda: "ratio" > 0.9)\n        .all()\n'
        "    |httpOut('full')\n"
        "    |influxDBOut()\n        .database('telegraf')\n        .measurement('disk_full')\n"
    )
    status, answer = await call(api, "POST", TASKS, {"id": "disks", "script": script, "status": "enabled"})
    assert status == 200, answer
    await running_query(api, "disks").query_once(tick)
    status, out = await call(api, "GET", f"{TASKS}/disks/full")
    assert out == {
        "series": [
            {
                "name": "disk",
                "tags": {"host": "a"},
                "columns": ["time", "path", "ratio", "used"],
                "values": [
                    [rfc3339(tick - 20 * S), "/", 0.91, 91.0],
                    [rfc3339(tick - 10 * S), "/var", 0.95, 95.0],
                ],
            }
        ]
    }
    stats = await node_stats(api, "disks", "alert4")
    assert (stats["crits_triggered"], stats["alerts_triggered"]) == (1, 1)
    status, _ = await call(api, "PATCH", f"{TASKS}/disks", {"status": "disabled"})  # writes what is buffered
    assert status == 200
    series = influx.query('SELECT * FROM "telegraf"."autogen"."disk_full"')["results"][0]["series"]  # type: ignore[index]
    assert series == [
        {
            "name": "disk_full",
            "columns": ["time", "host", "path", "ratio", "used"],
            "values": [
                [rfc3339(tick - 20 * S), "a", "/", 0.91, 91],
                [rfc3339(tick - 10 * S), "a", "/var", 0.95, 95],
            ],
        }
    ]

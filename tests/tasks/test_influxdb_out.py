"""influxDBOut against a real InfluxDB 1.x: what it writes is read back with SELECT; its counters are InfluxDB's."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.server.test_tasks_api import StartTasks, call, error, start_tasks
from tests.support.client import Client
from tests.support.influxd import Influxd
from tests.support.polling import eventually
from tests.tasks.test_batch_tasks import cluster_conf, node_stats

__all__ = ["start_tasks"]

TASKS = "/kapacitor/v1/tasks"
T = 1_700_000_000  # 2023-11-14T22:13:20Z


async def define(api: Client, task_id: str, script: str) -> dict[str, Any]:
    status, answer = await call(
        api,
        "POST",
        TASKS,
        {"id": task_id, "script": script, "status": "enabled", "dbrps": [{"db": "db", "rp": "rp"}]},
    )
    assert status == 200, answer
    assert isinstance(answer, dict)
    return answer


async def write(api: Client, body: str) -> None:
    response = await api.post("/write", params={"db": "db", "rp": "rp", "precision": "s"}, data=body)
    assert (response.status, await response.text()) == (204, "")


def rows(influxd: Influxd, query: str) -> Any:
    answer = influxd.query(query)
    return answer["results"][0].get("series")  # type: ignore[index]


async def test_points_are_written_with_the_node_s_measurement_tags_and_precision(
    start_tasks: StartTasks, influxd: Influxd
) -> None:
    influxd.query('CREATE DATABASE "out"')
    api = await start_tasks(cluster_conf(influxd))
    await define(
        api,
        "copy",
        "stream|from().measurement('cpu')\n"
        "    |influxDBOut().database('out').retentionPolicy('autogen').measurement('copied')"
        ".tag('source', 'tocsin').tag('host', 'overridden').precision('s').buffer(2)\n",
    )
    await write(api, f'cpu,host=a value=1.5,n=3i,ok=true,note="x y" {T}\ncpu,host=b value=2 {T + 1}')

    async def written() -> Any:
        return (await node_stats(api, "copy", "influxdb_out2"))["points_written"] == 2

    await eventually(written)
    assert rows(influxd, 'SELECT * FROM "out"."autogen"."copied"') == [
        {
            "name": "copied",
            "columns": ["time", "host", "n", "note", "ok", "source", "value"],
            "values": [
                ["2023-11-14T22:13:20Z", "overridden", 3, "x y", True, "tocsin", 1.5],
                ["2023-11-14T22:13:21Z", "overridden", None, None, None, "tocsin", 2],
            ],
        }
    ]
    assert (await node_stats(api, "copy", "influxdb_out2"))["write_errors"] == 0


async def test_create_makes_the_database_and_its_retention_policy(start_tasks: StartTasks, influxd: Influxd) -> None:
    api = await start_tasks(cluster_conf(influxd))
    await define(
        api,
        "made",
        "stream|from()\n    |influxDBOut().create().database('fresh').retentionPolicy('weekly').buffer(1)\n",
    )
    await write(api, f"m value=1 {T}")

    async def written() -> Any:
        return (await node_stats(api, "made", "influxdb_out2"))["points_written"] == 1

    await eventually(written)
    assert rows(influxd, 'SHOW RETENTION POLICIES ON "fresh"') == [
        {
            "columns": ["name", "duration", "shardGroupDuration", "replicaN", "default"],
            "values": [["weekly", "0s", "168h0m0s", 1, True]],
        }
    ]
    assert rows(influxd, 'SELECT * FROM "fresh"."weekly"."m"') == [
        {"name": "m", "columns": ["time", "value"], "values": [["2023-11-14T22:13:20Z", 1]]}
    ]


async def test_a_refused_write_counts_as_write_errors_and_is_not_retried(
    start_tasks: StartTasks, influxd: Influxd
) -> None:
    influxd.query('CREATE DATABASE "out"')
    influxd.write("out", f"m value=1i {T}000000000\n")  # value is an integer field now
    api = await start_tasks(cluster_conf(influxd))
    await define(api, "conflict", "stream|from()\n    |influxDBOut().database('out').buffer(2)\n")
    await write(api, f"m value=2.5 {T + 1}\nm other=1 {T + 2}")  # one conflicts, one fits: a partial write

    async def refused() -> Any:
        return await node_stats(api, "conflict", "influxdb_out2")

    stats = await eventually(lambda: _when(refused, lambda s: s["write_errors"] == 1))
    assert (stats["points_written"], stats["write_errors"]) == (1, 1)
    assert rows(influxd, 'SELECT * FROM "out"."autogen"."m"') == [
        {
            "name": "m",
            "columns": ["time", "other", "value"],
            "values": [["2023-11-14T22:13:20Z", None, 1], ["2023-11-14T22:13:22Z", 1, None]],
        }
    ]


async def test_a_write_while_influxdb_is_down_is_retried_until_it_is_back(
    start_tasks: StartTasks, influxd: Influxd
) -> None:
    influxd.query('CREATE DATABASE "out"')
    api = await start_tasks(cluster_conf(influxd))
    await define(api, "later", "stream|from()\n    |influxDBOut().database('out').buffer(1)\n")
    influxd.stop()
    await write(api, f"m value=1 {T}")
    await asyncio.sleep(0.8)  # the first attempt and one retry fail
    assert (await node_stats(api, "later", "influxdb_out2"))["points_written"] == 0
    await asyncio.to_thread(influxd.start)

    async def written() -> Any:
        return (await node_stats(api, "later", "influxdb_out2"))["points_written"] == 1

    await eventually(written, within=15)
    assert rows(influxd, 'SELECT * FROM "out"."autogen"."m"') == [
        {"name": "m", "columns": ["time", "value"], "values": [["2023-11-14T22:13:20Z", 1]]}
    ]


async def test_a_task_with_influxdb_out_does_not_start_without_a_cluster(start_tasks: StartTasks) -> None:
    api = await start_tasks()
    status, answer = await call(
        api,
        "POST",
        TASKS,
        {
            "id": "nowhere",
            "script": "stream|from()\n    |influxDBOut().database('out')\n",
            "status": "enabled",
            "dbrps": [{"db": "db", "rp": "rp"}],
        },
    )
    message = (
        "failed to create influxdb_out2 node: no InfluxDB cluster is enabled: configure one in [[influxdb]] of "
        "kapacitor.conf"
    )
    assert (status, answer) == (500, error(message))  # Kapacitor's answer when an enabled task cannot start


async def _when(get: Any, ok: Any) -> Any:
    value = await get()
    return value if ok(value) else None


@pytest.mark.parametrize(
    ("prop", "message"),
    [
        (".precision('x')", "influxdb_out2.precision: invalid precision 'x', must be one of n, u, ms, s, m, h"),
        (".writeConsistency('most')", "influxdb_out2.writeConsistency: 'most' is not one of any, one, quorum, all"),
        (".buffer(0)", "influxdb_out2.buffer: must be a positive number of points, got 0"),
    ],
)
async def test_bad_properties_keep_the_task_from_starting(
    start_tasks: StartTasks, influxd: Influxd, prop: str, message: str
) -> None:
    api = await start_tasks(cluster_conf(influxd))
    body = {"id": "bad", "script": f"stream|from()\n    |influxDBOut().database('out'){prop}\n", "status": "enabled"}
    status, answer = await call(api, "POST", TASKS, {**body, "dbrps": [{"db": "db", "rp": "rp"}]})
    assert (status, answer) == (500, error(f"failed to create influxdb_out2 node: {message}"))

"""`[stats]` against a real influxd: what is written is what the running task's statistics say."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.support.client import Client
from tests.support.influxd import Influxd
from tests.support.server import free_port
from tocsin.config.loader import load_text
from tocsin.engine.engine import Engine
from tocsin.server.app import build_app
from tocsin.server.keys import ENGINE
from tocsin.stats.gather import Statistic, gather
from tocsin.stats.service import NO_CLUSTER, StatsService
from tocsin.store.sqlite import SqliteStore
from tocsin.wiring import assemble, tasks_of

Start = Callable[[str], Awaitable[Client]]

SCRIPT = """\
stream
  |from()
    .measurement('cpu')
  |alert()
    .crit(lambda: "v" > 1)
    .topic('cpu')
"""
POINTS = "cpu,host=a v=2 1000000000\ncpu,host=a v=0 2000000000\nmem,host=a v=1 3000000000\n"


def cluster(url: str, extra: str = "") -> str:
    return f'[[influxdb]]\nname = "local"\nurls = ["{url}"]\ndisable-subscriptions = true\n{extra}'


@pytest.fixture
async def start(tmp_path: Path) -> AsyncIterator[Start]:
    clients: list[Client] = []

    async def run(conf: str) -> Client:
        base = load_text(f'data_dir = "{tmp_path}"\nhostname = "tocsin-test"\n{conf}', "test.conf", environ={})
        engine = assemble(base, SqliteStore(str(tmp_path / "tocsin.db")))
        await engine.start()
        client = TestClient(TestServer(build_app(engine)))
        await client.start_server()
        clients.append(client)
        return client

    yield run
    for client in clients:
        engine = engine_of(client)
        await client.close()
        await engine.stop(0.1)


def engine_of(client: Client) -> Engine:
    assert client.app is not None
    return client.app[ENGINE]


def stats_service(engine: Engine) -> StatsService:
    (service,) = [s for s in engine.services if isinstance(s, StatsService)]
    return service


async def run_task(client: Client) -> None:
    task = {"id": "cpu", "dbrps": [{"db": "telegraf", "rp": "autogen"}], "script": SCRIPT, "status": "enabled"}
    r = await client.post("/kapacitor/v1/tasks", json=task)
    assert r.status == 200, await r.text()
    r = await client.post("/kapacitor/v1/write?db=telegraf&rp=autogen", data=POINTS)
    assert r.status == 204, await r.text()
    assert [t.collected for t in engine_of(client).topics.list()] == [2]  # the crit and its recovery


def query(server: Influxd, q: str) -> Any:
    """The statement's one result."""
    results: list[Any] = server.query(q)["results"]  # type: ignore[assignment]
    (result,) = results
    return result


def rows(server: Influxd, measurement: str, database: str = "_kapacitor", rp: str = "autogen") -> list[dict[str, Any]]:
    """Every row of the measurement, its columns by name (time and the fields it lacks left out)."""
    result = query(server, f'SELECT * FROM "{database}"."{rp}"."{measurement}"')
    out = []
    for series in result.get("series", []):
        for values in series["values"]:
            row = dict(zip(series["columns"], values, strict=True))
            out.append({k: v for k, v in row.items() if k != "time" and v is not None})
    return out


def expected(stats: list[Statistic], name: str) -> list[dict[str, Any]]:
    return [{**s.tags, **s.values} for s in stats if s.name == name]


def by_tags(items: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    return sorted(items, key=lambda row: tuple(str(row.get(k, "")) for k in keys))


async def test_report_writes_what_the_running_task_statistics_say(start: Start, influxd: Influxd) -> None:
    client = await start(cluster(influxd.url) + '[stats]\nstats-interval = "1h"\n')
    engine = engine_of(client)
    await run_task(client)
    stats = gather(engine, tasks_of(engine))  # what report gathers first: the same figures but uptime
    assert await stats_service(engine).report()
    ids = {"cluster_id": engine.identity.cluster_id, "server_id": engine.identity.server_id, "host": "tocsin-test"}

    ingress = by_tags(rows(influxd, "ingress"), "measurement")
    assert ingress == by_tags(expected(stats, "ingress"), "measurement")
    assert ingress == [
        {"task_master": "main", "database": "telegraf", "retention_policy": "autogen", "measurement": m, **ids,
         "points_received": n}
        for m, n in (("cpu", 2), ("mem", 1))
    ]  # fmt: skip

    edges = by_tags(rows(influxd, "edges"), "parent", "child")
    assert edges == by_tags(expected(stats, "edges"), "parent", "child")
    assert [(e["parent"], e["child"], e["type"], e["task"], e["collected"], e["emitted"]) for e in edges] == [
        ("from1", "alert2", "stream", "cpu", 2, 2),
        ("stream", "stream0", "stream", "cpu", 3, 3),
        ("stream0", "from1", "stream", "cpu", 3, 3),
    ]

    nodes = by_tags(rows(influxd, "nodes"), "node")
    assert nodes == by_tags(expected(stats, "nodes"), "node")
    assert [(n["node"], n["kind"], n["type"], n["task"]) for n in nodes] == [
        ("alert2", "alert", "stream", "cpu"),
        ("from1", "from", "stream", "cpu"),
        ("stream0", "stream", "stream", "cpu"),
    ]
    alert = nodes[0]
    assert (alert["alerts_triggered"], alert["crits_triggered"], alert["oks_triggered"], alert["errors"]) == (
        2,
        1,
        1,
        0,
    )
    assert all("collected" not in n and "emitted" not in n for n in nodes)  # Kapacitor keeps those on edges

    assert rows(influxd, "topics") == expected(stats, "topics") == [{"id": "cpu", **ids, "collected": 2}]

    (kapacitor,) = rows(influxd, "kapacitor")
    assert kapacitor.pop("uptime") > 0
    assert kapacitor == {"num_enabled_tasks": 1, "num_subscriptions": 0, "num_tasks": 1}  # no tags at all


async def test_the_database_is_created_with_the_retention_policy(start: Start, influxd: Influxd) -> None:
    conf = '[stats]\nstats-interval = "1h"\ndatabase = "tocsin stats"\nretention-policy = "week"\n'
    engine = engine_of(await start(cluster(influxd.url) + conf))
    assert await stats_service(engine).report()
    result = query(influxd, 'SHOW RETENTION POLICIES ON "tocsin stats"')
    policies = {row[0]: row[-1] for row in result["series"][0]["values"]}
    assert policies == {"week": True}  # name -> default
    assert len(rows(influxd, "kapacitor", "tocsin stats", "week")) == 1


async def test_a_database_with_other_policies_gets_ours_added(start: Start, influxd: Influxd) -> None:
    influxd.query('CREATE DATABASE "_kapacitor"')  # with autogen only
    conf = '[stats]\nstats-interval = "1h"\nretention-policy = "stats"\n'
    engine = engine_of(await start(cluster(influxd.url) + conf))
    assert await stats_service(engine).report()
    result = query(influxd, 'SHOW RETENTION POLICIES ON "_kapacitor"')
    assert sorted(row[0] for row in result["series"][0]["values"]) == ["autogen", "stats"]
    assert len(rows(influxd, "kapacitor", rp="stats")) == 1


async def test_no_cluster_writes_nothing_and_says_so_once(
    start: Start, influxd: Influxd, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "tocsin.stats")
    client = await start(cluster(influxd.url, "enabled = false\n") + '[stats]\nstats-interval = "1h"\n')
    service = stats_service(engine_of(client))
    assert not await service.report()
    assert not await service.report()
    assert [r.getMessage() for r in caplog.records if r.name.startswith("tocsin.stats")] == [NO_CLUSTER]
    assert ["_kapacitor"] not in query(influxd, "SHOW DATABASES")["series"][0].get("values", [])


async def test_a_dead_influxd_is_logged_and_the_next_interval_writes(
    start: Start, influxd: Influxd, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "tocsin.stats")
    credentials = 'username = "stats"\npassword = "s3cret-pw"\n'
    service = stats_service(
        engine_of(await start(cluster(influxd.url, credentials) + '[stats]\nstats-interval = "1h"\n'))
    )
    assert await service.report()
    influxd.stop()
    assert not await service.report()
    (record,) = [r for r in caplog.records if r.name.startswith("tocsin.stats")]
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert "failed to reach InfluxDB" in record.getMessage() and "s3cret-pw" not in caplog.text
    await asyncio.to_thread(influxd.start)
    assert await service.report()
    assert len(rows(influxd, "kapacitor")) == 2


async def test_the_service_writes_every_interval(start: Start, influxd: Influxd) -> None:
    await start(cluster(influxd.url) + '[stats]\nstats-interval = "100ms"\n')
    deadline = time.monotonic() + 10
    while ["_kapacitor"] not in query(influxd, "SHOW DATABASES")["series"][0].get("values", []) or len(
        rows(influxd, "kapacitor")
    ) < 2:
        assert time.monotonic() < deadline, "no two intervals written"
        await asyncio.sleep(0.1)


async def test_disabled_stats_start_no_loop(start: Start) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    await start(cluster(url) + "[stats]\nenabled = false\n")
    assert [t for t in asyncio.all_tasks() if t.get_name() == "tocsin-stats"] == []


async def test_the_statistics_reach_tasks_that_read_the_kapacitor_database(start: Start) -> None:
    client = await start('[stats]\nstats-interval = "1h"\n')
    script = "stream\n    |from()\n        .measurement('kapacitor')\n    |httpOut('vars')\n"
    task = {"id": "self", "dbrps": [{"db": "_kapacitor", "rp": "autogen"}], "script": script, "status": "enabled"}
    r = await client.post("/kapacitor/v1/tasks", json=task)
    assert r.status == 200, await r.text()
    engine = engine_of(client)
    assert not await stats_service(engine).report()  # no cluster: the stream only
    r = await client.get("/kapacitor/v1/tasks/self/vars")
    (series,) = (await r.json())["series"]
    assert (series["name"], series["columns"]) == (
        "kapacitor",
        ["time", "num_enabled_tasks", "num_subscriptions", "num_tasks", "uptime"],
    )
    assert series["values"][0][1:4] == [1, 0, 1]

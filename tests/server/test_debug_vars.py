"""/kapacitor/v1/debug/vars: Kapacitor's expvar keys, from the same statistics `[stats]` writes."""

from __future__ import annotations

import sys
from typing import Any

from tests.server.conftest import engine_of
from tests.support.client import Client
from tocsin import KAPACITOR_COMPAT_VERSION, __version__
from tocsin.stats.expvar import key_of
from tocsin.stats.gather import gather
from tocsin.wiring import tasks_of

SCRIPT = "stream\n  |from()\n    .measurement('cpu')\n  |alert()\n    .crit(lambda: \"v\" > 1)\n    .topic('cpu')\n"
TOP_LEVEL = {
    "cluster_id",
    "server_id",
    "host",
    "product",
    "version",
    "tocsin_version",
    "platform",
    "num_enabled_tasks",
    "num_subscriptions",
    "num_tasks",
    "kapacitor",
    "tocsin",
    "cmdline",
}


async def running_task(api: Client) -> None:
    task = {"id": "cpu", "dbrps": [{"db": "telegraf", "rp": "autogen"}], "script": SCRIPT, "status": "enabled"}
    assert (await api.post("/kapacitor/v1/tasks", json=task)).status == 200
    disabled = {"id": "idle", "dbrps": [{"db": "telegraf", "rp": "autogen"}], "script": SCRIPT}
    assert (await api.post("/kapacitor/v1/tasks", json=disabled)).status == 200
    body = "cpu,host=a v=2 1000000000\nmem v=1 2000000000\n"
    assert (await api.post("/kapacitor/v1/write?db=telegraf&rp=autogen", data=body)).status == 204


async def debug_vars(api: Client) -> dict[str, Any]:
    r = await api.get("/kapacitor/v1/debug/vars")
    assert r.status == 200
    body: dict[str, Any] = await r.json()
    return body


def named(body: dict[str, Any], name: str, **tags: str) -> list[dict[str, Any]]:
    return [
        s
        for s in body["kapacitor"].values()
        if s["name"] == name and all(s["tags"].get(k) == v for k, v in tags.items())
    ]


async def test_top_level_vars(api: Client) -> None:
    await running_task(api)
    body = await debug_vars(api)
    engine = engine_of(api)
    assert set(body) == TOP_LEVEL
    assert body["cluster_id"] == engine.identity.cluster_id and body["server_id"] == engine.identity.server_id
    assert (body["host"], body["product"], body["version"]) == ("localhost", "tocsin", KAPACITOR_COMPAT_VERSION)
    assert (body["tocsin_version"], body["platform"], body["cmdline"]) == (__version__, sys.platform, sys.argv)
    assert (body["num_tasks"], body["num_enabled_tasks"], body["num_subscriptions"]) == (2, 1, 0)
    assert set(body["tocsin"]) == {"outbox_depth", "outbox_oldest_age_seconds"}


async def test_every_statistic_but_the_global_one_is_under_kapacitor(api: Client) -> None:
    await running_task(api)
    body = await debug_vars(api)
    engine = engine_of(api)
    stats = [s for s in gather(engine, tasks_of(engine)) if s.name != "kapacitor"]
    assert sorted(body["kapacitor"]) == sorted(key_of(s) for s in stats)
    for stat in stats:
        entry = body["kapacitor"][key_of(stat)]
        assert set(entry) == {"name", "tags", "values"}
        assert (entry["name"], entry["tags"]) == (stat.name, stat.tags)
        assert set(entry["values"]) == set(stat.values)
    assert sorted({s.name for s in stats}) == ["edges", "ingress", "nodes", "topics"]


async def test_statistics_carry_kapacitors_tags_and_values(api: Client) -> None:
    await running_task(api)
    body = await debug_vars(api)
    engine = engine_of(api)
    ids = {"cluster_id": engine.identity.cluster_id, "server_id": engine.identity.server_id, "host": "localhost"}
    (ingress,) = named(body, "ingress", measurement="cpu")
    assert ingress == {
        "name": "ingress",
        "tags": {"task_master": "main", "database": "telegraf", "retention_policy": "autogen", "measurement": "cpu"}
        | ids,
        "values": {"points_received": 1},
    }
    (edge,) = named(body, "edges", parent="from1", child="alert2")
    assert edge == {
        "name": "edges",
        "tags": {"task": "cpu", "parent": "from1", "child": "alert2", "type": "stream"} | ids,
        "values": {"collected": 1, "emitted": 1},
    }
    (fork,) = named(body, "edges", parent="stream")
    assert (fork["tags"]["child"], fork["values"]) == ("stream0", {"collected": 2, "emitted": 2})
    (alert,) = named(body, "nodes", node="alert2")
    assert alert["tags"] == {"task": "cpu", "node": "alert2", "type": "stream", "kind": "alert"} | ids
    values = alert["values"]
    # Kapacitor's MaxDuration var prints as Go duration text in the expvar dump
    assert isinstance(values.pop("avg_exec_time_ns"), str)
    assert values == {
        "alerts_inhibited": 0,
        "alerts_triggered": 1,
        "crits_triggered": 1,
        "errors": 0,
        "infos_triggered": 0,
        "oks_triggered": 0,
        "warns_triggered": 0,
        "working_cardinality": 1,
    }
    (topic,) = named(body, "topics")
    assert topic == {"name": "topics", "tags": {"id": "cpu"} | ids, "values": {"collected": 1}}


async def test_a_statistic_keeps_its_key(api: Client) -> None:
    await running_task(api)
    first = await debug_vars(api)
    assert (await api.post("/kapacitor/v1/write?db=telegraf&rp=autogen", data="cpu v=0 3000000000\n")).status == 204
    second = await debug_vars(api)
    (key,) = [k for k, s in first["kapacitor"].items() if s["name"] == "ingress" and s["tags"]["measurement"] == "cpu"]
    assert (first["kapacitor"][key]["values"], second["kapacitor"][key]["values"]) == (
        {"points_received": 1},
        {"points_received": 2},
    )


async def test_no_task_no_write_leaves_only_the_top_level_counts(api: Client) -> None:
    body = await debug_vars(api)
    assert (body["num_tasks"], body["num_enabled_tasks"], body["num_subscriptions"], body["kapacitor"]) == (0, 0, 0, {})

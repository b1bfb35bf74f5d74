"""Tocsin's statistics as Kapacitor's `vars.GetStatsData` lists them: `{name, tags, values}` each.

One list serves both the `[stats]` writer and /kapacitor/v1/debug/vars, so the two never disagree.
Kapacitor (server/vars, node.go, edge.go, task_master.go, alert/topics.go) names them:

- `kapacitor`: no tags; `num_enabled_tasks`, `num_subscriptions`, `num_tasks`, `uptime` (seconds, float);
- `ingress`: `task_master`, `database`, `retention_policy`, `measurement`; `points_received`;
- `edges`: `task`, `parent`, `child`, `type` (the edge's stream or batch); `collected`, `emitted`;
- `nodes`: `task`, `node`, `type` (the task's stream or batch), `kind` (the node's description);
  `avg_exec_time_ns`, `errors`, `working_cardinality` and the node's own counters;
- `topics`: `id`; `collected`.

Every statistic but `kapacitor` also carries the `cluster_id`, `server_id` and `host` tags.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tocsin.influxdb.subscriptions import subscriptions_of
from tocsin.pipeline.spec import EdgeType

if TYPE_CHECKING:
    from tocsin.engine.engine import Engine
    from tocsin.tasks.runtime import RunningTask
    from tocsin.tasks.service import TaskService

Value = int | float

MAIN_TASK_MASTER = "main"  # Kapacitor's task master id, the `task_master` tag of `ingress`
# Node stats that Kapacitor keeps on the edges, not in the `nodes` statistic.
_EDGE_COUNTS = frozenset({"collected", "emitted"})


@dataclass(frozen=True, slots=True)
class Statistic:
    """One of Kapacitor's statistics: a measurement name, its tags and its values."""

    name: str
    tags: dict[str, str]
    values: dict[str, Value]


def subscription_count(engine: Engine) -> int:
    """The subscriptions this server holds on its clusters (0 for an engine without the subscription service)."""
    try:
        return subscriptions_of(engine).subscription_count()
    except LookupError:
        return 0


def gather(engine: Engine, tasks: TaskService) -> list[Statistic]:
    """Every statistic, the global `kapacitor` one first, then in a stable order."""
    ids = {
        "cluster_id": engine.identity.cluster_id,
        "server_id": engine.identity.server_id,
        "host": str(engine.config.get("", "hostname")),
    }
    records = tasks.tasks
    stats = [
        Statistic(
            "kapacitor",
            {},
            {
                "num_enabled_tasks": sum(1 for rec in records.values() if rec.enabled),
                "num_subscriptions": subscription_count(engine),
                "num_tasks": len(records),
                "uptime": (time.time_ns() - engine.started_ns) / 1e9,
            },
        )
    ]
    runtime = tasks.runtime
    for (database, retention_policy, measurement), received in runtime.ingress.counts().items():
        tags = {
            "task_master": MAIN_TASK_MASTER,
            "database": database,
            "retention_policy": retention_policy,
            "measurement": measurement,
        }
        stats.append(Statistic("ingress", {**tags, **ids}, {"points_received": received}))
    for task_id in sorted(runtime.running):
        record = records.get(task_id)
        stats.extend(_task_stats(runtime.running[task_id], record.type if record else "stream", ids))
    for topic in engine.topics.list():
        stats.append(Statistic("topics", {"id": topic.id, **ids}, {"collected": topic.collected}))
    return stats


def _task_stats(running: RunningTask, task_type: str, ids: dict[str, str]) -> list[Statistic]:
    executor = running.executor
    specs = {spec.name: spec for spec in executor.pipeline.nodes}
    node_stats = executor.stats()["node-stats"]
    out: list[Statistic] = []

    def edge(parent: str, child: str, kind: EdgeType, count: int) -> None:
        tags = {"task": running.id, "parent": parent, "child": child, "type": kind.value}
        # Tocsin hands items to the child as the parent emits them: what crossed was both collected and emitted.
        out.append(Statistic("edges", {**tags, **ids}, {"collected": count, "emitted": count}))

    if task_type == "stream":
        # Kapacitor's fork edge from the task master's stream into the task's stream node.
        for spec in executor.pipeline.nodes:
            if spec.desc == "stream" and not spec.parents:
                edge("stream", spec.name, EdgeType.STREAM, int(node_stats[spec.name]["collected"]))
    for (parent, child), count in executor.edge_counts().items():
        edge(parent, child, specs[parent].provides, count)
    for name, values in node_stats.items():
        tags = {"task": running.id, "node": name, "type": task_type, "kind": specs[name].desc}
        kept = {key: value for key, value in values.items() if key not in _EDGE_COUNTS}
        out.append(Statistic("nodes", {**tags, **ids}, kept))
    return out

"""Where batch and query recordings (and live replays) get their data: InfluxDB queries.

A batch recording runs the queries a batch task would have run over [start, stop]: for each query node, every
tick of its schedule from `start` up to `stop` (and not past now), with the statement, bounds and batch
conversion the running node uses (`QueryNode.statement`, `QueryNode.batches`). A query recording runs one
fully qualified query and keeps its answer as points ordered by time (stream) or as one batch per series.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from tocsin.alert.event import Event
from tocsin.alert.topics import Derive
from tocsin.handlers.base import ConfigView
from tocsin.influxdb.client import InfluxDBError, Result
from tocsin.influxdb.clusters import Clusters
from tocsin.pipeline.spec import Pipeline
from tocsin.points import Batch, BatchPoint, Dimensions, FieldValue, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.inhibit import Inhibitors
from tocsin.tasks.nodes.query import QueryNode

# Kapacitor's texts.
NOT_QUALIFIED = "could not determine database and retention policy. Is the query fully qualified?"
NO_INFLUXDB = "InfluxDB not configured, cannot record query"
NO_INFLUXDB_BATCH = "InfluxDB not configured, cannot record batch query"
# Tocsin's bound: a range of `every(100ms)` over days would otherwise send millions of queries.
MAX_QUERIES = 10_000
TOO_MANY_QUERIES = "the range needs more than {limit} queries of the task: record a shorter range"

_IDENT = r'(?:"(?:[^"\\]|\\.)*"|[^\s".,;()]+)'
_FROM = re.compile(rf"\bFROM\s+({_IDENT})\.({_IDENT})?\.({_IDENT})", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class QueryTarget:
    """What one query recording reads: the statement, its database and retention policy, and the cluster."""

    query: str
    database: str
    retention_policy: str
    cluster: str = ""


def query_target(query: str, cluster: str = "") -> QueryTarget:
    """The database and retention policy of a fully qualified `"db"."rp"."m"` query; ValueError otherwise."""
    match = _FROM.search(query)
    db = _unquote(match.group(1)) if match else ""
    rp = _unquote(match.group(2) or "") if match else ""
    if not db or not rp:
        raise ValueError(NOT_QUALIFIED)
    return QueryTarget(query, db, rp, cluster)


def _unquote(ident: str) -> str:
    if len(ident) >= 2 and ident[0] == ident[-1] == '"':
        return re.sub(r"\\(.)", r"\1", ident[1:-1])
    return ident


def _fields(columns: tuple[str, ...], values: list[object], time_at: int) -> dict[str, FieldValue]:
    # InfluxDB's numbers arrive as floats in Kapacitor (json.Number -> Float64); a null is no field
    return {
        c: float(v) if isinstance(v, int) and not isinstance(v, bool) else v
        for i, c in enumerate(columns)
        if i != time_at and isinstance((v := values[i]), float | int | str | bool)
    }


def result_batches(results: list[Result]) -> list[Batch]:
    """One batch per series (ungrouped by name), its time the latest row's, as Kapacitor's ResultToBufferedBatches."""
    out: list[Batch] = []
    for result in results:
        if result.error:
            raise InfluxDBError(result.error, retryable=False, status=200)
        for series in result.series:
            tags = dict(series.tags)
            time_at = series.columns.index("time") if "time" in series.columns else -1
            rows = []
            for values in series.values:
                fields = _fields(series.columns, list(values), time_at)
                if fields:
                    rows.append(BatchPoint(int(values[time_at]) if time_at >= 0 else 0, fields, tags))
            dims = Dimensions(tuple(sorted(tags)))
            latest = max((r.time for r in rows), default=0)
            out.append(Batch(series.name, latest, tags, rows, group=dims.group_id(series.name, tags), dimensions=dims))
    return out


def result_points(results: list[Result], target: QueryTarget) -> list[Point]:
    """Every row as a point of the query's database and retention policy, in time order across series."""
    points: list[Point] = []
    for batch in result_batches(results):
        points.extend(
            Point(batch.name, dict(row.tags), row.fields, row.time, target.database, target.retention_policy)
            for row in batch.points
        )
    points.sort(key=lambda p: p.time)  # stable: series order breaks ties, as Kapacitor's merge does
    return points


async def run_query(clusters: Clusters | None, target: QueryTarget) -> list[Result]:
    """The answer of InfluxDB to the recording's query."""
    if clusters is None or not clusters.enabled():
        raise InfluxDBError(NO_INFLUXDB, retryable=False)
    client = clusters.client(target.cluster)
    return await client.query(target.query, epoch="ns")


def _discard(event: Event, derive: Derive) -> None:
    return None


def query_nodes(pipeline: Pipeline, task_id: str, config: ConfigView, clusters: Clusters) -> list[QueryNode]:
    """The task's query nodes, built as the running task builds them (same statements, same checks)."""
    ctx = TaskContext(
        task_id=task_id,
        hostname="",
        config=config,
        emit=_discard,
        last_event=lambda topic, alert_id: None,
        inhibitors=Inhibitors(),
        influxdb=clusters,
    )
    return [QueryNode(spec, ctx) for spec in pipeline.nodes if spec.desc == "query"]


def ticks(node: QueryNode, start_ns: int, stop_ns: int, now_ns: int) -> list[int]:
    """The node's ticks after `start_ns` up to `stop_ns`, stopping where a run's stop time passes now."""
    out: list[int] = []
    current = start_ns
    while True:
        current = node.next_tick(current, start_ns, current)
        if current > stop_ns or current - node.offset > now_ns:
            return out
        if len(out) >= MAX_QUERIES:
            raise ValueError(TOO_MANY_QUERIES.format(limit=MAX_QUERIES))
        out.append(current)


async def task_batches(
    pipeline: Pipeline,
    task_id: str,
    config: ConfigView,
    clusters: Clusters | None,
    start_ns: int,
    stop_ns: int,
    cluster: str = "",
) -> list[list[Batch]]:
    """For each query node of the task, the batches its runs over [start, stop] produce."""
    if clusters is None or not clusters.enabled():
        raise InfluxDBError(NO_INFLUXDB_BATCH, retryable=False)
    sources: list[list[Batch]] = []
    now = time.time_ns()
    for node in query_nodes(pipeline, task_id, config, clusters):
        client = clusters.client(cluster or node.cluster)
        batches: list[Batch] = []
        for tick in ticks(node, start_ns, stop_ns, now):
            text, _start, stop = node.statement(tick)
            results = await client.query(text, epoch="ns")
            for result in results:
                if result.error:
                    raise InfluxDBError(result.error, retryable=False, status=200)
                batches.extend(node.batches(result, stop))
        sources.append(batches)
    return sources

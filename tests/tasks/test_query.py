"""batch|query: the statement each run sends, the schedule, the answer as batches, and the refusals."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.sink import HttpSink
from tests.tasks.kit import FakeConfig, context, dur, node
from tocsin.influxdb.client import Result, Series
from tocsin.influxdb.clusters import Clusters
from tocsin.pipeline.spec import STAR, TimeDimension
from tocsin.points import Batch, BatchPoint, Dimensions
from tocsin.tasks.node import NodeError
from tocsin.tasks.nodes import query as query_module
from tocsin.tasks.nodes.query import QueryNode

S = 1_000_000_000
M = 60 * S
T = 1_700_000_000 * S  # 2023-11-14T22:13:20Z
QUERY = 'SELECT mean(usage_idle) FROM "telegraf"."autogen"."cpu"'
CLUSTER = {"name": "local", "enabled": True, "urls": ["http://127.0.0.1:1"]}


def query_node(text: str = QUERY, **props: Any) -> QueryNode:
    spec = node("query", text, **props)
    spec.id = 1
    ctx = context(FakeConfig({"influxdb": [CLUSTER]}))
    ctx.influxdb = Clusters(FakeConfig({"influxdb": [CLUSTER]}))
    return QueryNode(spec, ctx)


def test_each_run_is_bounded_by_its_stop_time_less_the_offset_and_the_period() -> None:
    q = query_node(period=dur(300), every=dur(300), offset=dur(10), groupBy=(TimeDimension(M), "cpu"))
    text, start, stop = q.statement(T)
    assert (start, stop) == (T - 10 * S - 300 * S, T - 10 * S)
    assert text == (
        'SELECT mean(usage_idle) FROM "telegraf"."autogen"."cpu" WHERE time >= \'2023-11-14T22:08:10Z\' AND '
        "time < '2023-11-14T22:13:10Z' GROUP BY time(1m, 0s), \"cpu\""
    )


def test_the_query_s_condition_fill_and_tail_are_kept_and_the_task_s_fill_wins() -> None:
    q = query_node(
        "SELECT max(v) FROM m WHERE host =~ /web-.*/ AND v > 1 fill(none) LIMIT 10",
        period=dur(60),
        every=dur(60),
        groupBy=(STAR, TimeDimension(10 * S, 5 * S)),
        fill=0,
    )
    assert q.statement(T + 500_000_000)[0] == (
        "SELECT max(v) FROM m WHERE (host =~ /web-.*/ AND v > 1) AND time >= '2023-11-14T22:12:20.5Z' AND "
        "time < '2023-11-14T22:13:20.5Z' GROUP BY time(10s, 5s), * fill(0) LIMIT 10"
    )
    kept = query_node("SELECT max(v) FROM m fill(previous)", every=dur(60))
    assert kept.statement(T)[0] == (
        "SELECT max(v) FROM m WHERE time >= '2023-11-14T22:12:20Z' AND time < '2023-11-14T22:13:20Z' fill(previous)"
    )


def test_align_group_offsets_the_time_buckets_to_the_start() -> None:
    q = query_node(period=dur(90), every=dur(60), alignGroup=(), groupBy=(TimeDimension(M),))
    assert q.statement(T + 7 * S)[0] == (  # the start, 22:11:57, is 57s past a minute
        'SELECT mean(usage_idle) FROM "telegraf"."autogen"."cpu" WHERE time >= \'2023-11-14T22:11:57Z\' AND '
        "time < '2023-11-14T22:13:27Z' GROUP BY time(1m, 57s)"
    )


def test_ticks_come_every_interval_from_the_start_or_on_its_multiples_when_aligned() -> None:
    plain = query_node(every=dur(60))
    assert plain.next_tick(T + 5 * S, T + 5 * S, None) == T + 65 * S
    assert plain.next_tick(T + 66 * S, T + 5 * S, T + 65 * S) == T + 125 * S
    assert plain.next_tick(T + 200 * S, T + 5 * S, T + 65 * S) == T + 245 * S  # a slow query skips ticks
    aligned = query_node(every=dur(60), align=())
    assert aligned.next_tick(T + 5 * S, T, None) == T + 40 * S  # 22:14:00
    cron = query_node(cron="*/5 * * * *")
    assert cron.next_tick(T + 5 * S, T, None) == T + 100 * S  # 22:15:00
    seconds_first = query_node(cron="30 */5 * * * *")
    assert seconds_first.next_tick(T + 5 * S, T, None) == T + 130 * S  # 22:15:30


def test_an_answer_becomes_one_batch_per_series_with_float_fields_and_no_nulls() -> None:
    q = query_node(every=dur(60), groupBy=(TimeDimension(M), "cpu"))
    answer = Result(
        series=(
            Series("cpu", {"cpu": "cpu0"}, ("time", "mean", "max"), [[T - M, 35, None], [T, None, None], [T, 2.5, 3]]),
        )
    )
    (batch,) = q.batches(answer, T + 60 * S)
    tags = {"cpu": "cpu0"}
    assert batch == Batch(
        "cpu",
        T,  # grouped by time: the last row's time
        tags,
        [BatchPoint(T - M, {"mean": 35.0}, tags), BatchPoint(T, {"mean": 2.5, "max": 3.0}, tags)],
        group="cpu=cpu0",
        dimensions=Dimensions(("cpu",)),
    )
    assert isinstance(batch.points[0].fields["mean"], float)
    ungrouped = query_node(every=dur(60), groupByMeasurement=())
    (plain,) = ungrouped.batches(Result(series=(Series("cpu", {}, ("time", "v"), [[T, "up"]]),)), T + 60 * S)
    assert (plain.time, plain.group, plain.by_name, plain.points) == (
        T + 60 * S,  # not grouped by time: the stop time
        "cpu",
        True,
        [BatchPoint(T, {"v": "up"}, {})],
    )


@pytest.mark.parametrize(
    ("text", "props", "message"),
    [
        (QUERY, {}, "query1: must set either 'every' or 'cron' property"),
        (QUERY, {"every": dur(60), "cron": "* * * * *"}, "query1: must not set both 'every' and 'cron' properties"),
        (QUERY, {"cron": "* * *"}, "query1.cron: '* * *' must have 5 fields (or 6, seconds first)"),
        (QUERY, {"cron": "61 * * * *"}, "query1.cron: invalid cron expression '61 * * * *'"),
        (
            QUERY + " GROUP BY host",
            {"every": dur(60)},
            "query1: the query's GROUP BY host would be replaced by .groupBy(): move its dimensions into "
            ".groupBy() (time(...) for GROUP BY time)",
        ),
        (
            "SELEC x FROM m",
            {"every": dur(60)},
            "failed to parse InfluxQL query: found SELEC, expected SELECT at line 1, char 1",
        ),
        (
            QUERY,
            {"every": dur(60), "groupBy": (TimeDimension(M), TimeDimension(S))},
            "query1.groupBy: groupBy cannot have more than one time dimension",
        ),
        (
            QUERY,
            {"every": dur(60), "fill": "zero"},
            "query1.fill: unexpected value 'zero', must be null, none, previous, linear or a number",
        ),
    ],
)
def test_a_query_that_cannot_run_keeps_the_task_from_starting(text: str, props: dict[str, Any], message: str) -> None:
    with pytest.raises(NodeError) as raised:
        query_node(text, **props)
    assert str(raised.value) == message


def test_a_query_on_a_cluster_that_is_not_enabled_keeps_the_task_from_starting() -> None:
    with pytest.raises(NodeError) as raised:
        query_node(every=dur(60), cluster="other")
    assert str(raised.value) == "unknown InfluxDB cluster 'other': not an enabled [[influxdb]] name"


async def test_a_run_ends_when_influxdb_never_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(query_module, "MIN_RUN_LIMIT", 0.2)
    sink = await HttpSink().start()
    sink.hang()
    try:
        cluster = {"name": "local", "enabled": True, "urls": [sink.url]}
        spec = node("query", QUERY, every=dur(0.1))
        spec.id = 1
        ctx = context(FakeConfig({"influxdb": [cluster]}))
        ctx.influxdb = Clusters(FakeConfig({"influxdb": [cluster]}))
        q = QueryNode(spec, ctx)
        await q.query_once(T)
        assert (q.query_errors, q.connect_errors, q.last_error) == (1, 0, "no answer within 0.2s")
        await ctx.influxdb.close()
    finally:
        await sink.close()

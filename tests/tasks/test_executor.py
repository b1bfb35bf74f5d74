"""TaskExecutor: routing, counters, Kapacitor's stats JSON, errors, timers."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.tasks.kit import T0, TRACE, S, captured, chain, executor, link, node, pt
from tocsin.expr.values import Duration
from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Dimensions, Point
from tocsin.tasks.executor import TaskStartError
from tocsin.tasks.slots import MovingAverage


def test_points_go_depth_first_to_children_in_order() -> None:
    # stream0 -> from1 -> (capture2, capture3); capture2 -> capture4
    pipeline = link(
        [NodeSpec(0, "stream"), node("from"), node("capture"), node("capture"), node("capture")],
        [(0, 1), (1, 2), (1, 3), (2, 4)],
    )
    ex = executor(pipeline)
    TRACE.clear()
    ex.write(pt(fields={"value": 1}))
    ex.write(pt(fields={"value": 2}))
    assert TRACE == ["capture2:1", "capture4:1", "capture3:1", "capture2:2", "capture4:2", "capture3:2"]


def test_stats_json_counts_collected_emitted_and_edges() -> None:
    pipeline = link(
        [NodeSpec(0, "stream"), node("from", measurement="cpu"), node("capture"), node("capture")],
        [(0, 1), (1, 2), (1, 3)],
    )
    ex = executor(pipeline)
    ex.write(pt("cpu"))
    ex.write(pt("mem"))
    ex.write(pt("cpu"))
    stats = ex.stats()
    for values in stats["node-stats"].values():
        assert isinstance(values.pop("avg_exec_time_ns"), int)
    assert stats == {
        "task-stats": {"throughput": 0.0},
        "node-stats": {
            "stream0": {"collected": 3, "emitted": 3, "errors": 0, "working_cardinality": 0},
            "from1": {"collected": 3, "emitted": 4, "errors": 0, "working_cardinality": 0},
            "capture2": {"collected": 2, "emitted": 0, "errors": 0, "working_cardinality": 0},
            "capture3": {"collected": 2, "emitted": 0, "errors": 0, "working_cardinality": 0},
        },
    }
    assert list(stats["node-stats"]["from1"]) == ["collected", "emitted", "errors", "working_cardinality"]
    assert ex.edge_counts() == {("stream0", "from1"): 3, ("from1", "capture2"): 2, ("from1", "capture3"): 2}


def test_node_specific_stats_are_merged() -> None:
    ex = executor(chain(node("default", field=("x", 1.0)), node("capture")))
    ex.write(pt(fields={"value": 1.0}))
    ex.write(pt(fields={"x": 2.0}))
    values = ex.stats()["node-stats"]["default1"]
    del values["avg_exec_time_ns"]
    assert values == {
        "collected": 2,
        "emitted": 2,
        "errors": 0,
        "fields_defaulted": 1,
        "tags_defaulted": 0,
        "working_cardinality": 0,
    }


def test_an_exception_is_counted_logged_and_the_item_dropped(caplog: pytest.LogCaptureFixture) -> None:
    ex = executor(chain(node("failing"), node("capture")))
    with caplog.at_level(logging.ERROR, logger="tests.tasks"):
        ex.write(pt(fields={"fail": True}))
        ex.write(pt(fields={"fail": False}))
    assert [p.fields for p in captured(ex, "capture2")] == [{"fail": False}]
    values = ex.stats()["node-stats"]["failing1"]
    assert (values["collected"], values["emitted"], values["errors"]) == (2, 1, 1)
    assert [r.getMessage() for r in caplog.records] == ["task=task1 node=failing1 error: boom"]


def test_quiet_nodes_do_not_log(caplog: pytest.LogCaptureFixture) -> None:
    ex = executor(chain(node("failing", quiet=()), node("capture")))
    with caplog.at_level(logging.ERROR, logger="tests.tasks"):
        ex.write(pt(fields={"fail": True}))
    assert caplog.records == []
    assert ex.stats()["node-stats"]["failing1"]["errors"] == 1


def test_a_node_that_cannot_be_created_names_itself() -> None:
    with pytest.raises(TaskStartError) as info:
        executor(chain(node("shift", Duration(0))))
    assert str(info.value) == "failed to create shift1 node: invalid shift value: must be non zero duration"


def test_an_unknown_node_kind_fails_to_start() -> None:
    with pytest.raises(TaskStartError) as info:
        executor(chain(node("k8sAutoscale")))
    assert str(info.value) == "failed to create k8sAutoscale1 node: node k8sAutoscale is not supported by Tocsin"


def test_avg_exec_time_is_sampled_every_tenth_item() -> None:
    ex = executor(chain(node("capture")))
    for _ in range(25):
        ex.write(pt())
    slot_avg = ex._slots[1].avg  # the average of the sampled calls
    assert slot_avg.count == 3  # calls 1, 11 and 21
    assert ex.stats()["node-stats"]["capture1"]["avg_exec_time_ns"] == int(slot_avg.avg)


def test_moving_average_forgets_old_values() -> None:
    avg = MovingAverage(size=2)
    assert [avg.update(v) for v in (10.0, 20.0, 30.0, 50.0)] == [10.0, 15.0, 25.0, 40.0]


async def test_stats_node_reports_the_watched_node_per_group() -> None:
    nodes = [
        NodeSpec(0, "stream"),
        node("from", groupBy=("host",)),
        node("capture"),
        node("stats", Duration(S // 20)),
        node("capture"),
    ]
    pipeline = link(nodes, [(0, 1), (1, 2), (3, 4)])
    nodes[3].watches = 1
    flushes = 0

    async def flush() -> None:
        nonlocal flushes
        flushes += 1

    ex = executor(pipeline, flush=flush)
    ex.write(pt(tags={"host": "a"}))
    ex.write(pt(tags={"host": "b"}))
    ex.write(pt(tags={"host": "a"}))
    await ex.start()
    try:
        await asyncio.sleep(0.08)
    finally:
        await ex.stop()
    items = captured(ex, "capture4")
    assert len(items) == 2  # one tick: one point per group
    assert flushes == 1
    for item in items:
        assert isinstance(item, Point)
        assert item.time > T0
        item.time = 0
    host = Dimensions(("host",))
    assert items == [
        Point("stats", {"host": "a"}, {"emitted": 2}, 0, "", "", "host=a", host),
        Point("stats", {"host": "b"}, {"emitted": 1}, 0, "", "", "host=b", host),
    ]
    # stats nodes are sources: written points never reach them
    assert ex.stats()["node-stats"]["stats3"]["collected"] == 0


async def test_stats_node_reports_zero_before_any_data_and_aligns() -> None:
    interval = S // 10
    nodes = [NodeSpec(0, "stream"), node("capture"), node("stats", Duration(interval), align=()), node("capture")]
    pipeline = link(nodes, [(0, 1), (2, 3)])
    nodes[2].watches = 1
    ex = executor(pipeline)
    await ex.start()
    try:
        await asyncio.sleep(0.25)
    finally:
        await ex.stop()
    items = captured(ex, "capture3")
    assert 1 <= len(items) <= 3
    for item in items:
        assert isinstance(item, Point)
        assert (item.name, item.tags, item.fields, item.group) == ("stats", {}, {"emitted": 0}, "")
        assert item.time % interval == 0


async def test_throughput_is_measured_over_the_last_second() -> None:
    ex = executor(chain(node("capture")))
    await ex.start()
    try:
        for _ in range(5):
            ex.write(pt())
        assert ex.stats()["task-stats"] == {"throughput": 0.0}
    finally:
        await ex.stop()

"""WindowNode: time windows driven by data time (period, every, align, fillPeriod) and count windows."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tocsin.expr.values import Duration
from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, BatchPoint, Dimensions, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.inhibit import Inhibitors
from tocsin.tasks.node import NodeError
from tocsin.tasks.nodes import window as window_module
from tocsin.tasks.nodes.window import WindowNode

S = 1_000_000_000
BASE = 1_700_000_000 * S  # a multiple of 100s, so aligned times below are round
BY_HOST = Dimensions(("host",))


class NoConfig:
    def section(self, name: str) -> list[dict[str, Any]]:
        return []

    def element(self, name: str, key: str | None = None) -> dict[str, Any] | None:
        return None


def ctx() -> TaskContext:
    return TaskContext(
        task_id="t",
        hostname="h",
        config=NoConfig(),
        emit=lambda e, d: None,
        last_event=lambda t, a: None,
        inhibitors=Inhibitors(),
        log=logging.getLogger("tests.window"),
    )


def make_window(**props: Any) -> WindowNode:
    """`period=10` is seconds; `align=True` is a flag; counts are plain ints."""
    properties: dict[str, list[tuple[Any, ...]]] = {}
    for name, value in props.items():
        if value is True:
            properties[name] = [()]
        elif name in ("period", "every"):
            properties[name] = [(Duration(value * S),)]
        else:
            properties[name] = [(value,)]
    return WindowNode(NodeSpec(id=1, desc="window", properties=properties, parents=[0]), ctx())


def pt(sec: float, host: str = "a", name: str = "cpu") -> Point:
    return Point(
        name, {"host": host, "cpu": "cpu0"}, {"v": sec}, BASE + int(sec * S), "db", "rp", f"host={host}", BY_HOST
    )


def feed(node: WindowNode, secs: list[float]) -> list[tuple[float, list[float]]]:
    """The (batch time, row times) emitted, in seconds from BASE."""
    out: list[tuple[float, list[float]]] = []
    for sec in secs:
        for item in node.point(pt(sec)):
            assert isinstance(item, Batch)
            out.append(((item.time - BASE) / S, [(row.time - BASE) / S for row in item.points]))
    return out


TIME_CASES = [
    (
        "every-less-than-period",
        {"period": 10, "every": 5},
        [1, 3, 5, 6, 8, 12, 17, 30],
        [(6, [1, 3, 5]), (11, [1, 3, 5, 6, 8]), (17, [8, 12]), (22, [12, 17])],
    ),
    (
        "aligned",
        {"period": 10, "every": 10, "align": True},
        [3, 7, 12, 19, 25, 47],
        [(10, [3, 7]), (20, [12, 19]), (30, [25])],
    ),
    (
        "emit-at-exact-due-time-excludes-that-point",
        {"period": 5, "every": 5},
        [0, 4, 5, 5, 10],
        [(5, [0, 4]), (10, [5, 5])],
    ),
    (
        "fill-period",
        {"period": 10, "every": 5, "fillPeriod": True},
        [1, 4, 8, 11, 16],
        [(11, [1, 4, 8]), (16, [8, 11])],
    ),
    (
        "fill-period-aligned-drops-first-points",
        {"period": 10, "every": 5, "fillPeriod": True, "align": True},
        [3, 9, 15],
        [(15, [9])],
    ),
    (
        "fill-period-aligned-on-boundary",
        {"period": 10, "every": 5, "fillPeriod": True, "align": True},
        [5, 15, 20],
        [(20, [15])],
    ),
    (
        "every-zero-emits-each-point",
        {"period": 10},
        [1, 5, 11, 11],
        [(1, [1]), (5, [1, 5]), (11, [5, 11]), (11, [5, 11, 11])],
    ),
    (
        "period-shorter-than-every-gives-empty-batches",
        {"period": 2, "every": 5},
        [0, 1, 5, 9, 10],
        [(5, []), (10, [9])],
    ),
    ("gap-in-data", {"period": 10, "every": 10, "align": True}, [1, 2, 95], [(10, [1, 2])]),
]


@pytest.mark.parametrize(("props", "secs", "expected"), [c[1:] for c in TIME_CASES], ids=[c[0] for c in TIME_CASES])
def test_time_windows(props: dict[str, Any], secs: list[float], expected: list[tuple[float, list[float]]]) -> None:
    assert feed(make_window(**props), secs) == expected


COUNT_CASES = [
    (
        "every-point",
        {"periodCount": 3, "everyCount": 1},
        [(1, [1]), (2, [1, 2]), (3, [1, 2, 3]), (4, [2, 3, 4]), (5, [3, 4, 5])],
    ),
    ("every-second-point", {"periodCount": 3, "everyCount": 2}, [(2, [1, 2]), (4, [2, 3, 4])]),
    ("fill-period", {"periodCount": 3, "everyCount": 2, "fillPeriod": True}, [(3, [1, 2, 3]), (5, [3, 4, 5])]),
]


@pytest.mark.parametrize(("props", "expected"), [c[1:] for c in COUNT_CASES], ids=[c[0] for c in COUNT_CASES])
def test_count_windows(props: dict[str, Any], expected: list[tuple[float, list[float]]]) -> None:
    # a count window's batch time is the time of its newest point
    assert feed(make_window(**props), [1, 2, 3, 4, 5]) == expected


def test_align_truncates_relative_to_go_zero_time() -> None:
    week = 7 * 86400
    node = make_window(period=week, every=week, align=True)
    thursday = 1_704_369_600 * S  # 2024-01-04T12:00:00Z
    first = Point("cpu", {}, {"v": 1.0}, thursday, group="")
    assert node.point(first) == []
    out = node.point(Point("cpu", {}, {"v": 2.0}, thursday + week * S, group=""))
    # Go truncates weeks to Mondays (year 1 began on a Monday), not to the epoch's Thursdays
    assert [b.time for b in out if isinstance(b, Batch)] == [1_704_067_200 * S + week * S]


def test_batch_header_comes_from_the_group() -> None:
    node = make_window(period=10, every=10)
    node.point(pt(1, "a"))
    node.point(pt(2, "b", name="mem"))
    out = node.point(pt(11, "a"))
    assert out == [
        Batch(
            "cpu",
            BASE + 11 * S,
            {"host": "a"},
            [BatchPoint(BASE + 1 * S, {"v": 1}, {"host": "a", "cpu": "cpu0"})],
            "db",
            "rp",
            "host=a",
            BY_HOST,
            False,
        )
    ]
    assert node.cardinality() == 2
    by_name = Dimensions(("host",), by_name=True)
    node2 = make_window(period=10, every=10)
    node2.point(Point("cpu", {"host": "a"}, {"v": 1}, BASE, group="cpu\nhost=a", dimensions=by_name))
    [batch] = node2.point(Point("cpu", {"host": "a"}, {"v": 2}, BASE + 10 * S, group="cpu\nhost=a", dimensions=by_name))
    assert isinstance(batch, Batch)
    assert (batch.by_name, batch.group, batch.tags) == (True, "cpu\nhost=a", {"host": "a"})


def test_groups_are_windowed_independently() -> None:
    node = make_window(period=10, every=10)
    secs_hosts = [(1, "a"), (4, "b"), (12, "a"), (13, "b"), (14, "b")]
    out = [b for s, h in secs_hosts for b in node.point(pt(s, h))]
    assert [(b.group, (b.time - BASE) // S, len(b.points)) for b in out if isinstance(b, Batch)] == [
        ("host=a", 11, 1),
        ("host=b", 14, 2),
    ]


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"period": 10, "periodCount": 3, "everyCount": 1}, window_module.ERR_BOTH_PERIODS),
        ({"periodCount": 3, "everyCount": 1, "align": True}, window_module.ERR_ALIGN_COUNT),
        ({"periodCount": 3}, window_module.ERR_EVERY_COUNT),
        ({}, window_module.ERR_NO_PERIOD),
        ({"every": 10}, window_module.ERR_NO_PERIOD),
    ],
    ids=["both-periods", "align-count", "every-count-missing", "no-period", "only-every"],
)
def test_invalid_windows(props: dict[str, Any], message: str) -> None:
    with pytest.raises(NodeError) as err:
        make_window(**props)
    assert str(err.value) == message


def test_error_texts_are_kapacitors() -> None:
    assert window_module.ERR_BOTH_PERIODS == "cannot specify both period and periodCount"
    assert window_module.ERR_ALIGN_COUNT == "can only align windows based off time, not count"
    assert window_module.ERR_EVERY_COUNT == "everyCount must be greater than zero"
    assert window_module.ERR_NO_PERIOD == "window node must have either a non zero period or non zero period count"


def test_batches_are_refused() -> None:
    node = make_window(period=10)
    with pytest.raises(NodeError) as err:
        node.batch(Batch("cpu", BASE, {}))
    assert str(err.value) == "window does not support batch data"

"""AggregateNode, aggregate functions over batches: result values and types, empty batches, bad rows."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

import pytest

from tocsin.expr.values import Duration
from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, BatchPoint, Dimensions, FieldValue, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.inhibit import Inhibitors
from tocsin.tasks.node import NodeError
from tocsin.tasks.nodes.aggregates import AggregateNode
from tocsin.tasks.nodes.window import WindowNode

S = 1_000_000_000
BASE = 1_700_000_000 * S
BY_HOST = Dimensions(("host",))
GROUP_TAGS = {"host": "a"}


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
        log=logging.getLogger("tests.agg"),
    )


def make_node(desc: str, *args: Any, as_name: str | None = None, point_times: bool = False) -> AggregateNode:
    """`desc2` with the chaining method's arguments; the field is `v` unless given."""
    props: dict[str, list[tuple[Any, ...]]] = {}
    if as_name is not None:
        props["as"] = [(as_name,)]
    if point_times:
        props["usePointTimes"] = [()]
    return AggregateNode(NodeSpec(id=2, desc=desc, args=args, properties=props, parents=[1]), ctx())


def rows(values: Sequence[FieldValue | None], field: str = "v") -> list[BatchPoint]:
    """Row i is at BASE + i s, tagged host=a and cpu=cpu<i>; None leaves the field out (other=1 instead)."""
    out = []
    for i, value in enumerate(values):
        fields: dict[str, FieldValue] = {"other": 1} if value is None else {field: value, "other": i}
        out.append(BatchPoint(BASE + i * S, fields, {"host": "a", "cpu": f"cpu{i}"}))
    return out


def batch_of(values: Sequence[FieldValue | None], time: int = BASE + 60 * S) -> Batch:
    return Batch("cpu", time, dict(GROUP_TAGS), rows(values), "db", "rp", "host=a", BY_HOST)


def only_point(items: list[Item]) -> Point:
    assert len(items) == 1
    [item] = items
    assert isinstance(item, Point)
    return item


def value_of(desc: str, args: tuple[Any, ...], values: list[FieldValue | None]) -> FieldValue:
    point = only_point(make_node(desc, *args).batch(batch_of(values)))
    assert list(point.fields) == [desc]
    return point.fields[desc]


AGGREGATES: list[tuple[str, str, list[FieldValue | None], FieldValue]] = [
    ("count-floats", "count", [1.0, 2.0, 3.0], 3),
    ("count-ints", "count", [1, 2], 2),
    ("count-strings", "count", ["a", "b", "a"], 3),
    ("count-bools", "count", [True, False], 2),
    ("count-skips-rows-without-field", "count", [1.0, None, 2.0], 2),
    ("sum-floats", "sum", [1.5, 2.5], 4.0),
    ("sum-ints-stays-int", "sum", [1, 2, 3], 6),
    ("mean-floats", "mean", [1.0, 2.0, 4.0], 7.0 / 3.0),
    ("mean-ints-is-float", "mean", [2, 4], 3.0),
    ("mean-ints-fraction", "mean", [1, 2], 1.5),
    ("mean-single", "mean", [5.0], 5.0),
    ("median-odd", "median", [3.0, 1.0, 2.0], 2.0),
    ("median-even-midpoint", "median", [4.0, 1.0, 3.0, 2.0], 2.5),
    ("median-ints-even", "median", [1, 2, 3, 4], 2.5),
    ("median-ints-odd-is-float", "median", [5, 1, 3], 3.0),
    ("median-single-int", "median", [7], 7.0),
    ("median-single-float", "median", [7.5], 7.5),
    ("mode-floats", "mode", [1.0, 2.0, 2.0, 3.0], 2.0),
    ("mode-ints-stays-int", "mode", [4, 4, 9], 4),
    ("mode-tie-later-run-starting-later-loses", "mode", [1, 1, 3, 3], 1),
    ("mode-tie-influxdb-quirk", "mode", [1, 3, 1, 3], 3),
    ("mode-tie-reversed", "mode", [3, 1, 3, 1], 3),
    ("mode-all-distinct-smallest", "mode", [5.0, 4.0, 6.0], 4.0),
    ("spread-floats", "spread", [1.0, 5.5, 3.0], 4.5),
    ("spread-ints-stays-int", "spread", [3, 10, 4], 7),
    ("spread-single", "spread", [2.0], 0.0),
    ("stddev-floats", "stddev", [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0], math.sqrt(32.0 / 7.0)),
    ("stddev-ints-is-float", "stddev", [2, 4, 4, 4, 5, 5, 7, 9], math.sqrt(32.0 / 7.0)),
    ("stddev-two", "stddev", [1.0, 3.0], math.sqrt(2.0)),
]


@pytest.mark.parametrize(("desc", "values", "expected"), [c[1:] for c in AGGREGATES], ids=[c[0] for c in AGGREGATES])
def test_aggregate_values_and_types(desc: str, values: list[FieldValue | None], expected: FieldValue) -> None:
    result = value_of(desc, ("v",), values)
    assert result == expected
    assert type(result) is type(expected)


def test_stddev_of_one_row_is_nan() -> None:
    result = value_of("stddev", ("v",), [3.0])
    assert isinstance(result, float) and math.isnan(result)


def test_output_point_has_the_batch_time_and_group_tags() -> None:
    node = make_node("mean", "v", as_name="value")
    point = only_point(node.batch(batch_of([1.0, 3.0], time=BASE + 90 * S)))
    assert point == Point("cpu", {"host": "a"}, {"value": 2.0}, BASE + 90 * S, "", "", "host=a", BY_HOST)
    assert node.cardinality() == 1


@pytest.mark.parametrize("desc", ["mean", "median", "mode", "spread", "stddev"])
def test_use_point_times_does_not_move_aggregates(desc: str) -> None:
    point = only_point(make_node(desc, "v", point_times=True).batch(batch_of([1.0, 2.0, 2.0])))
    assert point.time == BASE + 60 * S


@pytest.mark.parametrize(
    ("desc", "expected_time"),
    [
        ("count", BASE + 60 * S),
        ("sum", 0),  # InfluxDB's sum starts from a point at the epoch
        ("mode", BASE),  # one float row is returned as it is, with its time
        ("median", BASE),
    ],
    ids=["count", "sum", "mode-single", "median-single"],
)
def test_use_point_times_quirks(desc: str, expected_time: int) -> None:
    point = only_point(make_node(desc, "v", point_times=True).batch(batch_of([4.0])))
    assert point.time == expected_time


@pytest.mark.parametrize(("desc", "expected"), [("count", 0), ("sum", 0.0)])
def test_empty_batch_emits_zero_for_count_and_sum(desc: str, expected: FieldValue) -> None:
    point = only_point(make_node(desc, "v").batch(batch_of([])))
    assert point.fields == {desc: expected} and type(point.fields[desc]) is type(expected)
    assert point.time == BASE + 60 * S


@pytest.mark.parametrize("desc", ["mean", "median", "mode", "spread", "stddev", "first", "last", "min", "max"])
def test_empty_batch_emits_nothing(desc: str) -> None:
    node = make_node(desc, "v")
    assert node.batch(batch_of([])) == []
    assert node.soft_errors == 0


def test_batch_without_the_field_emits_nothing_but_count_zero(caplog: pytest.LogCaptureFixture) -> None:
    node = make_node("mean", "v")
    assert node.batch(batch_of([None, None])) == []
    assert node.soft_errors == 2
    assert caplog.records[-1].getMessage().endswith('field "v" missing from point')
    count = make_node("count", "v")
    assert only_point(count.batch(batch_of([None]))).fields == {"count": 0}


def test_rows_missing_the_field_after_the_first_are_counted_as_errors(caplog: pytest.LogCaptureFixture) -> None:
    node = make_node("sum", "v")
    assert only_point(node.batch(batch_of([None, 1.0, None, 2.0]))).fields == {"sum": 3.0}
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0].endswith('field "v" missing from point')
    assert messages[1].endswith("field v missing from point cannot aggregate")
    assert node.soft_errors == 2


def test_rows_of_another_type_are_skipped(caplog: pytest.LogCaptureFixture) -> None:
    node = make_node("mean", "v")
    assert only_point(node.batch(batch_of([1.0, 5, 3.0]))).fields == {"mean": 2.0}
    assert caplog.records[-1].getMessage().endswith("field v has wrong type: got int64 exp float64")
    ints = make_node("sum", "v")
    assert only_point(ints.batch(batch_of([1, True, 2]))).fields == {"sum": 3}
    assert caplog.records[-1].getMessage().endswith("field v has wrong type: got bool exp int64")


@pytest.mark.parametrize(
    ("desc", "values", "kind"),
    [
        ("mean", ["a", "b"], "string"),
        ("spread", [True], "bool"),
        ("max", ["x"], "string"),
        ("top", [True], "bool"),
    ],
    ids=["mean-string", "spread-bool", "max-string", "top-bool"],
)
def test_unsupported_field_types(
    caplog: pytest.LogCaptureFixture, desc: str, values: list[FieldValue], kind: str
) -> None:
    args: tuple[Any, ...] = (1, "v") if desc == "top" else ("v",)
    node = make_node(desc, *args)
    assert node.batch(batch_of(values)) == []
    assert (
        caplog.records[-1]
        .getMessage()
        .endswith(f"invalid influxql func {desc} with field v: cannot apply {desc} to {kind} field")
    )


def test_unsupported_type_for_sum_still_emits_zero(caplog: pytest.LogCaptureFixture) -> None:
    # sum handles empty batches, and a batch whose rows were all refused is empty to it
    node = make_node("sum", "v")
    assert only_point(node.batch(batch_of([True]))).fields == {"sum": 0.0}
    assert (
        caplog.records[-1]
        .getMessage()
        .endswith("invalid influxql func sum with field v: cannot apply sum to bool field")
    )


def test_quiet_node_counts_but_does_not_log(caplog: pytest.LogCaptureFixture) -> None:
    node = AggregateNode(NodeSpec(id=2, desc="mean", args=("v",), properties={"quiet": [()]}), ctx())
    assert node.batch(batch_of([None])) == []
    assert node.soft_errors == 1
    assert caplog.records == []


def test_groups_are_kept_apart() -> None:
    node = make_node("count", "v")
    other = Batch("cpu", BASE, {"host": "b"}, rows([1.0]), group="host=b", dimensions=BY_HOST)
    assert only_point(node.batch(other)).tags == {"host": "b"}
    assert only_point(node.batch(batch_of([1.0, 2.0]))).tags == {"host": "a"}
    assert node.cardinality() == 2


@pytest.mark.parametrize(
    ("desc", "args"),
    [
        ("mean", ()),
        ("mean", (1,)),
        ("mean", ("v", "w")),
        ("percentile", ("v",)),
        ("percentile", ("v", "90")),
        ("top", ("v",)),
        ("top", (0, "v")),
        ("top", ("2", "v")),
        ("elapsed", ("v",)),
        ("elapsed", ("v", Duration(0))),
        ("movingAverage", ("v", 0)),
        ("movingAverage", ("v", 2.0)),
    ],
    ids=[
        "no-field",
        "field-not-string",
        "too-many",
        "percentile-missing",
        "percentile-string",
        "top-no-count",
        "top-zero",
        "top-count-string",
        "elapsed-no-unit",
        "elapsed-zero-unit",
        "moving-zero",
        "moving-float",
    ],
)
def test_bad_arguments_fail_at_start(desc: str, args: tuple[Any, ...]) -> None:
    with pytest.raises(NodeError) as err:
        make_node(desc, *args)
    assert str(err.value).startswith(f"{desc}2: {desc}()")


def test_chronograf_threshold_shape() -> None:
    """`|window().period(10s).every(5s).align()|mean('usage_user').as('value')` gives the alert points."""
    window = WindowNode(
        NodeSpec(
            id=1,
            desc="window",
            properties={"period": [(Duration(10 * S),)], "every": [(Duration(5 * S),)], "align": [()]},
        ),
        ctx(),
    )
    mean = AggregateNode(NodeSpec(id=2, desc="mean", args=("usage_user",), properties={"as": [("value",)]}), ctx())
    out: list[Item] = []
    for sec, usage in [(1, 10.0), (3, 20.0), (6, 30.0), (9, 50.0), (12, 70.0)]:
        point = Point(
            "cpu",
            {"host": "a", "cpu": "cpu-total"},
            {"usage_user": usage},
            BASE + sec * S,
            "telegraf",
            "autogen",
            "host=a",
            BY_HOST,
        )
        for batch in window.point(point):
            assert isinstance(batch, Batch)
            out.extend(mean.batch(batch))
    assert out == [
        Point("cpu", {"host": "a"}, {"value": 15.0}, BASE + 5 * S, "", "", "host=a", BY_HOST),
        Point("cpu", {"host": "a"}, {"value": 27.5}, BASE + 10 * S, "", "", "host=a", BY_HOST),
    ]

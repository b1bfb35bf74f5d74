"""AggregateNode transformations (row by row, on batches and streams) and aggregates on a stream edge."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tasks.test_aggregates import BASE, BY_HOST, S, make_node
from tocsin.expr.values import Duration
from tocsin.points import Batch, BatchPoint, FieldValue, Item, Point

BATCH_TIME = BASE + 60 * S


def transformed(desc: str, extra: tuple[Any, ...], batch: Batch) -> list[tuple[int, FieldValue]]:
    """Run one batch; the output must keep the batch's header. Returns (row second, value) pairs."""
    out = make_node(desc, "v", *extra).batch(batch)
    assert len(out) == 1
    [result] = out
    assert isinstance(result, Batch)
    assert (result.name, result.time, result.tags, result.database, result.retention_policy, result.group) == (
        batch.name,
        batch.time,
        batch.tags,
        batch.database,
        batch.retention_policy,
        batch.group,
    )
    for row in result.points:
        assert list(row.fields) == [desc]
        assert row.tags == {"host": "a"}  # the group's tags, not the row's
    return [((row.time - BASE) // S, row.fields[desc]) for row in result.points]


def at_times(pairs: list[tuple[int, FieldValue | None]]) -> Batch:
    points = [
        BatchPoint(BASE + sec * S, {"other": 0} if v is None else {"v": v}, {"host": "a", "cpu": "c"})
        for sec, v in pairs
    ]
    return Batch("cpu", BATCH_TIME, {"host": "a"}, points, "db", "rp", "host=a", BY_HOST)


TRANSFORMS: list[tuple[str, str, tuple[Any, ...], list[tuple[int, FieldValue | None]], list[tuple[int, Any]]]] = [
    ("difference", "difference", (), [(0, 1.0), (1, 4.0), (2, 2.0)], [(1, 3.0), (2, -2.0)]),
    ("difference-ints", "difference", (), [(0, 1), (1, 4)], [(1, 3)]),
    ("difference-skips-same-time", "difference", (), [(0, 1.0), (1, 5.0), (1, 9.0), (2, 3.0)], [(1, 4.0), (2, -2.0)]),
    ("elapsed-seconds", "elapsed", (Duration(S),), [(0, 1.0), (1, 1.0), (3, 1.0)], [(1, 1), (3, 2)]),
    ("elapsed-truncates", "elapsed", (Duration(2 * S),), [(0, "a"), (1, "b"), (4, "c")], [(1, 0), (4, 1)]),
    ("elapsed-bools", "elapsed", (Duration(S),), [(0, True), (2, False)], [(2, 2)]),
    (
        "moving-average",
        "movingAverage",
        (3,),
        [(0, 1.0), (1, 2.0), (2, 3.0), (3, 4.0), (4, 5.0)],
        [(2, 2.0), (3, 3.0), (4, 4.0)],
    ),
    ("moving-average-ints-is-float", "movingAverage", (2,), [(0, 1), (1, 2), (2, 4)], [(1, 1.5), (2, 3.0)]),
    ("moving-average-window-of-one", "movingAverage", (1,), [(0, 2), (1, 7)], [(0, 2.0), (1, 7.0)]),
    ("cumulative-sum-ints", "cumulativeSum", (), [(0, 1), (1, 2), (2, 3)], [(0, 1), (1, 3), (2, 6)]),
    ("cumulative-sum-floats", "cumulativeSum", (), [(0, 0.5), (1, 0.25)], [(0, 0.5), (1, 0.75)]),
    # as in Kapacitor, a row that fails to aggregate re-emits the current result
    (
        "cumulative-sum-bad-row-repeats",
        "cumulativeSum",
        (),
        [(0, 1.0), (1, None), (2, 2.0)],
        [(0, 1.0), (0, 1.0), (2, 3.0)],
    ),
    (
        "difference-bad-row-does-not-repeat",
        "difference",
        (),
        [(0, 1.0), (1, 3.0), (2, None), (3, 4.0)],
        [(1, 2.0), (3, 1.0)],
    ),
    ("first-row-without-field-is-skipped", "cumulativeSum", (), [(0, None), (1, 2)], [(1, 2)]),
    ("empty", "difference", (), [], []),
]


@pytest.mark.parametrize(
    ("desc", "extra", "pairs", "expected"), [c[1:] for c in TRANSFORMS], ids=[c[0] for c in TRANSFORMS]
)
def test_transforms_on_batches(
    desc: str, extra: tuple[Any, ...], pairs: list[tuple[int, FieldValue | None]], expected: list[tuple[int, Any]]
) -> None:
    result = transformed(desc, extra, at_times(pairs))
    assert result == expected
    assert [type(v) for _, v in result] == [type(v) for _, v in expected]


def test_transform_state_restarts_with_each_batch() -> None:
    node = make_node("difference", "v")
    node.batch(at_times([(0, 1.0), (1, 2.0)]))
    [second] = node.batch(at_times([(2, 10.0), (3, 15.0)]))
    assert isinstance(second, Batch)
    assert [p.fields for p in second.points] == [{"difference": 5.0}]


def pt(sec: int, value: FieldValue | None, host: str = "a", cpu: str = "cpu0") -> Point:
    fields: dict[str, FieldValue] = {"other": 9} if value is None else {"v": value, "other": 9}
    return Point("cpu", {"host": host, "cpu": cpu}, fields, BASE + sec * S, "db", "rp", f"host={host}", BY_HOST)


def run(node_args: tuple[Any, ...], points: list[Point], **kw: Any) -> list[Item]:
    node = make_node(*node_args, **kw)
    return [item for p in points for item in node.point(p)]


def test_transform_on_a_stream_emits_a_point_per_point() -> None:
    out = run(("difference", "v"), [pt(0, 1.0), pt(1, 4.0), pt(2, 2.0, cpu="cpu1")])
    assert out == [
        Point("cpu", {"host": "a"}, {"difference": 3.0}, BASE + 1 * S, "", "", "host=a", BY_HOST),
        Point("cpu", {"host": "a"}, {"difference": -2.0}, BASE + 2 * S, "", "", "host=a", BY_HOST),
    ]


def test_moving_average_on_a_stream_keeps_state_per_group() -> None:
    out = run(("movingAverage", "v", 2), [pt(0, 1.0, "a"), pt(0, 10.0, "b"), pt(1, 3.0, "a"), pt(2, 20.0, "b")])
    assert [(p.group, (p.time - BASE) // S, p.fields) for p in out if isinstance(p, Point)] == [
        ("host=a", 1, {"movingAverage": 2.0}),
        ("host=b", 2, {"movingAverage": 15.0}),
    ]


def test_aggregate_on_a_stream_reduces_points_sharing_a_time() -> None:
    out = run(("mean", "v"), [pt(0, 1.0), pt(0, 3.0, cpu="cpu1"), pt(1, 5.0), pt(2, 0.0)])
    # a time's result is sent when the first point of the next time arrives
    assert out == [
        Point("cpu", {"host": "a"}, {"mean": 2.0}, BASE, "", "", "host=a", BY_HOST),
        Point("cpu", {"host": "a"}, {"mean": 5.0}, BASE + 1 * S, "", "", "host=a", BY_HOST),
    ]


def test_count_on_a_stream_and_missing_fields() -> None:
    node = make_node("count", "v")
    outs = [node.point(p) for p in [pt(0, None), pt(0, 1.0), pt(0, 2.0), pt(1, 1.0)]]
    assert outs[:3] == [[], [], []]
    [point] = outs[3]
    assert isinstance(point, Point)
    assert point.fields == {"count": 2}
    assert node.soft_errors == 1


def test_selector_on_a_stream_keeps_the_row() -> None:
    out = run(("max", "v"), [pt(0, 1.0), pt(0, 3.0, cpu="cpu7"), pt(1, 0.0)], as_name="peak")
    assert out == [
        Point("cpu", {"host": "a", "cpu": "cpu7"}, {"peak": 3.0, "other": 9}, BASE, "", "", "host=a", BY_HOST)
    ]


def test_top_on_a_stream_emits_a_batch() -> None:
    out = run(("top", 1, "v"), [pt(0, 1.0), pt(0, 3.0, cpu="cpu7"), pt(5, 0.0)])
    assert out == [
        Batch(
            "cpu",
            BASE,
            {"host": "a"},
            [BatchPoint(BASE, {"top": 3.0}, {"host": "a", "cpu": "cpu7"})],
            "",
            "",
            "host=a",
            BY_HOST,
            False,
        )
    ]


def test_stream_groups_are_independent() -> None:
    node = make_node("sum", "v")
    assert node.point(pt(0, 1, "a")) == []
    assert node.point(pt(1, 2, "b")) == []
    [a] = node.point(pt(1, 5, "a"))
    assert isinstance(a, Point) and (a.group, a.fields, a.time) == ("host=a", {"sum": 1}, BASE)
    assert node.cardinality() == 2

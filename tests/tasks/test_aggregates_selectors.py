"""AggregateNode selectors: first/last/min/max/percentile keep the selected row; top/bottom/distinct emit batches."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tasks.test_aggregates import BASE, BY_HOST, S, batch_of, make_node, only_point
from tocsin.points import Batch, BatchPoint, FieldValue, Item

BATCH_TIME = BASE + 60 * S


def row_tags(i: int) -> dict[str, str]:
    return {"host": "a", "cpu": f"cpu{i}"}


SELECTORS: list[tuple[str, str, tuple[Any, ...], list[FieldValue | None], int, FieldValue]] = [
    ("first", "first", (), [3.0, 1.0, 2.0], 0, 3.0),
    ("last", "last", (), [3.0, 1.0, 2.0], 2, 2.0),
    ("min", "min", (), [3.0, 1.0, 2.0], 1, 1.0),
    ("max", "max", (), [3.0, 1.0, 2.0], 0, 3.0),
    ("min-tie-earlier-row", "min", (), [2.0, 1.0, 1.0], 1, 1.0),
    ("max-tie-earlier-row", "max", (), [5, 5, 1], 0, 5),
    ("first-string", "first", (), ["b", "a"], 0, "b"),
    ("last-bool", "last", (), [True, False], 1, False),
    ("first-skips-missing", "first", (), [None, 7, 8], 1, 7),
    ("percentile-50-odd", "percentile", (50.0,), [5.0, 1.0, 3.0], 2, 3.0),
    ("percentile-int", "percentile", (50.0,), [10, 20, 30, 40, 50], 2, 30),
    ("percentile-90", "percentile", (90.0,), [10, 20, 30, 40, 50], 4, 50),
    ("percentile-100", "percentile", (100.0,), [10, 20, 30, 40, 50], 4, 50),
    ("percentile-10", "percentile", (10.0,), [10, 20, 30, 40, 50], 0, 10),
    ("percentile-25-rounds-down", "percentile", (25.0,), [10, 20, 30, 40, 50], 0, 10),
    ("percentile-30-rounds-half-up", "percentile", (30.0,), [10, 20, 30, 40, 50], 1, 20),
    ("percentile-int-argument", "percentile", (50,), [10, 20, 30, 40, 50], 2, 30),
]


@pytest.mark.parametrize(
    ("desc", "extra", "values", "row", "expected"), [c[1:] for c in SELECTORS], ids=[c[0] for c in SELECTORS]
)
def test_selectors_emit_the_selected_row(
    desc: str, extra: tuple[Any, ...], values: list[FieldValue | None], row: int, expected: FieldValue
) -> None:
    point = only_point(make_node(desc, "v", *extra).batch(batch_of(values)))
    # the row's own fields come along, with the selected field renamed to the function name
    assert point.fields == {desc: expected, "other": row}
    assert type(point.fields[desc]) is type(expected)
    assert point.tags == row_tags(row)
    assert point.time == BATCH_TIME
    assert (point.group, point.dimensions) == ("host=a", BY_HOST)


@pytest.mark.parametrize("desc", ["first", "last", "min", "max"])
def test_selectors_use_point_times(desc: str) -> None:
    point = only_point(make_node(desc, "v", point_times=True).batch(batch_of([3.0, 1.0, 2.0])))
    row = {"first": 0, "last": 2, "min": 1, "max": 0}[desc]
    assert point.time == BASE + row * S


def test_selector_as_same_name_keeps_fields() -> None:
    point = only_point(make_node("max", "v", as_name="v").batch(batch_of([1.0, 2.0])))
    assert point.fields == {"v": 2.0, "other": 1}


@pytest.mark.parametrize(
    ("desc", "values", "expected"),
    [
        ("first", [1.0, 4.0], 4.0),
        ("last", [4.0, 1.0], 4.0),
        ("first", [True, False], False),
        ("last", [False, True], True),
        ("first", ["a", "b"], "b"),
    ],
    ids=["first-float", "last-float", "first-bool-false", "last-bool-true", "first-string"],
)
def test_first_last_ties_at_the_same_time(desc: str, values: list[FieldValue], expected: FieldValue) -> None:
    same_time = [BatchPoint(BASE, {"v": v}, {"host": "a"}) for v in values]
    batch = Batch("cpu", BATCH_TIME, {"host": "a"}, same_time, group="host=a", dimensions=BY_HOST)
    assert only_point(make_node(desc, "v").batch(batch)).fields == {desc: expected}


@pytest.mark.parametrize("p", [0.0, -5.0, 200.0], ids=["zero", "negative", "above-100"])
def test_percentile_out_of_range_emits_nothing(p: float) -> None:
    assert make_node("percentile", "v", p).batch(batch_of([1.0, 2.0])) == []


def only_batch(items: list[Item]) -> Batch:
    assert len(items) == 1
    [item] = items
    assert isinstance(item, Batch)
    return item


def rows_of(batch: Batch) -> list[tuple[int, dict[str, FieldValue], dict[str, str]]]:
    return [((p.time - BASE) // S, p.fields, p.tags) for p in batch.points]


RANKED: list[tuple[str, str, tuple[Any, ...], list[FieldValue | None], list[tuple[int, FieldValue]]]] = [
    ("top-2-tie-earlier-first", "top", (2,), [1.0, 5.0, 3.0, 5.0, 2.0], [(1, 5.0), (3, 5.0)]),
    ("top-3", "top", (3,), [1.0, 5.0, 3.0, 5.0, 2.0], [(1, 5.0), (3, 5.0), (2, 3.0)]),
    ("top-more-than-rows", "top", (9,), [1, 3, 2], [(1, 3), (2, 2), (0, 1)]),
    ("top-extra-tags-do-not-change-output", "top", (2, "cpu"), [1.0, 5.0, 3.0], [(1, 5.0), (2, 3.0)]),
    ("bottom-2", "bottom", (2,), [1.0, 5.0, 3.0, 5.0, 2.0], [(0, 1.0), (4, 2.0)]),
    ("bottom-tie-earlier-first", "bottom", (2,), [2, 1, 1], [(1, 1), (2, 1)]),
]


@pytest.mark.parametrize(
    ("desc", "n_and_tags", "values", "expected"), [c[1:] for c in RANKED], ids=[c[0] for c in RANKED]
)
def test_top_bottom(
    desc: str, n_and_tags: tuple[Any, ...], values: list[FieldValue | None], expected: list[tuple[int, FieldValue]]
) -> None:
    n, *tags = n_and_tags
    batch = only_batch(make_node(desc, n, "v", *tags).batch(batch_of(values)))
    assert (batch.name, batch.time, batch.tags, batch.group, batch.by_name) == (
        "cpu",
        BATCH_TIME,
        {"host": "a"},
        "host=a",
        False,
    )
    # rows carry the selected rows' tags and the batch time; only the function's field is kept
    assert rows_of(batch) == [(60, {desc: v}, row_tags(i)) for i, v in expected]


def test_top_use_point_times_moves_the_batch_time_forward() -> None:
    node = make_node("top", 2, "v", point_times=True)
    batch = only_batch(node.batch(batch_of([1.0, 5.0, 3.0], time=BASE)))
    assert [p.time for p in batch.points] == [BASE + 1 * S, BASE + 2 * S]
    assert batch.time == BASE + 2 * S


def test_distinct() -> None:
    batch = only_batch(make_node("distinct", "v").batch(batch_of([2.0, 1.0, 2.0, 3.0, 1.0])))
    assert rows_of(batch) == [
        (60, {"distinct": 2.0}, {"host": "a"}),
        (60, {"distinct": 1.0}, {"host": "a"}),
        (60, {"distinct": 3.0}, {"host": "a"}),
    ]


def test_distinct_point_times_are_first_occurrences() -> None:
    batch = only_batch(make_node("distinct", "v", point_times=True).batch(batch_of(["x", "y", "x", "z"])))
    assert [((p.time - BASE) // S, p.fields) for p in batch.points] == [
        (0, {"distinct": "x"}),
        (1, {"distinct": "y"}),
        (3, {"distinct": "z"}),
    ]
    bools = only_batch(make_node("distinct", "v").batch(batch_of([True, True, False])))
    assert [p.fields for p in bools.points] == [{"distinct": True}, {"distinct": False}]


@pytest.mark.parametrize(("desc", "args"), [("top", (2, "v")), ("bottom", (2, "v")), ("distinct", ("v",))])
def test_batch_selectors_skip_empty_batches(desc: str, args: tuple[Any, ...]) -> None:
    assert make_node(desc, *args).batch(batch_of([])) == []

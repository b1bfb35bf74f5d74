"""where, eval, groupBy, default, delete and shift on points and batches."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tasks.kit import T0, S, batch, captured, chain, dur, lam, node, pt, push, run
from tocsin.pipeline.spec import STAR, EdgeType
from tocsin.points import Batch, BatchPoint, Dimensions, Point


def fields_of(items: list[Any]) -> list[dict[str, Any]]:
    return [item.fields for item in items]


def test_where_filters_points() -> None:
    points = [pt(fields={"value": v}) for v in (1, 5, 10)]
    ex, out = run(chain(node("where", lam('"value" > 3')), node("capture")), points)
    assert out == points[1:]
    assert ex.stats()["node-stats"]["where1"]["working_cardinality"] == 1


def test_where_filters_batch_rows_and_counts_row_errors() -> None:
    b = batch([(T0, {"value": 1}), (T0 + S, {"value": 5}), (T0 + 2 * S, {"other": 1})])
    ex = run(chain(node("where", lam('"value" > 3')), node("capture"), kind=EdgeType.BATCH), [])[0]
    push(ex, b)
    out = captured(ex, "capture2")
    assert isinstance(out[0], Batch)
    assert out[0].points == [BatchPoint(T0 + S, {"value": 5}, {})]
    assert ex.stats()["node-stats"]["where1"]["errors"] == 1


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        ({"as_": ("a", "b")}, {"a": 2.0, "b": 4.0}),
        ({"as_": ("a", "b"), "keep": ()}, {"value": 1.0, "other": 7, "a": 2.0, "b": 4.0}),
        ({"as_": ("a", "b"), "keep": ("b", "other")}, {"b": 4.0, "other": 7}),
    ],
    ids=["results-only", "keep-all", "keep-list"],
)
def test_eval_fields(props: dict[str, object], expected: dict[str, object]) -> None:
    spec = node("eval", lam('"value" * 2.0'), lam('"a" * 2.0'), **props)
    _, out = run(chain(spec, node("capture")), [pt(fields={"value": 1.0, "other": 7})])
    assert fields_of(out) == [expected]


def test_eval_tags_turn_results_into_tags() -> None:
    spec = node("eval", lam("'high'"), lam('"value" * 2.0'), as_=("level", "double"), tags=("level",))
    _, out = run(chain(spec, node("capture")), [pt(tags={"host": "a"}, fields={"value": 1.0})])
    assert [(p.tags, p.fields) for p in out] == [({"host": "a", "level": "high"}, {"double": 2.0})]


def test_eval_tag_must_be_a_string() -> None:
    spec = node("eval", lam('"value"'), as_=("v",), tags=("v",))
    ex, out = run(chain(spec, node("capture")), [pt()])
    assert out == []
    assert ex.stats()["node-stats"]["eval1"]["errors"] == 1


def test_eval_chronograf_float_keep() -> None:
    spec = node("eval", lam('float("value")'), as_=("value",), keep=())
    _, out = run(chain(spec, node("capture")), [pt(fields={"value": 3, "x": "y"})])
    assert fields_of(out) == [{"value": 3.0, "x": "y"}]


def test_eval_needs_one_name_per_lambda() -> None:
    from tocsin.tasks.executor import TaskStartError

    with pytest.raises(TaskStartError) as info:
        run(chain(node("eval", lam('"value"')), node("capture")), [])
    assert str(info.value) == "failed to create eval1 node: must provide one name per expression via the 'As' property"


def test_eval_errors_drop_the_point_and_count() -> None:
    spec = node("eval", lam('"value" + 1'), as_=("v",))
    ex, out = run(chain(spec, node("capture")), [pt(fields={"value": 1.5}), pt(fields={"value": 2})])
    assert fields_of(out) == [{"v": 3}]
    assert ex.stats()["node-stats"]["eval1"]["errors"] == 1


def test_eval_keep_unknown_field_is_an_error() -> None:
    spec = node("eval", lam('"value"'), as_=("v",), keep=("nope",))
    ex, out = run(chain(spec, node("capture")), [pt()])
    assert out == []
    assert ex.stats()["node-stats"]["eval1"]["errors"] == 1


def test_eval_stateful_functions_are_per_group() -> None:
    spec = node("eval", lam("count()"), as_=("n",))
    points = [pt(fields={"value": 1}) for _ in range(3)]
    points[1].group = "host=b"
    _, out = run(chain(spec, node("capture")), points)
    assert fields_of(out) == [{"n": 1}, {"n": 1}, {"n": 2}]


def test_eval_on_batches_row_by_row() -> None:
    b = batch([(T0, {"value": 1.0}), (T0 + S, {"value": "x"})])
    ex = run(chain(node("eval", lam('"value" * 10.0'), as_=("v",)), node("capture"), kind=EdgeType.BATCH), [])[0]
    push(ex, b)
    out = captured(ex, "capture2")
    assert out[0].points == [BatchPoint(T0, {"v": 10.0}, {})]
    assert ex.stats()["node-stats"]["eval1"]["errors"] == 1


def test_group_by_node_regroups_points() -> None:
    spec = node("groupby", "host", "dc", exclude=("dc",), byMeasurement=())
    _, out = run(chain(spec, node("capture")), [pt(tags={"host": "a", "dc": "x"})])
    assert [(p.group, p.dimensions) for p in out] == [("cpu\nhost=a", Dimensions(("host",), True))]


def test_group_by_star_with_exclude() -> None:
    spec = node("groupby", STAR, exclude=("dc",))
    _, out = run(chain(spec, node("capture")), [pt(tags={"host": "a", "dc": "x", "cpu": "0"})])
    assert [(p.group, p.dimensions) for p in out] == [("cpu=0,host=a", Dimensions(("cpu", "host")))]


def test_group_by_splits_batches_when_the_next_time_arrives() -> None:
    ex = run(chain(node("groupby", "host"), node("capture"), kind=EdgeType.BATCH), [])[0]
    first = Batch(
        "cpu",
        T0,
        {},
        [
            BatchPoint(T0 + S, {"v": 1}, {"host": "b"}),
            BatchPoint(T0, {"v": 2}, {"host": "a"}),
            BatchPoint(T0 - S, {"v": 3}, {"host": "b"}),
        ],
    )
    push(ex, first)
    assert captured(ex, "capture2") == []
    push(ex, Batch("cpu", T0 + 10 * S, {}, []))
    host = Dimensions(("host",))
    assert captured(ex, "capture2") == [
        Batch(
            "cpu",
            T0,
            {"host": "b"},
            [BatchPoint(T0 - S, {"v": 3}, {"host": "b"}), BatchPoint(T0 + S, {"v": 1}, {"host": "b"})],
            "",
            "",
            "host=b",
            host,
        ),
        Batch("cpu", T0, {"host": "a"}, [BatchPoint(T0, {"v": 2}, {"host": "a"})], "", "", "host=a", host),
    ]


def test_default_fills_missing_fields_and_tags() -> None:
    spec = node("default", field=[("value", 0.0), ("n", 1)], tag=[("dc", "eu")])
    points = [pt(tags={"dc": "us"}, fields={"value": 5.0}), pt(fields={})]
    ex, out = run(chain(spec, node("capture")), points)
    assert [(p.tags, p.fields) for p in out] == [
        ({"dc": "us"}, {"value": 5.0, "n": 1}),
        ({"dc": "eu"}, {"value": 0.0, "n": 1}),
    ]
    assert points[1].fields == {}  # the input is never modified
    stats = ex.stats()["node-stats"]["default1"]
    assert (stats["fields_defaulted"], stats["tags_defaulted"]) == (3, 1)


def test_delete_removes_fields_and_tags_and_regroups() -> None:
    p = Point(
        "cpu",
        {"host": "a", "dc": "x"},
        {"value": 1.0, "x": 2},
        T0,
        "db",
        "rp",
        "dc=x,host=a",
        Dimensions(("dc", "host")),
    )
    ex, out = run(chain(node("delete", field=("x",), tag=("dc",)), node("capture")), [p])
    assert out == [Point("cpu", {"host": "a"}, {"value": 1.0}, T0, "db", "rp", "host=a", Dimensions(("host",)))]
    stats = ex.stats()["node-stats"]["delete1"]
    assert (stats["fields_deleted"], stats["tags_deleted"]) == (1, 1)


def test_shift_moves_points_and_batches() -> None:
    _, out = run(chain(node("shift", dur(-60)), node("capture")), [pt()])
    assert [p.time for p in out] == [T0 - 60 * S]
    ex = run(chain(node("shift", dur(5)), node("capture"), kind=EdgeType.BATCH), [])[0]
    push(ex, batch([(T0, {"v": 1})]))
    shifted = captured(ex, "capture2")[0]
    assert isinstance(shifted, Batch)
    assert (shifted.time, [r.time for r in shifted.points]) == (T0 + 5 * S, [T0 + 5 * S])

"""derivative, stateDuration, stateCount, changeDetect and sample."""

from __future__ import annotations

import pytest

from tests.tasks.kit import T0, S, batch, captured, chain, dur, lam, node, pt, push, run
from tocsin.pipeline.spec import EdgeType
from tocsin.points import Batch, BatchPoint, Point

WRONG_TYPE = "cannot perform derivative: field is the wrong type field=value type"


def grouped(group: str, t: int, **fields: object) -> Point:
    p = pt(fields=dict(fields), t=t)
    p.group = group
    return p


def test_derivative_per_group_emits_the_current_point() -> None:
    points = [
        grouped("a", T0, value=10),
        grouped("b", T0, value=0.0),
        grouped("a", T0 + 2 * S, value=16),
        grouped("b", T0 + S, value=-4.0),
    ]
    _, out = run(chain(node("derivative", "value"), node("capture")), points)
    assert [(p.group, p.time, p.fields) for p in out] == [
        ("a", T0 + 2 * S, {"value": 3.0}),  # `.as()` defaults to the field itself, as in Kapacitor
        ("b", T0 + S, {"value": -4.0}),
    ]


def test_derivative_unit_non_negative_and_as() -> None:
    spec = node("derivative", "value", unit=dur(60), nonNegative=(), as_="rate")
    points = [pt(fields={"value": v}, t=T0 + i * 30 * S) for i, v in enumerate((1.0, 2.0, 0.0, 1.0))]
    _, out = run(chain(spec, node("capture")), points)
    assert [p.fields["rate"] for p in out] == [2.0, 2.0]


@pytest.mark.parametrize(
    ("second", "message"),
    [
        (pt(fields={"value": "x"}, t=T0 + S), f"{WRONG_TYPE}=string"),
        (pt(fields={"other": 1}, t=T0 + S), f"{WRONG_TYPE}=<nil>"),
        (pt(fields={"value": 2.0}, t=T0), "cannot perform derivative: elaspsed time was 0"),
    ],
    ids=["wrong-type", "missing", "zero-elapsed"],
)
def test_derivative_errors(second: Point, message: str, caplog: pytest.LogCaptureFixture) -> None:
    ex, out = run(chain(node("derivative", "value"), node("capture")), [pt(fields={"value": 1.0}), second])
    assert out == []
    assert ex.stats()["node-stats"]["derivative1"]["errors"] == 1
    assert [r.getMessage() for r in caplog.records] == [f"task=task1 node=derivative1 error: {message}"]


def test_derivative_on_batches() -> None:
    ex = run(chain(node("derivative", "v"), node("capture"), kind=EdgeType.BATCH), [])[0]
    push(ex, batch([(T0, {"v": 1.0}), (T0 + S, {"v": 3.0}), (T0 + 3 * S, {"v": 4.0})]))
    out = captured(ex, "capture2")[0]
    assert isinstance(out, Batch)
    assert out.points == [BatchPoint(T0 + S, {"v": 2.0}, {}), BatchPoint(T0 + 3 * S, {"v": 0.5}, {})]


def test_state_duration() -> None:
    spec = node("state_duration", lam('"value" > 5'), unit=dur(60))
    values = [(0, 6), (30, 7), (90, 8), (120, 1), (150, 9)]
    _, out = run(chain(spec, node("capture")), [pt(fields={"value": v}, t=T0 + s * S) for s, v in values])
    assert [p.fields["state_duration"] for p in out] == [0.0, 0.5, 1.5, -1.0, 0.0]


def test_state_count_per_group_and_as() -> None:
    spec = node("state_count", lam('"value" > 5'), as_="n")
    points = [
        grouped("a", T0, value=6),
        grouped("b", T0, value=6),
        grouped("a", T0 + S, value=7),
        grouped("a", T0 + 2 * S, value=0),
        grouped("b", T0 + S, value=9),
    ]
    ex, out = run(chain(spec, node("capture")), points)
    assert [p.fields["n"] for p in out] == [1, 1, 2, -1, 2]
    assert ex.stats()["node-stats"]["state_count1"]["working_cardinality"] == 2


def test_state_error_drops_the_point() -> None:
    ex, out = run(chain(node("state_count", lam('"nope" > 5')), node("capture")), [pt()])
    assert out == []
    assert ex.stats()["node-stats"]["state_count1"]["errors"] == 1


def test_change_detect() -> None:
    values = [{"a": 1, "b": "x"}, {"a": 1, "b": "x"}, {"a": 1.0, "b": "x"}, {"a": 1.0, "b": "y"}, {"a": 1.0, "b": "y"}]
    _, out = run(chain(node("change_detect", "a", "b"), node("capture")), [pt(fields=f) for f in values])
    assert [p.fields for p in out] == [values[0], values[2], values[3]]


def test_change_detect_missing_field_is_an_error_but_others_count() -> None:
    ex, out = run(
        chain(node("change_detect", "a", "b"), node("capture")),
        [pt(fields={"b": 1}), pt(fields={"b": 1}), pt(fields={"b": 2})],
    )
    assert [p.fields for p in out] == [{"b": 1}, {"b": 2}]
    assert ex.stats()["node-stats"]["change_detect1"]["errors"] == 3


def test_sample_by_count_per_group() -> None:
    points = [grouped(g, T0 + i * S, value=i) for i, g in enumerate("aabab")]
    _, out = run(chain(node("sample", 2), node("capture")), points)
    assert [p.fields["value"] for p in out] == [0, 2, 3]


def test_sample_by_duration() -> None:
    base = T0 - T0 % (10 * S)
    points = [pt(fields={"value": i}, t=base + i * 5 * S) for i in range(4)]
    _, out = run(chain(node("sample", dur(10)), node("capture")), points)
    assert [p.fields["value"] for p in out] == [0, 2]

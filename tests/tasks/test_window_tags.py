"""Batches as rows (Kapacitor's BatchToRow): the tags a window's points carry beyond the group are columns.

Seen wherever a batch becomes an InfluxQL series: httpOut, httpPost bodies and the `data` of an alert.
"""

from __future__ import annotations

from typing import Any

from tests.tasks.kit import T0, S, captured, chain, context, dur, executor, lam, node
from tocsin.alert.event import Event
from tocsin.points import Batch, BatchPoint, Dimensions, Point, result_of

BY_HOST = Dimensions(("host",))
T0_TEXT = "2020-09-13T12:26:40Z"
T1_TEXT = "2020-09-13T12:26:41Z"


def points(grouped: bool = False) -> list[Point]:
    """Two points in the first 10s window and one that closes it."""
    out = []
    for host, kind, value, t in (("a", "x", 1.0, T0), ("b", "y", 2.0, T0 + S), ("a", "x", 3.0, T0 + 10 * S)):
        p = Point("cpu", {"host": host, "type": kind}, {"value": value}, t, "db", "rp")
        if grouped:
            p.group, p.dimensions = f"host={host}", BY_HOST
        out.append(p)
    return out


def window() -> Any:
    return node("window", period=dur(10), every=dur(10))


def test_window_results_list_the_points_tags_as_columns() -> None:
    ctx = context()
    ex = executor(chain(window(), node("http_out", "out")), ctx)
    for p in points():
        ex.write(p)
    assert ctx.http_outputs["out"] == {
        "series": [
            {
                "name": "cpu",
                "columns": ["time", "host", "type", "value"],
                "values": [[T0_TEXT, "a", "x", 1.0], [T1_TEXT, "b", "y", 2.0]],
            }
        ]
    }


def test_grouped_tags_stay_on_the_series_and_the_others_become_columns() -> None:
    ctx = context()
    ex = executor(chain(window(), node("http_out", "out")), ctx)
    for p in points(grouped=True):
        ex.write(p)
    # host=b has not been closed by a later point of its own group; host=a has
    assert ctx.http_outputs["out"] == {
        "series": [
            {
                "name": "cpu",
                "tags": {"host": "a"},
                "columns": ["time", "type", "value"],
                "values": [[T0_TEXT, "x", 1.0]],
            }
        ]
    }


def test_top_and_bottom_keep_the_rows_tags_as_columns() -> None:
    results = {}
    for method in ("top", "bottom"):
        ctx = context()
        ex = executor(chain(window(), node(method, 1, "value"), node("http_out", "out")), ctx)
        for p in points():
            ex.write(p)
        results[method] = ctx.http_outputs["out"]
    # the selected row's time only with .usePointTimes(): here the window's end
    end = "2020-09-13T12:26:50Z"
    assert results == {
        "top": {
            "series": [{"name": "cpu", "columns": ["time", "host", "top", "type"], "values": [[end, "b", 2.0, "y"]]}]
        },
        "bottom": {
            "series": [{"name": "cpu", "columns": ["time", "bottom", "host", "type"], "values": [[end, 1.0, "a", "x"]]}]
        },
    }


def test_an_alert_on_a_window_carries_the_tag_columns_in_its_data() -> None:
    events: list[Event] = []
    ctx = context()
    ctx.emit = lambda event, derive: events.append(event)
    ex = executor(chain(window(), node("alert", crit=(lam('"value" > 0'),), topic="t"), node("capture")), ctx)
    for p in points():
        ex.write(p)
    assert len(captured(ex, "capture3")) == 1
    assert [e.data for e in events] == [
        {
            "series": [
                {
                    "name": "cpu",
                    "columns": ["time", "host", "type", "value"],
                    "values": [[T0_TEXT, "a", "x", 1.0], [T1_TEXT, "b", "y", 2.0]],
                }
            ]
        }
    ]


def test_columns_come_from_the_first_row_as_batch_to_row_does() -> None:
    rows = [
        BatchPoint(T0, {"value": 1.0}, {"host": "a", "dc": "eu"}),
        BatchPoint(T0 + S, {"other": 2.0}, {"host": "a"}),
    ]
    assert result_of(Batch("cpu", T0 + S, {"host": "a"}, rows)) == {
        "series": [
            {
                "name": "cpu",
                "tags": {"host": "a"},
                "columns": ["time", "dc", "value"],
                "values": [[T0_TEXT, "eu", 1.0], [T1_TEXT, None, None]],
            }
        ]
    }


def test_a_tag_named_like_a_field_is_a_column_twice_holding_the_field() -> None:
    rows = [BatchPoint(T0, {"host": 1.0}, {"host": "a"})]
    assert result_of(Batch("cpu", T0, {}, rows))["series"][0]["columns"] == ["time", "host", "host"]
    assert result_of(Batch("cpu", T0, {}, rows))["series"][0]["values"] == [[T0_TEXT, 1.0, 1.0]]


def test_an_empty_batch_has_no_columns_and_a_point_no_tag_columns() -> None:
    assert result_of(Batch("cpu", T0, {"host": "a"}, [])) == {"series": [{"name": "cpu", "tags": {"host": "a"}}]}
    point = Point("cpu", {"host": "a", "type": "x"}, {"value": 1.0}, T0)
    assert result_of(point) == {
        "series": [
            {
                "name": "cpu",
                "tags": {"host": "a", "type": "x"},
                "columns": ["time", "value"],
                "values": [[T0_TEXT, 1.0]],
            }
        ]
    }

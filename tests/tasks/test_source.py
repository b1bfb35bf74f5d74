"""stream and from(): filters, where lambdas, group by, truncate and round."""

from __future__ import annotations

import pytest

from tests.tasks.kit import T0, S, chain, dur, lam, node, pt, run
from tocsin.pipeline.spec import STAR
from tocsin.points import Dimensions, Point


@pytest.mark.parametrize(
    ("props", "kept"),
    [
        ({}, ["a", "b", "c", "d"]),
        ({"database": "db"}, ["a", "b", "c"]),
        ({"retentionPolicy": "rp"}, ["a", "b", "d"]),
        ({"measurement": "cpu"}, ["a", "c", "d"]),
        ({"database": "db", "retentionPolicy": "rp", "measurement": "cpu"}, ["a"]),
    ],
    ids=["none", "database", "retention-policy", "measurement", "all"],
)
def test_from_filters(props: dict[str, str], kept: list[str]) -> None:
    points = [
        pt("cpu", {"id": "a"}),
        pt("mem", {"id": "b"}),
        pt("cpu", {"id": "c"}, rp="other"),
        pt("cpu", {"id": "d"}, db="other"),
    ]
    _, out = run(chain(node("from", **props), node("capture")), points)
    assert [p.tags["id"] for p in out] == kept
    assert all(p is q for p, q in zip(out, [p for p in points if p.tags["id"] in kept], strict=True))


def test_from_where_lambdas_are_anded() -> None:
    spec = node("from", where=[(lam('"value" > 1'),), (lam("\"host\" == 'a'"),)])
    points = [
        pt(tags={"host": "a"}, fields={"value": 2}),
        pt(tags={"host": "b"}, fields={"value": 2}),
        pt(tags={"host": "a"}, fields={"value": 1}),
    ]
    _, out = run(chain(spec, node("capture")), points)
    assert out == [points[0]]


def test_from_where_error_is_counted_and_drops_the_point() -> None:
    ex, out = run(chain(node("from", where=lam('"missing" > 1')), node("capture")), [pt()])
    assert out == []
    stats = ex.stats()["node-stats"]["from1"]
    assert (stats["collected"], stats["emitted"], stats["errors"]) == (1, 0, 1)


@pytest.mark.parametrize(
    ("props", "group", "dims"),
    [
        ({"groupBy": ("host", "cpu")}, "cpu=cpu0,host=a", Dimensions(("cpu", "host"))),
        ({"groupBy": (STAR,)}, "cpu=cpu0,host=a,region=eu", Dimensions(("cpu", "host", "region"))),
        ({"groupBy": ("host",), "groupByMeasurement": ()}, "cpu\nhost=a", Dimensions(("host",), True)),
        ({"groupByMeasurement": ()}, "cpu", Dimensions((), True)),
        ({"groupBy": ("missing",)}, "missing=", Dimensions(("missing",))),
    ],
    ids=["tags-sorted", "star", "by-measurement", "measurement-only", "missing-tag"],
)
def test_from_group_by(props: dict[str, object], group: str, dims: Dimensions) -> None:
    tags = {"host": "a", "cpu": "cpu0", "region": "eu"}
    _, out = run(chain(node("from", **props), node("capture")), [pt("cpu", tags)])
    assert out == [Point("cpu", tags, {"value": 1.0}, T0, "db", "rp", group, dims)]


BASE = T0 - T0 % (60 * S)  # 2020-09-13T12:26:00Z


@pytest.mark.parametrize(
    ("props", "time", "expected"),
    [
        ({"truncate": dur(60)}, BASE + 59 * S, BASE),
        ({"round": dur(60)}, BASE + 29 * S, BASE),
        ({"round": dur(60)}, BASE + 30 * S, BASE + 60 * S),
        # Go truncates from its zero time (a Monday), not from the Unix epoch (a Thursday)
        ({"truncate": dur(7 * 86400)}, BASE, 1599436800 * S),
    ],
    ids=["truncate", "round-down", "round-half-up", "truncate-week-from-go-zero-time"],
)
def test_from_truncate_and_round(props: dict[str, object], time: int, expected: int) -> None:
    _, out = run(chain(node("from", **props), node("capture")), [pt(t=time)])
    assert [p.time for p in out] == [expected]


def test_stream_passes_everything() -> None:
    points = [pt("cpu"), pt("mem", db="x")]
    _, out = run(chain(node("capture")), points)
    assert out == points

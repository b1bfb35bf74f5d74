"""FlattenNode: Kapacitor's TestStream_Flatten data and pipeline/flatten.go examples, on points and batches."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.test_tasks_api import StartTasks, call, start_tasks
from tests.tasks.kit import T0, S, batch, captured, chain, context, dur, executor, node, pt, push, run
from tests.tasks.test_acceptance import TASKS, create_task, write
from tocsin.pipeline.spec import EdgeType
from tocsin.points import Batch, BatchPoint, FieldValue, Point
from tocsin.tasks.executor import TaskStartError
from tocsin.tasks.nodes.flatten import FlattenNode

__all__ = ["start_tasks"]  # fixture

# integrations/data/TestStream_Flatten.srpl: (service, host, dc, value at 1s, value at 2s)
LATENCY = [
    ("auth", "server01", "A", 700.0, 500.0),
    ("auth", "server02", "A", 702.0, 502.0),
    ("log", "server01", "A", 600.0, 700.0),
    ("log", "server02", "A", 602.0, 702.0),
    ("cart", "server01", "A", 800.0, 300.0),
    ("cart", "server02", "A", 802.0, 302.0),
    ("auth", "server01", "B", 750.0, 850.0),
    ("auth", "server02", "B", 752.0, 852.0),
    ("log", "server01", "B", 650.0, 450.0),
    ("log", "server02", "B", 652.0, 452.0),
    ("cart", "server01", "B", 850.0, 950.0),
    ("cart", "server02", "B", 852.0, 952.0),
]


def latency_points() -> list[Point]:
    out = []
    for second in (1, 2):
        for service, host, dc, *values in LATENCY:
            tags = {"service": service, "host": host, "dc": dc}
            out.append(pt("request_latency", tags, {"value": values[second - 1]}, T0 + second * S))
    return out


def flattened(points: list[Point], **props: Any) -> tuple[Any, list[Point]]:
    ex, out = run(chain(node("groupby", "dc"), node("flatten", **props), node("capture")), points)
    return ex, out


@pytest.mark.parametrize(
    ("props", "suffix"),
    [({}, ".value"), ({"dropOriginalFieldName": ()}, ""), ({"dropOriginalFieldName": (False,)}, ".value")],
    ids=["field-names-kept", "drop-original-field-name", "drop-false"],
)
def test_kapacitor_flatten_case(props: dict[str, Any], suffix: str) -> None:
    ex, out = flattened(latency_points(), on=("service", "host"), tolerance=dur(1), **props)
    expected = [
        (dc, {f"{service}.{host}{suffix}": first for service, host, row_dc, first, _ in LATENCY if row_dc == dc})
        for dc in ("A", "B")
    ]
    assert [(p.tags["dc"], p.fields) for p in out] == expected
    assert [(p.name, p.time, p.tags, p.group, p.database) for p in out] == [
        ("request_latency", T0 + S, {"dc": "A"}, "dc=A", ""),
        ("request_latency", T0 + S, {"dc": "B"}, "dc=B", ""),
    ]
    stats = ex.stats()["node-stats"]["flatten2"]
    assert (stats["errors"], stats["working_cardinality"]) == (0, 2)


# pipeline/flatten.go's examples: m,host=A,port=80 bytes=3512 / port=443 bytes=6723 / host=B,port=443 bytes=7243
DOC_POINTS = [
    ({"host": "A", "port": "80"}, 3512),
    ({"host": "A", "port": "443"}, 6723),
    ({"host": "B", "port": "443"}, 7243),
]
DOC_CASES = [
    ("on-port", DOC_POINTS[:2], {"on": ("port",)}, {"80.bytes": 3512, "443.bytes": 6723}),
    (
        "on-host-port",
        DOC_POINTS,
        {"on": ("host", "port")},
        {"A.80.bytes": 3512, "A.443.bytes": 6723, "B.443.bytes": 7243},
    ),
    (
        "delimiter",
        DOC_POINTS[:2],
        {"on": ("host", "port"), "delimiter": "_"},
        {"A_80_bytes": 3512, "A_443_bytes": 6723},
    ),
    ("no-on", DOC_POINTS[:1], {}, {"bytes": 3512}),
    ("later-point-wins", DOC_POINTS[1:], {"on": ("port",)}, {"443.bytes": 7243}),
]


@pytest.mark.parametrize(
    ("rows", "props", "expected"), [case[1:] for case in DOC_CASES], ids=[case[0] for case in DOC_CASES]
)
def test_documented_examples(rows: list[tuple[dict[str, str], int]], props: dict[str, Any], expected: Any) -> None:
    points = [pt("m", tags, {"bytes": value}, T0) for tags, value in rows]
    _, out = run(chain(node("flatten", **props), node("capture")), [*points, pt("m", {}, {"bytes": 0}, T0 + S)])
    assert [(p.time, p.tags, p.fields) for p in out] == [(T0, {}, expected)]


def test_point_missing_a_tag_is_left_out_with_an_error(caplog: pytest.LogCaptureFixture) -> None:
    points = [pt("m", {"port": "80"}, {"bytes": 1}), pt("m", {}, {"bytes": 2}), pt("m", {}, {"bytes": 3}, T0 + S)]
    ex, out = run(chain(node("flatten", on=("port",)), node("capture")), points)
    assert [p.fields for p in out] == [{"80.bytes": 1}]
    assert ex.stats()["node-stats"]["flatten1"]["errors"] == 1
    assert "point missing tag for flatten operation: tag port is missing from point" in caplog.text


def test_nothing_is_emitted_when_every_point_lacks_the_tags() -> None:
    ex, out = run(chain(node("flatten", on=("port",)), node("capture")), [pt("m"), pt("m", t=T0 + S)])
    assert out == []
    assert ex.stats()["node-stats"]["flatten1"]["errors"] == 1


@pytest.mark.parametrize(
    ("offsets", "emitted"),
    [
        ((0.4, 0.6, 1.4), [(T0, {"x.v": 0.4}), (T0 + S, {"a.v": 0.6, "b.v": 1.4})]),
        ((0.4, 1.6, 2.6), [(T0, {"x.v": 0.4}), (T0 + 2 * S, {"a.v": 1.6}), (T0 + 3 * S, {"b.v": 2.6})]),
    ],
    ids=["rounded-together", "rounded-apart"],
)
def test_tolerance(offsets: tuple[float, ...], emitted: list[Any]) -> None:
    tags = [{"k": "x"}, {"k": "a"}, {"k": "b"}]
    points = [pt("m", tag, {"v": off}, T0 + int(off * S)) for tag, off in zip(tags, offsets, strict=True)]
    _, out = run(chain(node("flatten", on=("k",), tolerance=dur(1)), node("capture")), [*points, pt(t=T0 + 9 * S)])
    assert [(p.time, p.fields) for p in out] == emitted


def test_batch_rows_flatten_per_time() -> None:
    rows: list[tuple[int, dict[str, FieldValue], dict[str, str]]] = [
        (T0, {"v": 1}, {"k": "a"}),
        (T0, {"v": 2}, {"k": "b"}),
        (T0 + S, {"v": 3}, {"k": "a"}),
        (T0 + S, {"v": 4}, {}),
    ]
    b = Batch("m", T0 + 2 * S, {"dc": "A"}, [BatchPoint(t, f, {"dc": "A", **tags}) for t, f, tags in rows], "db", "rp")
    ex = executor(chain(node("flatten", on=("k",)), node("capture"), kind=EdgeType.BATCH))
    push(ex, b)
    (out,) = captured(ex, "capture2")
    assert (out.name, out.time, out.tags) == ("m", T0 + 2 * S, {"dc": "A"})
    assert out.points == [
        BatchPoint(T0, {"a.v": 1, "b.v": 2}, {"dc": "A"}),
        BatchPoint(T0 + S, {"a.v": 3}, {"dc": "A"}),
    ]
    assert ex.stats()["node-stats"]["flatten1"]["errors"] == 1


def test_batch_last_row_is_kept_even_when_empty() -> None:
    ex = executor(chain(node("flatten", on=("k",)), node("capture"), kind=EdgeType.BATCH))
    push(ex, batch([(T0, {"v": 1})]))
    assert [row.fields for row in captured(ex, "capture2")[0].points] == [{}]


def test_delete_barrier_drops_the_buffer() -> None:
    flatten = FlattenNode(node("flatten", on=("k",)), context())
    flatten.point(pt(tags={"k": "a"}))
    flatten.barrier("", T0, delete=False)
    assert flatten.cardinality() == 1
    flatten.barrier("", T0, delete=True)
    assert flatten.cardinality() == 0
    assert flatten.point(pt(t=T0 + S)) == []


def test_drop_original_field_name_needs_a_boolean() -> None:
    with pytest.raises(TaskStartError, match="dropOriginalFieldName: expected a boolean"):
        executor(chain(node("flatten", dropOriginalFieldName=("yes",))))


async def test_flatten_through_the_task_api(start_tasks: StartTasks) -> None:
    """TestStream_Flatten, written as line protocol and read back from httpOut."""
    api = await start_tasks()
    script = """stream
    |from().measurement('request_latency').groupBy('dc')
    |flatten().on('service', 'host').tolerance(1s)
    |httpOut('flat')"""
    await create_task(api, "flatten", script)
    lines = [
        f"request_latency,{','.join(f'{k}={v}' for k, v in p.tags.items())} value={p.fields['value']} {p.time // S}"
        for p in latency_points()
    ]
    await write(api, "\n".join(lines))
    status, body = await call(api, "GET", f"{TASKS}/flatten/flat")
    assert status == 200, body
    columns = ["time", *sorted(f"{service}.{host}.value" for service, host, dc, _, _ in LATENCY if dc == "A")]
    assert [(s["tags"], s["columns"], len(s["values"])) for s in body["series"]] == [
        ({"dc": "A"}, columns, 1),
        ({"dc": "B"}, columns, 1),
    ]
    assert body["series"][0]["values"][0][:2] == ["2020-09-13T12:26:41Z", 700.0]

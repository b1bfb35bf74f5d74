"""JoinNode: Kapacitor's join by group and rounded time, `.on()` matching, fills, batch joins and errors.

Cases follow pipeline/join.go's docs and the join cases of Kapacitor's integrations/streamer_test.go
(TestStream_Join*, TestStream_JoinOn*): inputs are (parent index, item) in arrival order.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.server.test_tasks_api import StartTasks, call, start_tasks
from tests.tasks.kit import T0, S, captured, context, dur, executor, link, node
from tocsin.pipeline.spec import EdgeType, NodeSpec
from tocsin.points import Batch, BatchPoint, Dimensions, Item, Point
from tocsin.tasks.node import NodeError
from tocsin.tasks.nodes import join as join_module
from tocsin.tasks.nodes.join import JoinNode

__all__ = ["start_tasks"]  # fixture

BY_SERVICE = ("service",)


def p(name: str, tags: dict[str, str], value: Any, sec: float, dims: tuple[str, ...] = BY_SERVICE) -> Point:
    d = Dimensions(tuple(sorted(dims)))
    return Point(name, tags, {"value": value}, T0 + int(sec * S), "db", "rp", d.group_id(name, tags), d)


def b(name: str, tags: dict[str, str], rows: list[tuple[float, Any]], sec: float = 30) -> Batch:
    d = Dimensions(tuple(sorted(tags)))
    points = [BatchPoint(T0 + int(t * S), {"value": v}, dict(tags)) for t, v in rows]
    return Batch(name, T0 + int(sec * S), tags, points, "db", "rp", d.group_id(name, tags), d)


def make(parents: int = 2, kind: EdgeType = EdgeType.STREAM, **props: Any) -> JoinNode:
    spec = node("join", **props)
    spec.id = parents + 1
    spec.parents = list(range(1, parents + 1))
    spec.wants = spec.provides = kind
    return JoinNode(spec, context())


def show(item: Item) -> tuple[Any, ...]:
    """What a test compares: name, tags, fields (or rows), time in seconds from T0, group."""
    if isinstance(item, Point):
        return (item.name, item.tags, item.fields, (item.time - T0) / S, item.group)
    rows = [((row.time - T0) / S, row.fields, row.tags) for row in item.points]
    return (item.name, item.tags, rows, (item.time - T0) / S, item.group)


Case = tuple[str, dict[str, Any], list[tuple[int, Item]], list[tuple[Any, ...]]]


def cases(table: list[Case]) -> pytest.MarkDecorator:
    """The table as pytest parameters, each named by its first column."""
    return pytest.mark.parametrize(("props", "inputs", "expected"), [c[1:] for c in table], ids=[c[0] for c in table])


def feed(join: JoinNode, inputs: list[tuple[int, Item]]) -> list[tuple[Any, ...]]:
    return [show(out) for src, item in inputs for out in join.item_from(src, item)]


A = {"service": "a"}
B_ = {"service": "b"}
AS: dict[str, Any] = {"as_": ("errors", "requests")}

STREAM_CASES: list[Case] = [
    (
        "error-rate",
        {**AS, "streamName": "error_rate"},
        [(0, p("errors", A, 3.0, 0)), (1, p("requests", A, 100.0, 0))],
        [("error_rate", A, {"errors.value": 3.0, "requests.value": 100.0}, 0, "service=a")],
    ),
    (
        "name-of-the-first-parent",
        AS,
        [(1, p("requests", A, 100.0, 0)), (0, p("errors", A, 3.0, 0))],
        [("errors", A, {"errors.value": 3.0, "requests.value": 100.0}, 0, "service=a")],
    ),
    (
        "groups-join-separately",
        AS,
        [
            (0, p("errors", A, 1.0, 0)),
            (1, p("requests", B_, 20.0, 0)),
            (0, p("errors", B_, 2.0, 0)),
            (1, p("requests", A, 10.0, 0)),
        ],
        [
            ("errors", B_, {"errors.value": 2.0, "requests.value": 20.0}, 0, "service=b"),
            ("errors", A, {"errors.value": 1.0, "requests.value": 10.0}, 0, "service=a"),
        ],
    ),
    (
        "only-group-tags-are-kept",
        AS,
        [(0, p("errors", {"service": "a", "host": "h1"}, 1.0, 0)), (1, p("requests", A, 10.0, 0))],
        [("errors", A, {"errors.value": 1.0, "requests.value": 10.0}, 0, "service=a")],
    ),
    (
        "delimiter",
        {**AS, "delimiter": "#"},
        [(0, p("errors", A, 1.0, 0)), (1, p("requests", A, 10.0, 0))],
        [("errors", A, {"errors#value": 1.0, "requests#value": 10.0}, 0, "service=a")],
    ),
    (
        "empty-delimiter",
        {**AS, "delimiter": ""},
        [(0, p("errors", A, 1.0, 0)), (1, p("requests", A, 10.0, 0))],
        [("errors", A, {"errorsvalue": 1.0, "requestsvalue": 10.0}, 0, "service=a")],
    ),
    (
        # times round to the nearest 2s (halfway up); an unmatched set is dropped once both parents passed it
        "tolerance",
        {**AS, "tolerance": dur(2)},
        [
            (0, p("errors", A, 1.0, 0.4)),
            (1, p("requests", A, 10.0, 0.8)),
            (0, p("errors", A, 2.0, 2.9)),
            (1, p("requests", A, 20.0, 3.2)),
            (0, p("errors", A, 3.0, 4.1)),
        ],
        [
            ("errors", A, {"errors.value": 1.0, "requests.value": 10.0}, 0, "service=a"),
            ("errors", A, {"errors.value": 3.0, "requests.value": 20.0}, 4, "service=a"),
        ],
    ),
    (
        "same-time-pairs-in-arrival-order",
        AS,
        [
            (0, p("errors", A, 1.0, 0)),
            (0, p("errors", A, 2.0, 0)),
            (1, p("requests", A, 10.0, 0)),
            (1, p("requests", A, 20.0, 0)),
        ],
        [
            ("errors", A, {"errors.value": 1.0, "requests.value": 10.0}, 0, "service=a"),
            ("errors", A, {"errors.value": 2.0, "requests.value": 20.0}, 0, "service=a"),
        ],
    ),
    (
        "fill-null",
        {**AS, "fill": "null"},
        [(0, p("errors", A, 1.0, 0)), (0, p("errors", A, 2.0, 1)), (1, p("requests", A, 20.0, 1))],
        [
            ("errors", A, {"errors.value": 1.0, "requests.value": None}, 0, "service=a"),
            ("errors", A, {"errors.value": 2.0, "requests.value": 20.0}, 1, "service=a"),
        ],
    ),
    (
        # the missing parent's fields copy the first present item's field names; it names the output
        "fill-number-first-parent-missing",
        {**AS, "fill": 0.0},
        [(1, p("requests", A, 10.0, 0)), (0, p("errors", A, 2.0, 1)), (1, p("requests", A, 20.0, 1))],
        [
            ("requests", A, {"errors.value": 0.0, "requests.value": 10.0}, 0, "service=a"),
            ("errors", A, {"errors.value": 2.0, "requests.value": 20.0}, 1, "service=a"),
        ],
    ),
    (
        "fill-int",
        {**AS, "fill": 0},
        [(0, p("errors", A, 1, 0)), (0, p("errors", A, 2, 1)), (1, p("requests", A, 20, 1))],
        [
            ("errors", A, {"errors.value": 1, "requests.value": 0}, 0, "service=a"),
            ("errors", A, {"errors.value": 2, "requests.value": 20}, 1, "service=a"),
        ],
    ),
    (
        "fill-none-is-an-inner-join",
        {**AS, "fill": "none"},
        [(0, p("errors", A, 1.0, 0)), (0, p("errors", A, 2.0, 1)), (1, p("requests", A, 20.0, 1))],
        [("errors", A, {"errors.value": 2.0, "requests.value": 20.0}, 1, "service=a")],
    ),
]


@cases(STREAM_CASES)
def test_stream_join(props: dict[str, Any], inputs: list[tuple[int, Item]], expected: list[tuple[Any, ...]]) -> None:
    assert feed(make(**props), inputs) == expected


def test_three_parents_with_fill() -> None:
    join = make(3, as_=("cpu", "mem", "disk"), streamName="magic", fill=0.0)
    none = ()
    out = feed(
        join,
        [
            (0, p("cpu", {}, 1.0, 0, none)),
            (1, p("memory", {}, 2.0, 0, none)),
            (2, p("disk", {}, 3.0, 0, none)),
            (0, p("cpu", {}, 4.0, 1, none)),
            (2, p("disk", {}, 6.0, 1, none)),
            (0, p("cpu", {}, 7.0, 2, none)),
            (1, p("memory", {}, 8.0, 2, none)),
            (2, p("disk", {}, 9.0, 2, none)),
        ],
    )
    # the set at 1 waits until every parent, disk included, has sent something later
    assert out == [
        ("magic", {}, {"cpu.value": 1.0, "mem.value": 2.0, "disk.value": 3.0}, 0, ""),
        ("magic", {}, {"cpu.value": 4.0, "mem.value": 0.0, "disk.value": 6.0}, 1, ""),
        ("magic", {}, {"cpu.value": 7.0, "mem.value": 8.0, "disk.value": 9.0}, 2, ""),
    ]


BUILDING = ("building",)
FLOOR = ("building", "floor")


def bld(value: float, sec: float) -> Point:
    return p("building_power", {"building": "A"}, value, sec, BUILDING)


def flr(floor: str, value: float, sec: float) -> Point:
    return p("floor_power", {"building": "A", "floor": floor}, value, sec, FLOOR)


def floor_out(floor: str, building: Any, value: float, sec: float, name: str = "building_power") -> tuple[Any, ...]:
    tags = {"building": "A", "floor": floor}
    return (name, tags, {"building.value": building, "floor.value": value}, sec, f"building=A,floor={floor}")


ON = {"as_": ("building", "floor"), "on": "building"}

ON_CASES: list[Case] = [
    (
        # pipeline/join.go's example: one building point joins each of its floors' points
        "one-match-many-specific",
        ON,
        [(0, bld(100.0, 0)), (1, flr("1", 30.0, 0)), (1, flr("2", 70.0, 0))],
        [floor_out("1", 100.0, 30.0, 0), floor_out("2", 100.0, 70.0, 0)],
    ),
    (
        "specific-waits-for-its-match",
        ON,
        [
            (0, bld(100.0, 0)),
            (1, flr("1", 30.0, 0)),
            (1, flr("1", 40.0, 10)),
            (1, flr("2", 60.0, 10)),
            (0, bld(200.0, 10)),
        ],
        [floor_out("1", 100.0, 30.0, 0), floor_out("1", 200.0, 40.0, 10), floor_out("2", 200.0, 60.0, 10)],
    ),
    (
        "old-match-points-are-passed",
        ON,
        [(0, bld(100.0, 0)), (0, bld(200.0, 10)), (1, flr("1", 40.0, 10))],
        [floor_out("1", 200.0, 40.0, 10)],
    ),
    (
        # a floor point whose building point never came goes on alone, filled, named after itself
        "unmatched-specific-is-filled",
        {**ON, "fill": 0.0},
        [
            (0, bld(100.0, 0)),
            (1, flr("1", 30.0, 0)),
            (1, flr("1", 40.0, 10)),
            (0, bld(200.0, 20)),
            (1, flr("1", 50.0, 20)),
        ],
        [
            floor_out("1", 100.0, 30.0, 0),
            floor_out("1", 0.0, 40.0, 10, name="floor_power"),
            floor_out("1", 200.0, 50.0, 20),
        ],
    ),
]


@cases(ON_CASES)
def test_join_on_fewer_dimensions(
    props: dict[str, Any], inputs: list[tuple[int, Item]], expected: list[tuple[Any, ...]]
) -> None:
    assert feed(make(**props), inputs) == expected


BATCH_CASES: list[Case] = [
    (
        "rows-pair-by-time",
        {**AS, "streamName": "rate"},
        [
            (0, b("errors", A, [(0, 1.0), (10, 2.0), (20, 3.0)])),
            (1, b("requests", A, [(0, 10.0), (20, 30.0)])),
        ],
        [
            (
                "rate",
                A,
                [
                    (0, {"errors.value": 1.0, "requests.value": 10.0}, A),
                    (20, {"errors.value": 3.0, "requests.value": 30.0}, A),
                ],
                30,
                "service=a",
            )
        ],
    ),
    (
        "rows-filled-with-null",
        {**AS, "fill": "null"},
        [(0, b("errors", A, [(0, 1.0), (10, 2.0)])), (1, b("requests", A, [(0, 10.0)]))],
        [
            (
                "errors",
                A,
                [
                    (0, {"errors.value": 1.0, "requests.value": 10.0}, A),
                    (10, {"errors.value": 2.0, "requests.value": None}, A),
                ],
                30,
                "service=a",
            )
        ],
    ),
    (
        # an earlier row of a later parent sends the rows picked so far back for the next round
        "earlier-row-backs-up",
        {**AS, "fill": -1},
        [(0, b("errors", A, [(10, 2.0)])), (1, b("requests", A, [(0, 10.0), (10, 20.0)]))],
        [
            (
                "errors",
                A,
                [
                    (0, {"errors.value": -1, "requests.value": 10.0}, A),
                    (10, {"errors.value": 2.0, "requests.value": 20.0}, A),
                ],
                30,
                "service=a",
            )
        ],
    ),
    (
        "row-times-rounded-to-the-tolerance",
        {**AS, "tolerance": dur(1)},
        [(0, b("errors", A, [(0.4, 1.0), (2.2, 2.0)], 2.6)), (1, b("requests", A, [(0.3, 10.0), (1.8, 20.0)], 3.4))],
        [
            (
                "errors",
                A,
                [
                    (0, {"errors.value": 1.0, "requests.value": 10.0}, A),
                    (2, {"errors.value": 2.0, "requests.value": 20.0}, A),
                ],
                3,
                "service=a",
            )
        ],
    ),
    (
        # as Kapacitor's JoinIntoBatch: without a fill an unmatched batch goes on with no rows
        "unmatched-batch-goes-on-empty",
        AS,
        [
            (0, b("errors", A, [(0, 1.0)], 10)),
            (0, b("errors", A, [(10, 2.0)], 20)),
            (1, b("requests", A, [(10, 5.0)], 20)),
        ],
        [
            ("errors", A, [], 10, "service=a"),
            ("errors", A, [(10, {"errors.value": 2.0, "requests.value": 5.0}, A)], 20, "service=a"),
        ],
    ),
]


@cases(BATCH_CASES)
def test_batch_join(props: dict[str, Any], inputs: list[tuple[int, Item]], expected: list[tuple[Any, ...]]) -> None:
    assert feed(make(kind=EdgeType.BATCH, **props), inputs) == expected


ERROR_CASES = [
    ("no-as", {}, 2, "a call to join.as() is required to specify the output stream prefixes."),
    (
        "as-count",
        {"as_": ("a",)},
        2,
        "number of prefixes specified by join.as() must match the number of joined streams",
    ),
    ("empty-as", {"as_": ("a", "")}, 2, "must provide a prefix name for the join node, see .as() property method"),
    (
        "as-with-delimiter",
        {"as_": ("a.b", "c")},
        2,
        'cannot use name a.b as field prefix, it contains the delimiter "."\t',
    ),
    ("same-as", {"as_": ("a", "a")}, 2, "cannot use the same prefix name see .as() property method"),
    ("bad-fill", {"as_": ("a", "b"), "fill": "zero"}, 2, "unexpected fill option zero"),
]


@pytest.mark.parametrize(("props", "parents", "message"), [c[1:] for c in ERROR_CASES], ids=[c[0] for c in ERROR_CASES])
def test_join_errors_are_kapacitor_s(props: dict[str, Any], parents: int, message: str) -> None:
    with pytest.raises(NodeError) as info:
        make(parents, **props)
    assert str(info.value) == message


def test_groups_with_nothing_pending_are_released() -> None:
    join = make(**AS)
    join.item_from(0, p("errors", A, 1.0, 0))
    join.item_from(0, p("errors", B_, 1.0, 0))
    assert join.cardinality() == 2
    join.item_from(1, p("requests", A, 1.0, 0))
    assert join.cardinality() == 1


def test_held_items_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(join_module, "MAX_JOIN_HELD", 2)
    join = make(**AS)
    join.item_from(0, p("errors", A, 1.0, 0))
    join.item_from(0, p("errors", A, 1.0, 1))
    with pytest.raises(NodeError, match="join buffer full: 2 items held over 1 groups"):
        join.item_from(0, p("errors", A, 1.0, 2))
    # completing a set frees room
    assert feed(join, [(1, p("requests", A, 5.0, 0))]) == [
        ("errors", A, {"errors.value": 1.0, "requests.value": 5.0}, 0, "service=a")
    ]
    assert join.item_from(0, p("errors", A, 1.0, 2)) == []


def test_a_batch_on_a_stream_join_is_an_error() -> None:
    with pytest.raises(NodeError, match="join3 joins points, got batches"):
        make(**AS).item_from(0, b("errors", A, [(0, 1.0)]))


def test_executor_tells_the_join_which_parent_sent_each_point() -> None:
    # stream0 -> from1 (errors), from2 (requests) -> join3 -> capture4
    pipeline = link(
        [
            NodeSpec(0, "stream"),
            node("from", measurement="errors", groupBy="service"),
            node("from", measurement="requests", groupBy="service"),
            node("join", as_=("errors", "requests"), streamName="rate"),
            node("capture"),
        ],
        [(0, 1), (0, 2), (1, 3), (2, 3), (3, 4)],
    )
    ex = executor(pipeline)
    ex.write(Point("requests", {"service": "a", "host": "x"}, {"value": 100.0}, T0, "db", "rp"))
    ex.write(Point("errors", {"service": "a"}, {"value": 3.0}, T0, "db", "rp"))
    assert [show(item) for item in captured(ex, "capture4")] == [
        ("rate", A, {"errors.value": 3.0, "requests.value": 100.0}, 0, "service=a")
    ]
    stats = ex.stats()["node-stats"]["join3"]
    assert (stats["collected"], stats["emitted"], stats["working_cardinality"]) == (2, 1, 0)


JOIN_SCRIPT = """var errors = stream
    |from()
        .measurement('errors')
        .groupBy('service')
var requests = stream
    |from()
        .measurement('requests')
        .groupBy('service')
errors
    |join(requests)
        .as('errors', 'requests')
        .tolerance(1s)
        .streamName('error_rate')
    |eval(lambda: "errors.value" / "requests.value")
        .as('rate')
        .keep()
    |httpOut('rate')
"""
T = 1_700_000_000  # 2023-11-14T22:13:20Z


async def test_join_task_end_to_end(start_tasks: StartTasks) -> None:
    api = await start_tasks()
    body = {"id": "errs", "script": JOIN_SCRIPT, "status": "enabled", "dbrps": [{"db": "db", "rp": "rp"}]}
    status, answer = await call(api, "POST", "/kapacitor/v1/tasks", body)
    assert status == 200, answer
    ms = T * 1000
    lines = [
        f"errors,service=cart value=3 {ms}",
        f"requests,service=login,host=h1 value=50 {ms}",
        # 300ms later: the same time once rounded to the 1s tolerance
        f"requests,service=cart,host=h2 value=100 {ms + 300}",
    ]
    r = await api.post("/write", params={"db": "db", "rp": "rp", "precision": "ms"}, data="\n".join(lines))
    assert r.status == 204
    status, out = await call(api, "GET", "/kapacitor/v1/tasks/errs/rate")
    assert (status, out) == (
        200,
        {
            "series": [
                {
                    "name": "error_rate",
                    "tags": {"service": "cart"},
                    "columns": ["time", "errors.value", "rate", "requests.value"],
                    "values": [["2023-11-14T22:13:20Z", 3.0, 0.03, 100.0]],
                }
            ]
        },
    )
    _, task = await call(api, "GET", "/kapacitor/v1/tasks/errs")
    # times vary from run to run; the rest is exact (the login request still waits: cardinality 1)
    dot = re.sub(r'avg_exec_time_ns="[^"]*"', 'avg_exec_time_ns="T"', task["dot"])
    assert dot == (
        "digraph errs {\n"
        'graph [throughput="0.00 points/s"];\n'
        "\n"
        'stream0 [avg_exec_time_ns="T" errors="0" working_cardinality="0" ];\n'
        'stream0 -> from1 [processed="3"];\n'
        'stream0 -> from2 [processed="3"];\n'
        "\n"
        'from2 [avg_exec_time_ns="T" errors="0" working_cardinality="0" ];\n'
        'from2 -> join3 [processed="2"];\n'
        "\n"
        'from1 [avg_exec_time_ns="T" errors="0" working_cardinality="0" ];\n'
        'from1 -> join3 [processed="1"];\n'
        "\n"
        'join3 [avg_exec_time_ns="T" errors="0" working_cardinality="1" ];\n'
        'join3 -> eval4 [processed="1"];\n'
        "\n"
        'eval4 [avg_exec_time_ns="T" errors="0" working_cardinality="1" ];\n'
        'eval4 -> http_out5 [processed="1"];\n'
        "\n"
        'http_out5 [avg_exec_time_ns="T" errors="0" working_cardinality="1" ];\n'
        "}"
    )

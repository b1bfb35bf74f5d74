"""UnionNode: every item of every parent goes on, in arrival order, renamed by `.rename()` if set.

The three-stream case follows TestStream_Union in Kapacitor's integrations/streamer_test.go.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.tasks.kit import T0, S, batch, captured, context, executor, link, node
from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, Dimensions, Item, Point
from tocsin.tasks.nodes.union import UnionNode


def three_streams(**union_props: Any) -> list[NodeSpec]:
    # stream0 -> from1 (cpu), from2 (memory), from3 (disk) -> union4 -> capture5
    return [
        NodeSpec(0, "stream"),
        node("from", measurement="cpu"),
        node("from", measurement="memory"),
        node("from", measurement="disk"),
        node("union", **union_props),
        node("capture"),
    ]


EDGES = [(0, 1), (0, 2), (0, 3), (1, 4), (2, 4), (3, 4), (4, 5)]
WRITES = [("disk", 1.0, 0), ("cpu", 2.0, 0), ("memory", 3.0, 1), ("cpu", 4.0, 2), ("mem", 5.0, 2)]

CASES = [
    (
        "rename",
        {"rename": "cpu_mem_disk"},
        [("cpu_mem_disk", 1.0, 0), ("cpu_mem_disk", 2.0, 0), ("cpu_mem_disk", 3.0, 1), ("cpu_mem_disk", 4.0, 2)],
    ),
    ("names-kept-without-rename", {}, [("disk", 1.0, 0), ("cpu", 2.0, 0), ("memory", 3.0, 1), ("cpu", 4.0, 2)]),
]


@pytest.mark.parametrize(("props", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_union_of_three_streams(props: dict[str, Any], expected: list[tuple[str, float, int]]) -> None:
    ex = executor(link(three_streams(**props), EDGES))
    for name, value, sec in WRITES:
        ex.write(Point(name, {}, {"value": value}, T0 + sec * S, "db", "rp"))
    out = captured(ex, "capture5")
    assert [(p.name, p.fields["value"], (p.time - T0) // S) for p in out] == expected
    stats = ex.stats()["node-stats"]["union4"]
    assert (stats["collected"], stats["emitted"]) == (4, 4)


def test_rename_regroups_items_grouped_by_measurement() -> None:
    union = UnionNode(node("union", rename="all"), context())
    by_name = Dimensions(("host",), by_name=True)
    point = Point("cpu", {"host": "a"}, {"value": 1.0}, T0, "db", "rp", "cpu\nhost=a", by_name)
    plain = Point("cpu", {"host": "a"}, {"value": 1.0}, T0, "db", "rp", "host=a", Dimensions(("host",)))
    out: list[Item] = union.point(point) + union.point(plain)
    assert [(p.name, p.group) for p in out] == [("all", "all\nhost=a"), ("all", "host=a")]
    assert point.name == "cpu"  # the parent's item is left as it was


def test_batches_pass_renamed() -> None:
    union = UnionNode(node("union", rename="all"), context())
    out = union.batch(batch([(T0, {"value": 1.0})], name="cpu", tags={"host": "a"}, group="host=a"))
    assert len(out) == 1 and isinstance(out[0], Batch)
    assert (out[0].name, out[0].tags, out[0].group, [r.fields for r in out[0].points]) == (
        "all",
        {"host": "a"},
        "host=a",
        [{"value": 1.0}],
    )

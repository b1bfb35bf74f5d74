"""Building pipelines by hand and running them through a TaskExecutor, with a `capture` sink node."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any
from unittest import mock

from tocsin.expr.ast import LambdaNode
from tocsin.expr.parser import parse_expression
from tocsin.expr.tokens import Position
from tocsin.expr.values import Duration
from tocsin.pipeline.spec import EdgeType, NodeSpec, Pipeline
from tocsin.points import Batch, BatchPoint, Item, Point
from tocsin.tasks import executor as executor_module
from tocsin.tasks.context import TaskContext
from tocsin.tasks.executor import TaskExecutor
from tocsin.tasks.inhibit import Inhibitors
from tocsin.tasks.node import RuntimeNode
from tocsin.tasks.registry import node_class

S = 1_000_000_000
T0 = 1_600_000_000 * S  # 2020-09-13T12:26:40Z


def lam(text: str) -> LambdaNode:
    """`lambda: <text>`."""
    return LambdaNode(Position(0, 1, 1), parse_expression(text))


def dur(seconds: float) -> Duration:
    return Duration(int(seconds * S))


class FakeConfig:
    def __init__(self, sections: dict[str, list[dict[str, Any]]] | None = None) -> None:
        self.sections = sections or {}

    def section(self, name: str) -> list[dict[str, Any]]:
        return self.sections.get(name, [])

    def element(self, name: str, key: str | None = None) -> dict[str, Any] | None:
        for element in self.sections.get(name, []):
            if element.get("endpoint") == key:
                return element
        return None


def context(config: FakeConfig | None = None, logger: str = "tests.tasks") -> TaskContext:
    return TaskContext(
        task_id="task1",
        hostname="host",
        config=config or FakeConfig(),
        emit=lambda event, derive: None,
        last_event=lambda topic, alert_id: None,
        inhibitors=Inhibitors(),
        log=logging.getLogger(logger),
    )


# every point a capture node sees, as "<node name>:<value field>", across nodes in arrival order
TRACE: list[str] = []


class CaptureNode(RuntimeNode):
    """A test sink: records every item and passes it on."""

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        self.items: list[Item] = []

    def point(self, point: Point) -> list[Item]:
        self.items.append(point)
        TRACE.append(f"{self.spec.name}:{point.fields.get('value')}")
        return [point]

    def batch(self, batch: Batch) -> list[Item]:
        self.items.append(batch)
        return [batch]


class FailingNode(RuntimeNode):
    """Raises on points whose `fail` field is true."""

    def point(self, point: Point) -> list[Item]:
        if point.fields.get("fail"):
            raise ValueError("boom")
        return [point]


def _classes(desc: str) -> type[RuntimeNode]:
    if desc == "capture":
        return CaptureNode
    if desc == "failing":
        return FailingNode
    return node_class(desc)


def node(desc: str, *args: Any, **props: Any) -> NodeSpec:
    """A spec; each keyword is a property with a list of calls (a tuple) or a single call's arguments."""
    properties: dict[str, list[tuple[Any, ...]]] = {}
    for name, value in props.items():
        name = name.rstrip("_")
        if isinstance(value, list):
            properties[name] = [tuple(call) for call in value]
        elif isinstance(value, tuple):
            properties[name] = [value]
        else:
            properties[name] = [(value,)]
    return NodeSpec(0, desc, tuple(args), properties)


def chain(*specs: NodeSpec, kind: EdgeType = EdgeType.STREAM) -> Pipeline:
    """`stream|a|b|...`: ids from 1 in order."""
    nodes = [NodeSpec(0, "stream", provides=kind, wants=kind), *specs]
    for index, spec in enumerate(nodes):
        spec.id = index
        if index:
            spec.parents = [index - 1]
            nodes[index - 1].children = [index]
    return Pipeline(kind, nodes)


def link(nodes: list[NodeSpec], edges: list[tuple[int, int]]) -> Pipeline:
    """A graph: node ids are positions; edges (parent, child) in child order."""
    for index, spec in enumerate(nodes):
        spec.id = index
    for parent, child in edges:
        nodes[parent].children.append(child)
        nodes[child].parents.append(parent)
    return Pipeline(EdgeType.STREAM, nodes)


async def _no_flush() -> None:
    return None


def executor(
    pipeline: Pipeline, ctx: TaskContext | None = None, flush: Callable[[], Awaitable[None]] = _no_flush
) -> TaskExecutor:
    with mock.patch.object(executor_module, "node_class", _classes):
        return TaskExecutor("task1", pipeline, ctx or context(), flush)


def captured(ex: TaskExecutor, name: str) -> list[Any]:
    sink = ex.node(name)
    assert isinstance(sink, CaptureNode)
    return sink.items


def pt(
    name: str = "cpu",
    tags: dict[str, str] | None = None,
    fields: dict[str, Any] | None = None,
    t: int = T0,
    db: str = "db",
    rp: str = "rp",
) -> Point:
    return Point(name, tags or {}, fields if fields is not None else {"value": 1.0}, t, db, rp)


def batch(
    rows: list[tuple[int, dict[str, Any]]],
    name: str = "cpu",
    t: int = T0,
    tags: dict[str, str] | None = None,
    group: str = "",
) -> Batch:
    return Batch(
        name, t, tags or {}, [BatchPoint(time, fields, dict(tags or {})) for time, fields in rows], "db", "rp", group
    )


def run(pipeline: Pipeline, points: list[Point], sink: str | None = None) -> tuple[TaskExecutor, list[Any]]:
    """Write the points; the items reaching the last node (a capture node named `sink`)."""
    ex = executor(pipeline)
    for p in points:
        ex.write(p)
    name = sink or pipeline.nodes[-1].name
    return ex, captured(ex, name)


def push(ex: TaskExecutor, item: Item) -> None:
    """Feed a batch (or point) to the root, as a batch task's source would."""
    ex._push(ex._roots[0], item)

"""GraphViz DOT of a task (API §1.4.4): the plain graph, or the executing graph with stats."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tocsin.expr.gostrconv import format_float
from tocsin.gocompat.duration import format_duration
from tocsin.pipeline.spec import NodeSpec, Pipeline

VIEWS = ("attributes", "labels")
AVG_EXEC_TIME = "avg_exec_time_ns"
DEFAULT_STATS: Mapping[str, Any] = {AVG_EXEC_TIME: 0, "errors": 0, "working_cardinality": 0}
# Counts of the task JSON that are not node stat vars, so the graph leaves them out.
_EDGE_COUNTS = frozenset({"collected", "emitted"})


def sorted_nodes(pipeline: Pipeline) -> list[NodeSpec]:
    """Kapacitor's walk order: depth-first from the sources (last source first), post-order, reversed."""
    by_id = {node.id: node for node in pipeline.nodes}
    seen: set[int] = set()
    order: list[NodeSpec] = []

    def visit(node: NodeSpec) -> None:
        if node.id in seen:
            return
        seen.add(node.id)
        for child in node.children:
            visit(by_id[child])
        order.append(node)

    for source in reversed(pipeline.sources()):
        visit(source)
    order.reverse()
    return order


def _stat_text(key: str, value: Any) -> str:
    if key == AVG_EXEC_TIME and isinstance(value, int):
        return format_duration(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_float(value, "g")
    return str(value)


def render_dot(
    task_id: str,
    pipeline: Pipeline,
    *,
    executing: bool,
    view: str = "attributes",
    stats: Mapping[str, Mapping[str, Any]] | None = None,
    edge_counts: Mapping[tuple[str, str], int] | None = None,
    throughput: float = 0.0,
    batch: bool = False,
) -> str:
    """The `dot` field of a task: `edge_counts` are points processed per (parent name, child name)."""
    nodes = sorted_nodes(pipeline)
    by_id = {node.id: node for node in pipeline.nodes}
    out = [f"digraph {task_id} {{\n"]
    if not executing:
        for node in nodes:
            out.extend(f"{node.name} -> {by_id[c].name};\n" for c in node.children)
        out.append("}")
        return "".join(out)
    labels = view == "labels"
    unit = "batches" if batch else "points"
    if labels:
        out.append(f'graph [label="Throughput: {throughput:0.2f} {unit}/s" forcelabels=true pad="0.8,0.5"];\n')
    else:
        out.append(f'graph [throughput="{throughput:0.2f} {unit}/s"];\n')
    counts = edge_counts or {}
    for node in nodes:
        values = (stats or {}).get(node.name, DEFAULT_STATS)
        pairs = [(k, _stat_text(k, values[k])) for k in sorted(values) if k not in _EDGE_COUNTS]
        if labels:
            out.append(f'\n{node.name} [xlabel="' + "\\r".join(f"{k}={v}" for k, v in pairs) + '"];\n')
        else:
            out.append(f"\n{node.name} [" + "".join(f'{k}="{v}" ' for k, v in pairs) + "];\n")
        for child_id in node.children:
            child = by_id[child_id].name
            processed = counts.get((node.name, child), 0)
            edge = f'[label="processed={processed}"]' if labels else f'[processed="{processed}"]'
            out.append(f"{node.name} -> {child} {edge};\n")
    out.append("}")
    return "".join(out)

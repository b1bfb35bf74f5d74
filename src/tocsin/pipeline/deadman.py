"""`|deadman(threshold, interval[, lambda...])`: a stats -> derivative -> alert chain on a node's throughput."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tocsin.config.core import DEADMAN
from tocsin.expr import ast as expr_ast
from tocsin.expr.tokens import Position, TokenKind
from tocsin.expr.values import Duration
from tocsin.gocompat.duration import format_duration
from tocsin.handlers.base import ConfigView
from tocsin.pipeline.builder import GraphBuilder
from tocsin.pipeline.spec import NodeSpec

NODE_NAME_MARKER = "NODE_NAME"
INTERVAL_MARKER = "INTERVAL"
DEFAULTS = DEADMAN.defaults()
_ORIGIN = Position(0, 1, 1)


@dataclass(frozen=True, slots=True)
class DeadmanSettings:
    """The `[deadman]` section: id/message templates and the global switch."""

    interval: int
    threshold: float
    id: str
    message: str
    global_: bool


def settings(config: ConfigView | None) -> DeadmanSettings:
    """The effective `[deadman]` values (defaults without a config)."""
    values = dict(DEFAULTS)
    if config is not None:
        values.update(config.element(DEADMAN.name) or {})
    return DeadmanSettings(
        int(values["interval"]),
        float(values["threshold"]),
        str(values["id"]),
        str(values["message"]),
        bool(values["global"]),
    )


def crit_lambda(threshold: float, extra: Sequence[expr_ast.LambdaNode]) -> expr_ast.LambdaNode:
    """`"emitted" <= threshold`, ANDed with each extra lambda's expression in order."""
    node: expr_ast.Node = expr_ast.BinaryNode(
        _ORIGIN, TokenKind.LE, expr_ast.ReferenceNode(_ORIGIN, "emitted"), expr_ast.NumberNode(_ORIGIN, threshold)
    )
    for lam in extra:
        node = expr_ast.BinaryNode(_ORIGIN, TokenKind.AND, node, lam.expression)
    return expr_ast.LambdaNode(_ORIGIN, node)


def expand(
    graph: GraphBuilder,
    watched: NodeSpec,
    threshold: float,
    interval: Duration,
    extra: Sequence[expr_ast.LambdaNode],
    config: DeadmanSettings,
) -> NodeSpec:
    """Build the deadman chain below `watched`; returns the alert node (handlers may follow)."""
    stats = graph.add_stats(watched, interval)
    graph.set_property(stats, "align", ())
    derivative = graph.add_child(stats, "derivative", ("emitted",))
    graph.set_property(derivative, "nonNegative", ())
    graph.set_property(derivative, "unit", (interval,))
    alert = graph.add_child(derivative, "alert")
    graph.set_property(alert, "crit", (crit_lambda(threshold, extra),))
    graph.set_property(alert, "id", (config.id.replace(NODE_NAME_MARKER, watched.name, 1),))
    graph.set_property(alert, "message", (config.message.replace(INTERVAL_MARKER, format_duration(interval.ns), 1),))
    return alert

"""Values a TICKscript evaluates to at compile time, their Go type names and their literal nodes.

Scalars are plain Python (`str`, `int`, `float`, `bool`, `Duration`); a regex stays an `expr.ast.RegexNode`
so its source text survives (for var listings); lists are Python lists; nodes and handlers are references
into the pipeline under construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tocsin.expr import ast as expr_ast
from tocsin.expr.gostrconv import format_influx_duration
from tocsin.expr.regex import GoRegex
from tocsin.expr.tokens import Position
from tocsin.expr.values import Duration
from tocsin.pipeline.spec import STAR, Star

ERR_UNSUPPORTED_LITERAL = "unsupported literal type {type}"


@dataclass(frozen=True, slots=True)
class Reference:
    """A `"name"` reference used outside a lambda (always a mistake as an argument)."""

    name: str


@dataclass(frozen=True, slots=True)
class NodeRef:
    """A node of the pipeline being built."""

    id: int
    go_type: str


@dataclass(frozen=True, slots=True)
class HandlerRef:
    """A handler just added to an alert node (`.slack()`); chains and alert properties go to the alert."""

    node_id: int
    index: int
    go_type: str


# (Python types, the `%T` Kapacitor prints, Kapacitor's var type name); bool before int, as bool is an int.
_TYPES: tuple[tuple[type | tuple[type, ...], str, str], ...] = (
    (bool, "bool", "bool"),
    (int, "int64", "int"),
    (float, "float64", "float"),
    (str, "string", "string"),
    (Duration, "time.Duration", "duration"),
    ((expr_ast.RegexNode, GoRegex), "*regexp.Regexp", "regex"),
    (Star, "*ast.StarNode", "star"),
    (expr_ast.LambdaNode, "*ast.LambdaNode", "lambda"),
    (Reference, "*ast.ReferenceNode", "invalid type"),
    (list, "[]interface {}", "list"),
)


def go_type(value: Any) -> str:
    """The `%T` Kapacitor prints for a compile-time value."""
    if isinstance(value, NodeRef | HandlerRef):
        return value.go_type
    for types, go_name, _ in _TYPES:
        if isinstance(value, types):
            return go_name
    return "<nil>" if value is None else type(value).__name__


def type_name(value: Any) -> str:
    """Kapacitor's var type name (ast.ValueType) of a value: int, float, string, duration, lambda, ..."""
    for types, _, name in _TYPES:
        if isinstance(value, types):
            return name
    return "invalid type"


def literal_node(pos: Position, value: Any) -> expr_ast.Node:
    """The literal node standing for a var's value inside a lambda (Kapacitor's ValueToLiteralNode)."""
    if isinstance(value, bool):
        return expr_ast.BoolNode(pos, value)
    if isinstance(value, int | float):
        return expr_ast.NumberNode(pos, value)
    if isinstance(value, str):
        return expr_ast.StringNode(pos, value)
    if isinstance(value, Duration):
        return expr_ast.DurationNode(pos, value.ns, format_influx_duration(value.ns))
    if isinstance(value, expr_ast.RegexNode):
        return value
    if isinstance(value, expr_ast.LambdaNode):
        return value.expression
    if isinstance(value, Star):
        return expr_ast.StarNode(pos)
    raise ValueError(ERR_UNSUPPORTED_LITERAL.format(type=go_type(value)))


def spec_value(value: Any) -> Any:
    """The form a value takes in a NodeSpec: regex nodes become compiled patterns."""
    if isinstance(value, expr_ast.RegexNode):
        return value.pattern
    if isinstance(value, list):
        return [spec_value(v) for v in value]
    return value


__all__ = ["STAR", "HandlerRef", "NodeRef", "Reference", "go_type", "literal_node", "spec_value", "type_name"]

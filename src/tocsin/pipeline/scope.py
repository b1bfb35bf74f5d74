"""Compile-time evaluation of statement expressions: literals, lists, lambdas (closed over vars), arithmetic."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tocsin.expr import ast as expr_ast
from tocsin.expr.errors import CompileError, EvalError
from tocsin.expr.evaluate import MapScope, evaluate
from tocsin.expr.gostrconv import format_influx_duration
from tocsin.expr.regex import GoRegex
from tocsin.expr.tokens import TokenKind
from tocsin.expr.values import Duration, Missing
from tocsin.pipeline.errors import ERR_NO_GLOBAL, TickCompileError, at
from tocsin.pipeline.spec import STAR, TimeDimension
from tocsin.pipeline.values import Reference, literal_node

ERR_UNDEFINED = 'name "{name}" is undefined. Names in scope: {names}'
ERR_BAD_UNARY = "invalid arugument to '{op}' {value}"  # sic: Kapacitor's spelling


class Scope:
    """Var values by name (`stream`/`batch` included), in definition order."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        """A var's value; Kapacitor's error when it is not defined."""
        if name not in self.values:
            raise TickCompileError(ERR_UNDEFINED.format(name=name, names=",".join(sorted(self.values))))
        return self.values[name]

    def close(self, node: expr_ast.Node) -> expr_ast.Node:
        """Replace every identifier by a literal of its var's value (lambdas become closed)."""
        if isinstance(node, expr_ast.IdentifierNode):
            try:
                return literal_node(node.pos, self.get(node.name))
            except ValueError as exc:
                raise TickCompileError(str(exc)) from None
        if isinstance(node, expr_ast.UnaryNode):
            return expr_ast.UnaryNode(node.pos, node.op, self.close(node.operand))
        if isinstance(node, expr_ast.BinaryNode):
            return self._close_binary(node)
        if isinstance(node, expr_ast.FunctionNode):
            return expr_ast.FunctionNode(node.pos, node.name, tuple(self.close(a) for a in node.args))
        if isinstance(node, expr_ast.LambdaNode):
            return expr_ast.LambdaNode(node.pos, self.close(node.expression))
        return node

    def _close_binary(self, node: expr_ast.BinaryNode) -> expr_ast.Node:
        # Walk the left spine iteratively: a long `a OR b OR c ...` chain must not recurse once per operand.
        spine: list[expr_ast.BinaryNode] = []
        current: expr_ast.Node = node
        while isinstance(current, expr_ast.BinaryNode):
            spine.append(current)
            current = current.left
        closed = self.close(current)
        for link in reversed(spine):
            closed = expr_ast.BinaryNode(link.pos, link.op, closed, self.close(link.right), link.parens)
        return closed


def _go_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Duration):
        return format_influx_duration(value.ns)
    return str(value)


def _unary(node: expr_ast.UnaryNode, value: Any) -> Any:
    if node.op is TokenKind.MINUS:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return -value
        if isinstance(value, Duration):
            return Duration(-value.ns)
    elif isinstance(value, bool):
        return not value
    raise at(node.pos, ERR_BAD_UNARY.format(op=node.op.label, value=_go_value(value)))


def evaluate_expression(node: expr_ast.Node, scope: Scope, chain: Callable[[Any], Any]) -> Any:
    """The compile-time value of a statement-level expression (chains are handed to `chain`)."""
    if isinstance(node, expr_ast.NumberNode):
        return node.value
    if isinstance(node, expr_ast.StringNode):
        return node.value
    if isinstance(node, expr_ast.DurationNode):
        return Duration(node.nanoseconds)
    if isinstance(node, expr_ast.BoolNode):
        return node.value
    if isinstance(node, expr_ast.RegexNode):
        return node
    if isinstance(node, expr_ast.StarNode):
        return STAR
    if isinstance(node, expr_ast.ReferenceNode):
        return Reference(node.name)
    if isinstance(node, expr_ast.IdentifierNode):
        return scope.get(node.name)
    if isinstance(node, expr_ast.ListNode):
        return [evaluate_expression(item, scope, chain) for item in node.items]
    if isinstance(node, expr_ast.LambdaNode):
        closed = scope.close(node)
        assert isinstance(closed, expr_ast.LambdaNode)
        return closed
    if isinstance(node, expr_ast.UnaryNode):
        return _unary(node, evaluate_expression(node.operand, scope, chain))
    if isinstance(node, expr_ast.FunctionNode):
        if node.name == "time":  # the one global function: a batch query's GROUP BY time
            return _time_dimension(node, [evaluate_expression(arg, scope, chain) for arg in node.args])
        raise at(node.pos, ERR_NO_GLOBAL.format(name=node.name))
    try:
        result = evaluate(scope.close(node), MapScope({}))
    except (EvalError, CompileError) as exc:
        raise TickCompileError(str(exc)) from None
    if isinstance(result, Missing):
        raise TickCompileError(f"invalid value {result!r}")
    if isinstance(result, GoRegex):
        return expr_ast.RegexNode(node.pos, result.pattern.replace("/", "\\/"), result)
    return result


def _time_dimension(node: expr_ast.FunctionNode, args: list[Any]) -> TimeDimension:
    if not 1 <= len(args) <= 2:
        raise at(node.pos, f"time() function expects 1 or 2 args, got {len(args)}")
    if not all(isinstance(arg, Duration) for arg in args):
        raise at(node.pos, "time() function expects durations, e.g. time(1m) or time(1m, 10s)")
    length = args[0].ns
    if length <= 0:
        raise at(node.pos, "time() function expects a positive duration")
    return TimeDimension(length, args[1].ns if len(args) == 2 else 0)

"""TICKscript lambdas evaluated against points: `"name"` is a field or a tag, `"time"` the point time.

`PointLambda` compiles a lambda once per group when it calls a stateful builtin (`sigma`, `count`, `spread`
keep their state per expression and per group); a lambda without one shares a single evaluator. Vars were
substituted by the compiler, so a bare identifier left in a lambda is an error at evaluation.

Compiled lambdas read `.fields`, `.tags` and `.time` straight off what they are given: a `Point`, a
`BatchPoint`, or a `PointScope` for loose values, so evaluating a point allocates no scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tocsin.expr import ast
from tocsin.expr.evaluate import Bindings, EvalError, Evaluator, compile_expression
from tocsin.expr.functions import BUILTINS
from tocsin.expr.values import MISSING, Time, Value, type_name

ERR_FIELD_AND_TAG = "cannot have field and tags with same name"
ERR_NOT_BOOLEAN = "expression returned unexpected type {type}"
ERR_UNDEFINED = 'undefined identifier "{name}"'


class PointScope:
    """The references a lambda sees for one point (or one row of a batch)."""

    __slots__ = ("fields", "tags", "time")

    def __init__(self, fields: Mapping[str, Any], tags: Mapping[str, str], time: int) -> None:
        self.fields = fields
        self.tags = tags
        self.time = time

    def reference(self, name: str) -> Value:
        """A field or tag value; MISSING when neither exists; an error when both do."""
        return _reference(name)(self)

    def identifier(self, name: str) -> Value:
        """Vars were substituted at compile time: any identifier left is undefined."""
        raise EvalError(ERR_UNDEFINED.format(name=name))


_ABSENT: Any = object()


def _reference(name: str) -> Evaluator:
    def reference(row: Any) -> Value:
        value: Value = row.fields.get(name, _ABSENT)
        if value is not _ABSENT:
            if name in row.tags:
                raise EvalError(ERR_FIELD_AND_TAG)
            return value
        tags = row.tags
        if name in tags:
            found: str = tags[name]
            return found
        if name == "time":
            return Time(row.time)
        return MISSING

    return reference


class _RowBindings(Bindings):
    """References read the row's fields, tags and time directly."""

    def reference(self, node: ast.ReferenceNode) -> Evaluator:
        return _reference(node.name)

    def identifier(self, node: ast.IdentifierNode) -> Evaluator:
        message = ERR_UNDEFINED.format(name=node.name)

        def undefined(row: Any) -> Value:
            raise EvalError(message)

        return undefined


_ROW_BINDINGS = _RowBindings()


def _stateful(node: ast.LambdaNode) -> bool:
    """Whether the lambda calls a builtin that makes a fresh (stateful) implementation per expression."""
    for item in ast.walk(node):
        if isinstance(item, ast.FunctionNode):
            builtin = BUILTINS.get(item.name)
            if builtin is None or builtin.make() is not builtin.make():
                return True
    return False


def not_boolean(result: Value) -> EvalError:
    """The error of a condition whose value is not a boolean."""
    return EvalError(ERR_NOT_BOOLEAN.format(type=type_name(result)))


class PointLambda:
    """A lambda expression with one compiled evaluator per group (one in all when it keeps no state)."""

    def __init__(self, node: ast.LambdaNode) -> None:
        self.node = node
        self._by_group: dict[str, Evaluator] = {}
        self._shared = compile_expression(node.expression, _ROW_BINDINGS)  # raises CompileError at task start
        self._per_group = _stateful(node)

    def _evaluator(self, group: str) -> Evaluator:
        if not self._per_group:
            return self._shared
        evaluator = self._by_group.get(group)
        if evaluator is None:
            evaluator = self._shared if not self._by_group else compile_expression(self.node.expression, _ROW_BINDINGS)
            self._by_group[group] = evaluator
        return evaluator

    @property
    def shared(self) -> Evaluator | None:
        """The one evaluator of every group when the lambda keeps no per-group state; None otherwise."""
        return None if self._per_group else self._shared

    def value(self, group: str, fields: Mapping[str, Any], tags: Mapping[str, str], time: int) -> Value:
        """Evaluate for one point of `group`; raises EvalError."""
        return self._evaluator(group)(PointScope(fields, tags, time))

    def test(self, group: str, fields: Mapping[str, Any], tags: Mapping[str, str], time: int) -> bool:
        """Evaluate a condition; a non-boolean result is an EvalError."""
        return self.test_row(group, PointScope(fields, tags, time))

    def test_row(self, group: str, row: Any) -> bool:
        """`test` against anything with `.fields`, `.tags` and `.time` (a Point, a BatchPoint)."""
        result = (self._shared if not self._per_group else self._evaluator(group))(row)
        if result is True or result is False:
            return result
        raise not_boolean(result)

    def forget(self, group: str) -> None:
        """Drop the state of a group that no longer exists."""
        self._by_group.pop(group, None)

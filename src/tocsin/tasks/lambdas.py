"""TICKscript lambdas evaluated against points: `"name"` is a field or a tag, `"time"` the point time.

`PointLambda` compiles a lambda once per group, because stateful builtins (`sigma`, `count`, `spread`)
keep their state per expression and per group. Vars were substituted by the compiler, so a bare
identifier left in a lambda is an error at evaluation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tocsin.expr import ast
from tocsin.expr.evaluate import EvalError, Evaluator, compile_expression
from tocsin.expr.values import MISSING, Time, Value, type_name

ERR_FIELD_AND_TAG = "cannot have field and tags with same name"
ERR_NOT_BOOLEAN = "expression returned unexpected type {type}"


class PointScope:
    """The references a lambda sees for one point (or one row of a batch)."""

    __slots__ = ("fields", "tags", "time")

    def __init__(self, fields: Mapping[str, Any], tags: Mapping[str, str], time: int) -> None:
        self.fields = fields
        self.tags = tags
        self.time = time

    def reference(self, name: str) -> Value:
        """A field or tag value; MISSING when neither exists; an error when both do."""
        if name in self.fields:
            if name in self.tags:
                raise EvalError(ERR_FIELD_AND_TAG)
            value: Value = self.fields[name]
            return value
        if name in self.tags:
            return self.tags[name]
        if name == "time":
            return Time(self.time)
        return MISSING

    def identifier(self, name: str) -> Value:
        """Vars were substituted at compile time: any identifier left is undefined."""
        raise EvalError(f'undefined identifier "{name}"')


class PointLambda:
    """A lambda expression with one compiled evaluator per group."""

    def __init__(self, node: ast.LambdaNode) -> None:
        self.node = node
        self._by_group: dict[str, Evaluator] = {}
        self._shared = compile_expression(node.expression)  # raises CompileError at task start

    def _evaluator(self, group: str) -> Evaluator:
        evaluator = self._by_group.get(group)
        if evaluator is None:
            evaluator = self._shared if not self._by_group else compile_expression(self.node.expression)
            self._by_group[group] = evaluator
        return evaluator

    def value(self, group: str, fields: Mapping[str, Any], tags: Mapping[str, str], time: int) -> Value:
        """Evaluate for one point of `group`; raises EvalError."""
        return self._evaluator(group)(PointScope(fields, tags, time))

    def test(self, group: str, fields: Mapping[str, Any], tags: Mapping[str, str], time: int) -> bool:
        """Evaluate a condition; a non-boolean result is an EvalError."""
        result = self.value(group, fields, tags, time)
        if not isinstance(result, bool):
            raise EvalError(ERR_NOT_BOOLEAN.format(type=type_name(result)))
        return result

    def forget(self, group: str) -> None:
        """Drop the state of a group that no longer exists."""
        self._by_group.pop(group, None)

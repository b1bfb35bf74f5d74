"""Level determination: the info/warn/crit lambdas and their resets, evaluated against one row."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from tocsin.alert.levels import Level
from tocsin.expr import ast
from tocsin.expr.errors import CompileError, EvalError
from tocsin.expr.evaluate import Evaluator
from tocsin.pipeline.spec import NodeSpec
from tocsin.tasks.lambdas import PointLambda, PointScope, not_boolean

ERR_COMPILE = "Failed to compile stateful expression for {prop}: {error}"

# (level, condition, its evaluator when the same for every group)
_Conditions = tuple[tuple[Level, PointLambda, Evaluator | None], ...]
# (conditions from CRITICAL down to the current level, its reset, conditions from it down), per current level
_Plan = tuple[_Conditions, PointLambda | None, _Conditions]
_LEVEL_PROPS = {Level.INFO: "info", Level.WARNING: "warn", Level.CRITICAL: "crit"}
_RESET_PROPS = {Level.INFO: "infoReset", Level.WARNING: "warnReset", Level.CRITICAL: "critReset"}


class LevelRules:
    """The compiled level conditions of an alert node (a reset is kept only with its level condition)."""

    def __init__(self, spec: NodeSpec, log: logging.Logger, quiet: bool) -> None:
        self._levels: dict[Level, PointLambda] = {}
        self._resets: dict[Level, PointLambda] = {}
        self._log = log
        self._quiet = quiet
        self._name = spec.name
        for level, prop in _LEVEL_PROPS.items():
            condition = _compile(spec, prop)
            if condition is None:
                continue
            self._levels[level] = condition
            reset = _compile(spec, _RESET_PROPS[level])
            if reset is not None:
                self._resets[level] = reset
        self._plans = {level: self._plan(level) for level in Level}

    def determine(
        self, group: str, fields: Mapping[str, Any], tags: Mapping[str, str], time: int, current: Level
    ) -> Level:
        """The level of one row given the group's current level (Kapacitor's determineLevel)."""
        return self.determine_row(group, PointScope(fields, tags, time), current)

    def determine_row(self, group: str, row: Any, current: Level) -> Level:
        """`determine` for anything with `.fields`, `.tags` and `.time` (a Point, a BatchPoint)."""
        above, reset, below = self._plans[current]
        for level, condition, evaluate in above:
            try:
                result = evaluate(row) if evaluate is not None else condition.test_row(group, row)
                if result is True:
                    return level
                if result is not False:
                    raise not_boolean(result)
            except EvalError as exc:
                self._error(f"error evaluating expression for level {level.name}: {exc}")
        if reset is not None:
            try:
                if not reset.test_row(group, row):
                    return current
            except EvalError as exc:
                self._error(f"error evaluating reset expression for current level {current.name}: {exc}")
        for level, condition, evaluate in below:
            try:
                result = evaluate(row) if evaluate is not None else condition.test_row(group, row)
                if result is True:
                    return level
                if result is not False:
                    raise not_boolean(result)
            except EvalError as exc:
                self._error(f"error evaluating expression for level {level.name}: {exc}")
        return Level.OK

    def _plan(self, current: Level) -> _Plan:
        """What `determine_row` evaluates from `current`: the conditions from CRITICAL down to `current`, the
        reset of `current`, then the conditions from `current` down to INFO (an evaluation error is false)."""

        def conditions(start: int, stop: int) -> _Conditions:
            levels = (Level(value) for value in range(start, max(stop, Level.OK), -1))
            return tuple(
                (level, self._levels[level], self._levels[level].shared) for level in levels if level in self._levels
            )

        return conditions(Level.CRITICAL, current - 1), self._resets.get(current), conditions(current, Level.OK)

    def _error(self, message: str) -> None:
        if not self._quiet:
            self._log.error("%s: %s", self._name, message)

    def forget(self, group: str) -> None:
        """Drop the per-group state of every condition."""
        for condition in (*self._levels.values(), *self._resets.values()):
            condition.forget(group)


def _compile(spec: NodeSpec, prop: str) -> PointLambda | None:
    node = spec.last(prop)
    if node is None:
        return None
    if not isinstance(node, ast.LambdaNode):
        raise CompileError(f"{spec.name}: property {prop} wants a lambda expression, got {node!r}")
    try:
        return PointLambda(node)
    except CompileError as exc:
        raise CompileError(ERR_COMPILE.format(prop=prop, error=exc), exc.line, exc.column) from exc

"""Level determination: the info/warn/crit lambdas and their resets, evaluated against one row."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from tocsin.alert.levels import Level
from tocsin.expr import ast
from tocsin.expr.errors import CompileError, EvalError
from tocsin.pipeline.spec import NodeSpec
from tocsin.tasks.lambdas import PointLambda

ERR_COMPILE = "Failed to compile stateful expression for {prop}: {error}"

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

    def determine(self, group: str, fields: Mapping[str, Any], tags: Mapping[str, str], time: int,
                  current: Level) -> Level:
        """The level of one row given the group's current level (Kapacitor's determineLevel)."""
        found = self._first_match(Level.CRITICAL, current - 1, group, fields, tags, time)
        if found is not None:
            return found
        reset = self._resets.get(current)
        if reset is not None:
            try:
                if not reset.test(group, fields, tags, time):
                    return current
            except EvalError as exc:
                self._error(f"error evaluating reset expression for current level {current.name}: {exc}")
        found = self._first_match(current, Level.OK, group, fields, tags, time)
        return found if found is not None else Level.OK

    def _first_match(self, start: int, stop: int, group: str, fields: Mapping[str, Any], tags: Mapping[str, str],
                     time: int) -> Level | None:
        # Levels from `start` down to just above `stop`; an evaluation error counts as false.
        for value in range(start, max(stop, Level.OK), -1):
            level = Level(value)
            condition = self._levels.get(level)
            if condition is None:
                continue
            try:
                if condition.test(group, fields, tags, time):
                    return level
            except EvalError as exc:
                self._error(f"error evaluating expression for level {level.name}: {exc}")
        return None

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

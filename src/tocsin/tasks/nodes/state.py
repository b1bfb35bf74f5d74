"""`|stateDuration(lambda)` and `|stateCount(lambda)`: how long, or for how many points, a condition held.

While the lambda is true the result grows (duration in `.unit()`s, default 1s, since the first true point;
or the count of consecutive true points); a false point resets it and gets -1. State is kept per group and
restarts with each batch.
"""

from __future__ import annotations

from typing import Any

from tocsin.expr.errors import EvalError
from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, BatchPoint, FieldValue, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import NodeError
from tocsin.tasks.nodes.common import SECOND, ProcessingNode, lambda_of, last_duration, with_fields, with_rows

ERR_EVALUATING = "error while evaluating expression: {error}"


class _StateNode(ProcessingNode):
    default_as = ""

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        if not spec.args:
            raise NodeError(f"nil expression passed to {type(self).__name__}")
        self._lambda = lambda_of(spec.args[0], spec.name)
        as_name = spec.last("as", self.default_as)
        self._as = as_name if isinstance(as_name, str) else self.default_as
        self._state: dict[str, Any] = {}

    def track(self, group: str, time: int, in_state: bool) -> FieldValue:
        """The tracked value for one point; updates the group's state."""
        raise NotImplementedError

    def point(self, point: Point) -> list[Item]:
        """The point with the tracked value added."""
        try:
            in_state = self._lambda.test(point.group, point.fields, point.tags, point.time)
        except EvalError as exc:
            raise NodeError(ERR_EVALUATING.format(error=exc)) from exc
        fields = dict(point.fields)
        fields[self._as] = self.track(point.group, point.time, in_state)
        return [with_fields(point, fields)]

    def batch(self, batch: Batch) -> list[Item]:
        """The batch with the tracked value added to every row; rows that fail are dropped."""
        self._state.pop(batch.group, None)
        rows = []
        for row in batch.points:
            try:
                in_state = self._lambda.test(batch.group, row.fields, row.tags, row.time)
            except EvalError as exc:
                self.error(ERR_EVALUATING.format(error=exc))
                continue
            fields = dict(row.fields)
            fields[self._as] = self.track(batch.group, row.time, in_state)
            rows.append(BatchPoint(row.time, fields, row.tags))
        return [with_rows(batch, rows)]

    def cardinality(self) -> int:
        """Groups tracked."""
        return len(self._state)


class StateDurationNode(_StateNode):
    """Duration since the condition became true, in units."""

    default_as = "state_duration"

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        self._unit = last_duration(spec, "unit", SECOND)

    def track(self, group: str, time: int, in_state: bool) -> FieldValue:
        """Elapsed units since the first true point, -1.0 when false."""
        if not in_state:
            self._state[group] = None
            return -1.0
        start = self._state.get(group)
        if start is None:
            start = self._state[group] = time
        return float(time - start) / float(self._unit)


class StateCountNode(_StateNode):
    """Consecutive points for which the condition held."""

    default_as = "state_count"

    def track(self, group: str, time: int, in_state: bool) -> FieldValue:
        """The count of consecutive true points, -1 when false."""
        if not in_state:
            self._state[group] = 0
            return -1
        count: int = self._state.get(group, 0) + 1
        self._state[group] = count
        return count

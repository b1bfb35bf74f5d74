"""`|derivative(field)`: the rate of change of a field between consecutive points of a group.

`.unit()` (default 1s) scales the rate, `.nonNegative()` drops negative changes, `.as()` names the result
(default: the derived field's name). The current point is emitted with the result added; the first point of a group
(and of each batch) only primes the previous value.
"""

from __future__ import annotations

from typing import Any

from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, BatchPoint, FieldValue, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import NodeError
from tocsin.tasks.nodes.common import NOTHING, SECOND, ProcessingNode, is_number, last_duration, with_fields, with_rows

ERR_WRONG_TYPE = "cannot perform derivative: field is the wrong type field={field} type={type}"
ERR_ZERO_ELAPSED = "cannot perform derivative: elaspsed time was 0"

_GO_TYPES = {int: "int64", float: "float64", str: "string", bool: "bool"}


class DerivativeNode(ProcessingNode):
    """Keeps the previous (time, value) per group."""

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        if not spec.args or not isinstance(spec.args[0], str):
            raise NodeError(f"{spec.name}: expected a field name")
        self._field: str = spec.args[0]
        self._unit = last_duration(spec, "unit", SECOND)
        self._non_negative = spec.has("nonNegative")
        # Kapacitor: `.as()` defaults to the derived field's own name (deadman's alert tests "emitted")
        as_name = spec.last("as", self._field)
        self._as = as_name if isinstance(as_name, str) else self._field
        self._previous: dict[str, tuple[int, float]] = {}
        self._batch_groups: set[str] = set()

    def point(self, point: Point) -> list[Item]:
        """The point with its derivative, or nothing for the first point of a group."""
        value = self._derive(self._previous, point.group, point.time, point.fields.get(self._field))
        if value is None:
            return NOTHING
        fields = dict(point.fields)
        fields[self._as] = value
        return [with_fields(point, fields)]

    def batch(self, batch: Batch) -> list[Item]:
        """The batch rows after the first, each with its derivative."""
        previous: dict[str, tuple[int, float]] = {}
        rows = []
        for row in batch.points:
            try:
                value = self._derive(previous, "", row.time, row.fields.get(self._field))
            except NodeError as exc:
                self.error(str(exc))
                continue
            if value is not None:
                fields: dict[str, FieldValue] = dict(row.fields)
                fields[self._as] = value
                rows.append(BatchPoint(row.time, fields, row.tags))
        self._batch_groups.add(batch.group)
        return [with_rows(batch, rows)]

    def cardinality(self) -> int:
        """Groups seen."""
        return len(self._previous) + len(self._batch_groups)

    def _derive(self, previous: dict[str, tuple[int, float]], group: str, time: int, current: Any) -> float | None:
        if not is_number(current):
            kind = "<nil>" if current is None else _GO_TYPES.get(type(current), type(current).__name__)
            raise NodeError(ERR_WRONG_TYPE.format(field=self._field, type=kind))
        value = float(current)
        before = previous.get(group)
        previous[group] = (time, value)
        if before is None:
            return None
        elapsed = time - before[0]
        if elapsed == 0:
            raise NodeError(ERR_ZERO_ELAPSED)
        diff = value - before[1]
        if self._non_negative and diff < 0:
            return None
        return diff / (elapsed / self._unit)

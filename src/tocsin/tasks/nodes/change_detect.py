"""`|changeDetect(fields...)`: pass a point only when one of the fields differs from the last passed one."""

from __future__ import annotations

from typing import Any

from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, FieldValue, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.nodes.common import NOTHING, ProcessingNode, strings, with_rows

ERR_MISSING_FIELD = "Invalid field in change detect: expected field {field} not found"


class ChangeDetectNode(ProcessingNode):
    """Remembers the fields of the last point it passed, per group (per batch for batches)."""

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        self._fields = strings(spec.args, spec.name)
        self._previous: dict[str, dict[str, FieldValue]] = {}

    def point(self, point: Point) -> list[Item]:
        """The point if it changed."""
        if not self._changed(self._previous.get(point.group), point.fields):
            return NOTHING
        self._previous[point.group] = point.fields
        return [point]

    def batch(self, batch: Batch) -> list[Item]:
        """The batch with only the rows that changed from the row passed before them."""
        previous: dict[str, FieldValue] | None = None
        rows = []
        for row in batch.points:
            if self._changed(previous, row.fields):
                previous = row.fields
                rows.append(row)
        self._previous.setdefault(batch.group, {})
        return [with_rows(batch, rows)]

    def cardinality(self) -> int:
        """Groups seen."""
        return len(self._previous)

    def _changed(self, previous: dict[str, FieldValue] | None, current: dict[str, FieldValue]) -> bool:
        for field in self._fields:
            if field not in current:
                self.error(ERR_MISSING_FIELD.format(field=field))
                continue
            if previous is None or not _same(previous.get(field), current[field]):
                return True
        return False


def _same(a: Any, b: Any) -> bool:
    # Go compares interface values: an int64 never equals a float64 or a bool
    return type(a) is type(b) and bool(a == b)

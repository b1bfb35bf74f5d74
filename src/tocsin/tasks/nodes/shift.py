"""`|shift(duration)`: move points and batches in time."""

from __future__ import annotations

from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, BatchPoint, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import NodeError, RuntimeNode
from tocsin.tasks.nodes.common import duration_ns, with_rows

ERR_ZERO_SHIFT = "invalid shift value: must be non zero duration"


class ShiftNode(RuntimeNode):
    """Adds a fixed duration (possibly negative) to every time."""

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        self._shift = duration_ns(spec.args[0], spec.name) if spec.args else 0
        if self._shift == 0:
            raise NodeError(ERR_ZERO_SHIFT)

    def point(self, point: Point) -> list[Item]:
        """The point, shifted."""
        return [
            Point(
                point.name,
                point.tags,
                point.fields,
                point.time + self._shift,
                point.database,
                point.retention_policy,
                point.group,
                point.dimensions,
            )
        ]

    def batch(self, batch: Batch) -> list[Item]:
        """The batch and each of its rows, shifted."""
        out = with_rows(batch, [BatchPoint(r.time + self._shift, r.fields, r.tags) for r in batch.points])
        out.time = batch.time + self._shift
        return [out]

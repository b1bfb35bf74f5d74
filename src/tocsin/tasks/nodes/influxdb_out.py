"""`|influxDBOut()`: Tocsin writes to no database, so this sink only counts what would have been written."""

from __future__ import annotations

from typing import Any

from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import RuntimeNode


class InfluxDBOutNode(RuntimeNode):
    """Counts points (batch rows) as Kapacitor's `points_written`; never fails a write."""

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        self.points_written = 0

    def point(self, point: Point) -> list[Item]:
        """Count the point."""
        self.points_written += 1
        return [point]

    def batch(self, batch: Batch) -> list[Item]:
        """Count the batch's rows."""
        self.points_written += len(batch.points)
        return [batch]

    def stats(self) -> dict[str, Any]:
        """Kapacitor's `points_written` and `write_errors`."""
        return {"points_written": self.points_written, "write_errors": 0}

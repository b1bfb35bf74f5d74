"""`|kapacitorLoopback()`: points (and batch rows) written back into Tocsin's own stream, as Kapacitor does.

The points go to `.database()`.`.retentionPolicy()` (and `.measurement()`, `.tag()`), where other tasks read
them; they are written once the write that made them is through (TaskContext.loopback). A task that would read
its own output is refused, with Kapacitor's text.
"""

from __future__ import annotations

from typing import Any

from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import NodeError, RuntimeNode
from tocsin.tasks.nodes.common import last_text, string_pairs

NO_DATABASE = "must specify a database"
NO_RETENTION_POLICY = "must specify a retention policy"
LOOP = 'loop detected on dbrp: "{db}"."{rp}"'


class KapacitorLoopbackNode(RuntimeNode):
    """Writes what it gets back into the stream; Kapacitor's `points_written` counts them."""

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        self.database = last_text(spec, "database")
        self.retention_policy = last_text(spec, "retentionPolicy")
        self.measurement = last_text(spec, "measurement")
        if not self.database:
            raise NodeError(NO_DATABASE)
        if not self.retention_policy:
            raise NodeError(NO_RETENTION_POLICY)
        if (self.database, self.retention_policy) in ctx.dbrps:
            raise NodeError(LOOP.format(db=self.database, rp=self.retention_policy))
        if ctx.loopback is None:
            raise NodeError("kapacitorLoopback: this task runs without a stream to write back to")
        self._write = ctx.loopback
        self.tags = string_pairs(spec, "tag")
        self.points_written = 0

    def point(self, point: Point) -> list[Item]:
        """Write the point back, renamed and retagged."""
        tags = {**point.tags, **self.tags} if self.tags else dict(point.tags)
        name = self.measurement or point.name
        self._write([Point(name, tags, dict(point.fields), point.time, self.database, self.retention_policy)])
        self.points_written += 1
        return []

    def batch(self, batch: Batch) -> list[Item]:
        """Write each row back as a point of the batch's name (Kapacitor ignores `.measurement()` here)."""
        points = [
            Point(
                batch.name, {**row.tags, **self.tags}, dict(row.fields), row.time, self.database, self.retention_policy
            )
            for row in batch.points
        ]
        self._write(points)
        self.points_written += len(points)
        return []

    def stats(self) -> dict[str, Any]:
        return {"points_written": self.points_written}

"""`|union(other...)`: every point or batch of every parent goes on, renamed with `.rename()` if set.

Kapacitor buffers each parent's items to merge them by time, and emits nothing until every parent has
sent something, nor past the last time of a parent that went quiet (influxdata/kapacitor#1224). Tocsin
runs a task's nodes synchronously in write order, so items already arrive in the order they were
written; the union forwards each one at once and holds nothing.
"""

from __future__ import annotations

from dataclasses import replace

from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import NodeError, RuntimeNode


class UnionNode(RuntimeNode):
    """Passes on what each parent sends; `.rename(name)` replaces the measurement name."""

    point_yields_points = True

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        rename = spec.last("rename", "")
        if not isinstance(rename, str):
            raise NodeError(f"{spec.name}.rename: expected a string, got {rename!r}")
        # as in Kapacitor 1.8, an empty rename keeps each item's own name
        self.rename = rename

    def point(self, point: Point) -> list[Item]:
        if not self.rename:
            return [point]
        dims = point.dimensions
        group = dims.group_id(self.rename, point.tags) if dims.by_name else point.group
        return [replace(point, name=self.rename, group=group)]

    def batch(self, batch: Batch) -> list[Item]:
        if not self.rename:
            return [batch]
        group = batch.dimensions.group_id(self.rename, batch.tags) if batch.dimensions.by_name else batch.group
        return [replace(batch, name=self.rename, group=group)]

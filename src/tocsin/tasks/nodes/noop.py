"""`noop`: the child the compiler gives a node watched by `stats` when it has none; it drops everything."""

from __future__ import annotations

from tocsin.points import Batch, Item, Point
from tocsin.tasks.node import RuntimeNode
from tocsin.tasks.nodes.common import NOTHING


class NoOpNode(RuntimeNode):
    """Consumes items so the watched node has an out edge to count."""

    def point(self, point: Point) -> list[Item]:
        """Drop the point."""
        return NOTHING

    def batch(self, batch: Batch) -> list[Item]:
        """Drop the batch."""
        return NOTHING

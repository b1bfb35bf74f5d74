"""`|sample(n)` keeps every n-th point of each group; `|sample(duration)` keeps points on multiples of it."""

from __future__ import annotations

from tocsin.expr.values import Duration
from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import NodeError, RuntimeNode
from tocsin.tasks.nodes.common import NOTHING, go_truncate

ERR_RATE = "invalid sample rate: must be positive integer or duration"


class SampleNode(RuntimeNode):
    """Counts per group, or tests the time against the duration."""

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        rate = spec.args[0] if spec.args else 0
        self._duration = rate.ns if isinstance(rate, Duration) else 0
        self._count = rate if isinstance(rate, int) and not isinstance(rate, bool) else 0
        if self._duration <= 0 and self._count <= 0:
            raise NodeError(ERR_RATE)
        self._counts: dict[str, int] = {}

    def _keep(self, group: str, time: int) -> bool:
        if self._duration:
            return go_truncate(time, self._duration) == time
        count = self._counts.get(group, 0)
        self._counts[group] = count + 1
        return count % self._count == 0

    def point(self, point: Point) -> list[Item]:
        """The point if sampled."""
        return [point] if self._keep(point.group, point.time) else NOTHING

    def batch(self, batch: Batch) -> list[Item]:
        """The batch if sampled (by its time)."""
        return [batch] if self._keep(batch.group, batch.time) else NOTHING

    def cardinality(self) -> int:
        """Groups counted."""
        return len(self._counts)

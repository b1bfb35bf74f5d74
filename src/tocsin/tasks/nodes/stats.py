"""`|stats(interval)`: every interval of wall-clock time, how many items the watched node has emitted.

One point named `stats` per group the watched node emitted (field `emitted`, the group's tags), or one
point with `emitted` 0 when it emitted nothing yet. `.align()` rounds the times to the interval.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import NodeError, RuntimeNode
from tocsin.tasks.nodes.common import NOTHING, duration_ns, go_round, go_truncate

if TYPE_CHECKING:
    from tocsin.tasks.slots import GroupCount

NAME = "stats"


class StatsNode(RuntimeNode):
    """Timer driven; the executor hands it its parent's per-group counts through `watch_parent`."""

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        self._interval = duration_ns(spec.args[0], spec.name) if spec.args else 0
        if self._interval <= 0:
            raise NodeError(f"{spec.name}: the interval must be a positive duration")
        self._align = spec.has("align")
        self._counts: Callable[[], list[GroupCount]] = list

    def watch_parent(self, counts: Callable[[], list[GroupCount]]) -> None:
        """Called by the executor: `counts()` lists the watched node's emitted items by group."""
        self._counts = counts

    def point(self, point: Point) -> list[Item]:
        """Data from the parent is not forwarded."""
        return NOTHING

    def batch(self, batch: Batch) -> list[Item]:
        """Data from the parent is not forwarded."""
        return NOTHING

    def timer_interval(self) -> int | None:
        """The stats interval."""
        return self._interval

    def first_delay(self, now: int) -> int:
        """With `.align()`, wait for the next multiple of the interval first."""
        if not self._align:
            return self._interval
        return go_truncate(now, self._interval) + self._interval - now

    def tick(self, now: int) -> list[Item]:
        """The stats points."""
        t = go_round(now, self._interval) if self._align else now
        counts = self._counts()
        if not counts:
            return [Point(NAME, {}, {"emitted": 0}, t)]
        return [
            Point(NAME, c.tags, {"emitted": c.count}, t, "", "", c.dimensions.group_id(NAME, c.tags), c.dimensions)
            for c in counts
        ]

"""The base of every running node: it turns one input item into zero or more output items.

Processing is synchronous and data-driven: the executor (`tocsin.tasks.executor`) hands each item to a
node and forwards what it returns to the node's children. Nodes driven by wall-clock time (`stats`)
declare a `timer_interval` and produce items from `tick`; a `barrier()` node's barriers reach the nodes
below it through `barrier`. Errors raised while processing an item are counted against the node and logged
(unless `.quiet()`); they never stop the task.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, Item, Point
from tocsin.tasks.context import TaskContext


class NodeError(Exception):
    """A failure processing one item (counted in the node's `errors` stat)."""


class RuntimeNode:
    """A node of a running task. Subclasses override `point` and/or `batch`, and may override `points`."""

    # `point` returns only points (so a list of points goes on to the child's `points`)
    point_yields_points = False

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        self.spec = spec
        self.ctx = ctx
        self.quiet = spec.has("quiet")

    def point(self, point: Point) -> list[Item]:
        """Process one point of a stream edge."""
        raise NodeError(f"{self.spec.name} does not accept points")

    def points(self, points: list[Point], failed: Callable[[Exception], None]) -> list[Item]:
        """What `point` on each point in turn returns, concatenated; a point that raises goes to `failed`.

        An override must be exactly equivalent: the same outputs, state and side effects in the same order.
        """
        out: list[Item] = []
        point = self.point
        for each in points:
            try:
                produced = point(each)
            except Exception as exc:
                failed(exc)
                continue
            if produced:
                out += produced
        return out

    def batch(self, batch: Batch) -> list[Item]:
        """Process one batch of a batch edge."""
        raise NodeError(f"{self.spec.name} does not accept batches")

    def timer_interval(self) -> int | None:
        """Nanoseconds between `tick` calls, for nodes driven by wall-clock time; None for data-driven ones."""
        return None

    def tick(self, now: int) -> list[Item]:
        """Called every `timer_interval` with the current time in ns."""
        return []

    def barrier(self, group: str, time: int, delete: bool) -> list[Item]:
        """A `barrier()` node upstream says `group` has no data before `time` (ns) to come (Kapacitor's
        BarrierMessage) and, with `delete`, that the group is gone (its DeleteGroupMessage): forget its state.
        Returns items for the children (a window's due batch); the executor passes the barrier on after them."""
        return []

    def stats(self) -> dict[str, Any]:
        """Node-specific statistics added to collected/emitted/errors (alert counters, ...)."""
        return {}

    def event_topics(self) -> tuple[str, ...]:
        """The alert topics the node publishes events to (an alert node's)."""
        return ()

    def shares_state(self) -> bool:
        """Whether the node reads or writes state other tasks share (alert inhibition)."""
        return False

    def cardinality(self) -> int:
        """How many groups the node keeps state for (`working_cardinality`)."""
        return 0

    def stop(self) -> None:
        """Release what the node holds when its task stops."""

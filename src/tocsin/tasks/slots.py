"""A running node's bookkeeping: its counters, its children, and Kapacitor's timing average."""

from __future__ import annotations

from collections.abc import Callable

from tocsin.points import Dimensions, Item
from tocsin.tasks.node import RuntimeNode

# Kapacitor's [stats] timing-movavg-size default.
MOVING_AVERAGE_SIZE = 1000


class GroupCount:
    """Items a node emitted for one group (what a child `stats` node reports)."""

    __slots__ = ("count", "dimensions", "tags")

    def __init__(self, tags: dict[str, str], dimensions: Dimensions) -> None:
        self.count = 0
        self.tags = tags
        self.dimensions = dimensions


class MovingAverage:
    """Kapacitor's moving average of the last `size` values."""

    __slots__ = ("avg", "count", "history", "index", "size")

    def __init__(self, size: int = MOVING_AVERAGE_SIZE) -> None:
        self.size = size
        self.history = [0.0] * size
        self.index = -1
        self.count = 0
        self.avg = 0.0

    def update(self, value: float) -> float:
        """Add a value; returns the new average."""
        self.count += 1
        n = float(self.count)
        self.avg += (value - self.avg) / n
        self.index = (self.index + 1) % self.size
        if self.count == self.size + 1:
            old = self.history[self.index]
            self.avg = (n * self.avg - old) / (n - 1)
            self.count -= 1
        self.history[self.index] = value
        return self.avg

    def update_many(self, value: float, times: int) -> float:
        """`update(value)` `times` times (the same average, up to float rounding)."""
        size = self.size
        if times <= 0:
            return self.avg
        if times >= size:
            # every slot of the ring ends up holding `value`
            self.history = [value] * size
            self.index = (self.index + times) % size
            self.count = size
            self.avg = value
            return value
        fill = min(times, size - self.count)  # while the ring fills the average is a plain mean
        if fill > 0:
            self.avg = (self.avg * self.count + value * fill) / (self.count + fill)
            self.count += fill
        first, rest = _ring(self.index + 1 + fill, times - fill, size)
        if times > fill:
            # each later update replaces the oldest value: the average moves by (new - old) / size
            replaced = sum(self.history[first]) + sum(self.history[rest])
            self.avg += ((times - fill) * value - replaced) / size
        first, rest = _ring(self.index + 1, times, size)
        self.history[first] = [value] * (first.stop - first.start)
        self.history[rest] = [value] * rest.stop
        self.index = (self.index + times) % size
        return self.avg


def _ring(start: int, length: int, size: int) -> tuple[slice, slice]:
    """The positions start..start+length-1 of a ring of `size` (length < size) as two slices."""
    start %= size
    end = min(start + length, size)
    return slice(start, end), slice(0, length - (end - start))


class NodeSlot:
    """A running node with its counters and its children."""

    __slots__ = (
        "avg",
        "child_pushes",
        "children",
        "collected",
        "errors",
        "groups",
        "name",
        "node",
        "on_batch",
        "on_point",
        "out_items",
        "parents",
        "passes",
        "points_in",
        "push",
        "until_sample",
    )

    def __init__(self, node: RuntimeNode) -> None:
        self.node = node
        self.on_point = node.point
        self.on_batch = node.batch
        # a node that passes every item on unchanged (`stream`) need not be called for each
        self.passes: bool = getattr(node, "passes_items", False)
        # whether `write_all` hands this node lists of points only (set when the task is a chain)
        self.points_in = False
        self.push: Callable[[Item], None] = self._unwired
        self.child_pushes: list[Callable[[Item], None]] = []  # each child's `push`, in child order
        self.name = node.spec.name
        self.children: list[NodeSlot] = []
        self.parents: list[NodeSlot] = []
        self.collected = 0
        self.out_items = 0  # items sent on each out edge (every item goes to every child)
        self.errors = 0
        self.avg = MovingAverage()
        self.until_sample = 1
        # per-group emitted counts, kept only when a stats node watches this node
        self.groups: dict[str, GroupCount] | None = None

    def _unwired(self, item: Item) -> None:
        raise RuntimeError(f"{self.name}: pushed to before the executor wired it")

    def emitted(self) -> int:
        """Kapacitor's emitted: the sum of the out edges' counts."""
        return self.out_items * len(self.children)

    def group_counts(self) -> list[GroupCount]:
        """Emitted items by group, in first-seen order."""
        return list(self.groups.values()) if self.groups is not None else []

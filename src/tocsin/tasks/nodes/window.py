"""`|window()`: buffers the points of each group and emits them as batches, by data time or by count.

Time windows follow the points' own times, never the wall clock. The first emit is due at the first
point's time + every (truncated to every with `.align()`; + period with `.fillPeriod()`). A point at or
after that time emits the points held in [due - period, due) as a batch timed `due`, and the next emit is
due at that point's time + every. With `every` 0 each point emits the window (point time - period, point
time] that includes it. Count windows emit the last `periodCount` points every `everyCount` points. A
barrier from a `barrier()` node upstream emits a due time window as a point at its time would, without
adding a point (count windows ignore it, as Kapacitor's do); with `.delete(true)` it drops the group's window.

One node holds at most MAX_WINDOW_POINTS points over all its groups (a point that closes a window is
always taken, as it first frees the points before the next window, so the count may pass the cap by one
per group); a point beyond that is refused with a node error (counted in the node's `errors`), never
silently evicting one the window still needs.
"""

from __future__ import annotations

from collections import deque

from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, BatchPoint, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import NodeError
from tocsin.tasks.nodes.common import NOTHING, ProcessingNode, go_truncate, last_duration

ERR_BOTH_PERIODS = "cannot specify both period and periodCount"
ERR_ALIGN_COUNT = "can only align windows based off time, not count"
ERR_EVERY_COUNT = "everyCount must be greater than zero"
ERR_NO_PERIOD = "window node must have either a non zero period or non zero period count"
ERR_BATCH_INPUT = "window does not support batch data"
# Points one window node holds over all its groups: about 250 bytes each, so some 125 MB at the cap.
MAX_WINDOW_POINTS = 500_000
ERR_FULL = "window buffer full: {limit} points held over {groups} groups (the limit of one window node); point dropped"


class _Window:
    """The buffered points of one group and the header of the batches it emits."""

    buffer: deque[Point] | deque[BatchPoint]

    def __init__(self, first: Point) -> None:
        self.name = first.name
        self.group = first.group
        self.dimensions = first.dimensions
        self.tags = {k: first.tags.get(k, "") for k in first.dimensions.tag_names}
        self.database = first.database
        self.retention_policy = first.retention_policy

    def insert(self, point: Point) -> Batch | None:
        """Add a point; the batch it completes, if any."""
        raise NotImplementedError

    def makes_room(self, point: Point) -> bool:
        """Whether inserting `point` cannot add to the points held, or first frees some."""
        raise NotImplementedError

    def barrier(self, time: int) -> Batch | None:
        """The batch a barrier at `time` makes due, if any (as Kapacitor, count windows ignore barriers)."""
        return None

    def emit(self, time: int, rows: list[BatchPoint]) -> Batch:
        return Batch(
            self.name,
            time,
            self.tags,
            rows,
            self.database,
            self.retention_policy,
            self.group,
            self.dimensions,
            self.dimensions.by_name,
        )


def _row(point: Point) -> BatchPoint:
    return BatchPoint(point.time, point.fields, point.tags)


class _TimeWindow(_Window):
    def __init__(self, first: Point, period: int, every: int, align: bool, fill_period: bool) -> None:
        super().__init__(first)
        self.period = period
        self.every = every
        self.align = align
        self.buffer: deque[Point] = deque()
        if fill_period:
            due = first.time + period
            if align:
                full = due
                due = go_truncate(due, every)
                if due <= full:
                    # the first, partial, period is dropped rather than emitted short
                    due += every
        else:
            due = first.time + every
            if align:
                due = go_truncate(due, every)
        self.next_emit = due

    def _purge(self, oldest: int, inclusive: bool) -> None:
        buffer = self.buffer
        while buffer and (buffer[0].time < oldest if inclusive else buffer[0].time <= oldest):
            buffer.popleft()

    def insert(self, point: Point) -> Batch | None:
        if self.every == 0:
            # each point emits, so the window is right-closed: (t - period, t]
            self.buffer.append(point)
            if point.time < self.next_emit:
                return None
            self._purge(point.time - self.period, inclusive=False)
            self.next_emit = point.time
            return self.emit(point.time, [_row(p) for p in self.buffer])
        batch = None
        # later points may share the emit time, so the window is left-closed: [due - period, due)
        if point.time >= self.next_emit:
            self._purge(self.next_emit - self.period, inclusive=True)
            batch = self.emit(self.next_emit, [_row(p) for p in self.buffer])
            due = point.time + self.every
            self.next_emit = go_truncate(due, self.every) if self.align else due
            # what the next emit would purge, purged now: the same batches, fewer points held meanwhile
            self._purge(self.next_emit - self.period, inclusive=True)
        self.buffer.append(point)
        return batch

    def makes_room(self, point: Point) -> bool:
        """Whether inserting `point` emits and purges first."""
        return point.time >= self.next_emit

    def barrier(self, time: int) -> Batch | None:
        """What a point at `time` would emit, without the point."""
        if time < self.next_emit:
            return None
        if self.every == 0:
            self._purge(time - self.period, inclusive=False)
            self.next_emit = time
            return self.emit(time, [_row(p) for p in self.buffer])
        self._purge(self.next_emit - self.period, inclusive=True)
        batch = self.emit(self.next_emit, [_row(p) for p in self.buffer])
        due = time + self.every
        self.next_emit = go_truncate(due, self.every) if self.align else due
        self._purge(self.next_emit - self.period, inclusive=True)
        return batch


class _CountWindow(_Window):
    def __init__(self, first: Point, period: int, every: int, fill_period: bool) -> None:
        super().__init__(first)
        self.every = every
        self.buffer: deque[BatchPoint] = deque(maxlen=period)
        self.count = 0
        self.next_emit = period if fill_period else every

    def insert(self, point: Point) -> Batch | None:
        self.buffer.append(_row(point))
        self.count += 1
        if self.count != self.next_emit:
            return None
        self.next_emit += self.every
        return self.emit(point.time, list(self.buffer))

    def makes_room(self, point: Point) -> bool:
        return len(self.buffer) == self.buffer.maxlen  # a full count window drops its oldest point


class WindowNode(ProcessingNode):
    """Windows each group's points into batches (`.period`, `.every`, `.align`, `.fillPeriod`, counts)."""

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        self.period = last_duration(spec, "period", 0)
        self.every = last_duration(spec, "every", 0)
        self.align = spec.has("align")
        self.fill_period = spec.has("fillPeriod")
        self.period_count = _count(spec, "periodCount")
        self.every_count = _count(spec, "everyCount")
        if self.period_count != 0 and self.period != 0:
            raise NodeError(ERR_BOTH_PERIODS)
        if self.period_count != 0 and self.align:
            raise NodeError(ERR_ALIGN_COUNT)
        if self.period_count != 0 and self.every_count <= 0:
            raise NodeError(ERR_EVERY_COUNT)
        if self.period == 0 and self.period_count == 0:
            raise NodeError(ERR_NO_PERIOD)
        if self.period < 0 or self.every < 0 or self.period_count < 0:
            raise NodeError(f"{spec.name}: period, every and periodCount must not be negative")
        if self.period_count > MAX_WINDOW_POINTS:
            raise NodeError(f"{spec.name}.periodCount: at most {MAX_WINDOW_POINTS} points, got {self.period_count}")
        self._windows: dict[str, _Window] = {}
        self._held = 0

    def _new_window(self, first: Point) -> _Window:
        if self.period != 0:
            return _TimeWindow(first, self.period, self.every, self.align, self.fill_period)
        return _CountWindow(first, self.period_count, self.every_count, self.fill_period)

    def point(self, point: Point) -> list[Item]:
        window = self._windows.get(point.group)
        if window is None:
            window = self._windows[point.group] = self._new_window(point)
        buffer = window.buffer
        held = len(buffer)
        if self._held >= MAX_WINDOW_POINTS and not window.makes_room(point):
            raise NodeError(ERR_FULL.format(limit=MAX_WINDOW_POINTS, groups=len(self._windows)))
        batch = window.insert(point)
        self._held += len(buffer) - held
        return NOTHING if batch is None else [batch]

    def batch(self, batch: Batch) -> list[Item]:
        raise NodeError(ERR_BATCH_INPUT)

    def barrier(self, group: str, time: int, delete: bool) -> list[Item]:
        """Emit the group's window if the barrier makes it due; with `delete`, drop the window."""
        window = self._windows.get(group)
        if window is None:
            return NOTHING
        held = len(window.buffer)
        batch = window.barrier(time)
        self._held += len(window.buffer) - held
        if delete:
            self._held -= len(window.buffer)
            del self._windows[group]
        return NOTHING if batch is None else [batch]

    def cardinality(self) -> int:
        return len(self._windows)


def _count(spec: NodeSpec, prop: str) -> int:
    value = spec.last(prop, 0)
    if isinstance(value, bool) or not isinstance(value, int):
        raise NodeError(f"{spec.name}.{prop}: expected an integer, got {value!r}")
    return value

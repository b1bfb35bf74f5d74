"""`|barrier()`: tell the nodes below that a group's data up to some time is complete, by the wall clock.

Each group gets its own wall-clock timer when its first item arrives. With `.idle(d)` a barrier is due
once the group has had no data for `d`; it is timed by the group's last point time + `d` (then + `d` again
while the group stays idle). With `.period(d)` a barrier is due every `d`, timed by the current time.
Points older than the group's last barrier are dropped. A barrier makes a window below emit the window it
completes; with `.delete(true)` the barrier also deletes the group here and below (windows, alert state),
so the group's next point starts it afresh.

Deadlines are checked every TICK_FRACTION of the duration (within MIN_TICK..MAX_TICK), so a barrier comes
that much late at most.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable

from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import NodeError, RuntimeNode
from tocsin.tasks.nodes.common import NOTHING, last_duration, with_rows

ERR_BOTH = "cannot specify both idle and period"
ERR_IDLE = "idle must be greater than zero"
ERR_PERIOD = "period must be greater than zero"

MS = 1_000_000
TICK_FRACTION = 20
MIN_TICK = 10 * MS
MAX_TICK = 1000 * MS

# (group, barrier time ns, delete)
BarrierSink = Callable[[str, int, bool], None]


class _Group:
    """A group's timer: when its next barrier is due (wall clock), the data time it carries, the last one."""

    __slots__ = ("due", "last_barrier", "last_time")

    def __init__(self, due: int, last_time: int) -> None:
        self.due = due
        self.last_time = last_time
        self.last_barrier: int | None = None

    def admits(self, t: int) -> bool:
        return self.last_barrier is None or t >= self.last_barrier


class BarrierNode(RuntimeNode):
    """Emits barriers per group on `.idle()` or `.period()`; `.delete(true)` deletes the group with them."""

    point_yields_points = True

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        self.idle = last_duration(spec, "idle", 0)
        self.period = last_duration(spec, "period", 0)
        if self.idle != 0 and self.period != 0:
            raise NodeError(ERR_BOTH)
        if self.period == 0 and self.idle <= 0:
            raise NodeError(ERR_IDLE)
        if self.period <= 0 and self.idle == 0:
            raise NodeError(ERR_PERIOD)
        delete = spec.last("delete", False)
        if not isinstance(delete, bool):
            raise NodeError(f"{spec.name}.delete: expected a boolean, got {delete!r}")
        self.delete = delete
        self.clock: Callable[[], int] = _time.time_ns
        self._groups: dict[str, _Group] = {}
        self._sink: BarrierSink | None = None

    def attach_barrier(self, sink: BarrierSink) -> None:
        """Where barriers go (the executor passes them to every node below)."""
        self._sink = sink

    # -- data ------------------------------------------------------------------------------------------

    def _group(self, group: str, first_time: int) -> _Group:
        state = self._groups.get(group)
        if state is None:
            state = self._groups[group] = _Group(self.clock() + (self.idle or self.period), first_time)
        return state

    def _seen(self, state: _Group, t: int) -> None:
        if self.idle:
            state.due = self.clock() + self.idle
            state.last_time = t

    def point(self, point: Point) -> list[Item]:
        state = self._group(point.group, point.time)
        if not state.admits(point.time):
            return NOTHING
        self._seen(state, point.time)
        return [point]

    def batch(self, batch: Batch) -> list[Item]:
        """The batch without the rows older than the group's last barrier."""
        state = self._group(batch.group, batch.time)
        rows = [row for row in batch.points if state.admits(row.time)]
        if rows:
            self._seen(state, rows[-1].time)
        return [batch if len(rows) == len(batch.points) else with_rows(batch, rows)]

    def barrier(self, group: str, time: int, delete: bool) -> list[Item]:
        """A barrier from a barrier node above counts as data for the idle timer."""
        state = self._groups.get(group)
        if state is None:
            return NOTHING
        if self.idle and state.admits(time):
            self._seen(state, time)
            state.last_barrier = time
        if delete:
            del self._groups[group]
        return NOTHING

    # -- timer -----------------------------------------------------------------------------------------

    def timer_interval(self) -> int:
        duration = self.idle or self.period
        return min(duration, max(MIN_TICK, min(MAX_TICK, duration // TICK_FRACTION)))

    def tick(self, now: int) -> list[Item]:
        """Emit the barriers due by `now` (wall clock, ns)."""
        due = [(group, state) for group, state in self._groups.items() if state.due <= now]
        for group, state in due:
            if self.idle:
                at = state.last_time + self.idle
                state.last_time = at
                state.due = now + self.idle
            else:
                at = now
                # a ticker that fell behind skips the ticks it missed
                state.due += self.period * ((now - state.due) // self.period + 1)
            state.last_barrier = at
            if self.delete:
                del self._groups[group]
            if self._sink is not None:
                self._sink(group, at, self.delete)
        return NOTHING

    def cardinality(self) -> int:
        return len(self._groups)

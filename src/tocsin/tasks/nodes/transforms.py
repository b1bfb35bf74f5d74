"""InfluxQL transformations: elapsed, difference, movingAverage, cumulativeSum.

They are emitted after every row, and each result carries the time of the row that produced it.
elapsed is an integer count of `unit`s; difference and cumulativeSum keep the field's type;
movingAverage is a float, emitted once `n` rows have been seen.
"""

from __future__ import annotations

from tocsin.points import FieldValue
from tocsin.tasks.nodes.reducing import FLOAT, Result, Sample, go_int_div


class ElapsedReducer:
    """elapsed(unit): time since the previous row, in whole units."""

    def __init__(self, unit: int) -> None:
        self.unit = unit
        self.prev: Sample | None = None
        self.curr: Sample | None = None

    def aggregate(self, sample: Sample) -> None:
        self.prev, self.curr = self.curr, sample

    def emit(self) -> list[Result]:
        if self.prev is None or self.curr is None:
            return []
        return [Result(self.curr.time, go_int_div(self.curr.time - self.prev.time, self.unit))]


class DifferenceReducer:
    """difference(): the change from the previous row; rows at the time of the current one are skipped."""

    def __init__(self) -> None:
        self.prev: Sample | None = None
        self.curr: Sample | None = None
        self.unread = False

    def aggregate(self, sample: Sample) -> None:
        if self.curr is not None and self.curr.time == sample.time:
            return
        self.prev, self.curr = self.curr, sample
        self.unread = self.prev is not None

    def emit(self) -> list[Result]:
        if not self.unread or self.prev is None or self.curr is None:
            return []
        self.unread = False
        return [Result(self.curr.time, self.curr.value - self.prev.value)]  # type: ignore[operator]


class MovingAverageReducer:
    """movingAverage(n): the mean of the last n rows, kept as a running sum as InfluxDB does."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.window: list[FieldValue] = []
        self.pos = 0
        self.total: float | int = 0
        self.time = 0

    def aggregate(self, sample: Sample) -> None:
        value = sample.value
        assert isinstance(value, (int, float))
        if len(self.window) < self.n:
            self.window.append(value)
        else:
            self.total -= self.window[self.pos]  # type: ignore[operator]
            self.window[self.pos] = value
        self.total += value
        self.time = sample.time
        self.pos = (self.pos + 1) % self.n

    def emit(self) -> list[Result]:
        if len(self.window) < self.n:
            return []
        return [Result(self.time, float(self.total) / float(self.n))]


class CumulativeSumReducer:
    """cumulativeSum(): the running total, in the field's type."""

    def __init__(self, kind: str) -> None:
        self.total: FieldValue = 0.0 if kind == FLOAT else 0
        self.time: int | None = None

    def aggregate(self, sample: Sample) -> None:
        self.total += sample.value  # type: ignore[operator]
        self.time = sample.time

    def emit(self) -> list[Result]:
        return [] if self.time is None else [Result(self.time, self.total)]

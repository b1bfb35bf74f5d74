"""InfluxQL aggregate reducers: count, sum, mean, median, mode, spread, stddev, distinct.

Result types follow InfluxQL: count is an integer; sum, mode and spread keep the field's type; mean,
median and stddev are floats. Times are ZeroTime except where InfluxDB keeps another: sum starts from
a point at time 0 (so `.usePointTimes()` shows the epoch), a count of nothing is that same point, and
median/mode of one float row return that row as it is.
"""

from __future__ import annotations

import math

from tocsin.points import FieldValue
from tocsin.tasks.nodes.reducing import FLOAT, Result, Sample, by_value, go_max, go_min


class CountReducer:
    """count(): the number of rows."""

    def __init__(self) -> None:
        self.count = 0

    def aggregate(self, sample: Sample) -> None:
        self.count += 1

    def emit(self) -> list[Result]:
        return [Result(None if self.count else 0, self.count)]


class SumReducer:
    """sum(): starts at 0 of the field's type."""

    def __init__(self, kind: str) -> None:
        self.total: FieldValue = 0.0 if kind == FLOAT else 0

    def aggregate(self, sample: Sample) -> None:
        self.total += sample.value  # type: ignore[operator]

    def emit(self) -> list[Result]:
        return [Result(0, self.total)]


class MeanReducer:
    """mean(): a float; integers are summed as integers first."""

    def __init__(self) -> None:
        self.total: float | int = 0
        self.count = 0

    def aggregate(self, sample: Sample) -> None:
        self.total += sample.value  # type: ignore[operator]
        self.count += 1

    def emit(self) -> list[Result]:
        return [Result(None, float(self.total) / float(self.count))]


class _SliceReducer:
    """Keeps every row; subclasses reduce the whole slice at emit."""

    def __init__(self) -> None:
        self.samples: list[Sample] = []

    def aggregate(self, sample: Sample) -> None:
        self.samples.append(sample)


class MedianReducer(_SliceReducer):
    """median(): the middle value, or the midpoint of the two middle values."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def emit(self) -> list[Result]:
        samples = self.samples
        if len(samples) == 1:
            only = samples[0]
            return [Result(only.time, only.value)] if self.kind == FLOAT else [Result(None, float(only.value))]
        ordered = by_value(samples)
        n = len(ordered)
        if n % 2 == 0:
            lo, hi = ordered[n // 2 - 1].value, ordered[n // 2].value
            if self.kind == FLOAT:
                return [Result(None, lo + (hi - lo) / 2)]  # type: ignore[operator]
            return [Result(None, float(lo) + float(hi - lo) / 2)]  # type: ignore[operator]
        return [Result(None, float(ordered[n // 2].value))]


class ModeReducer(_SliceReducer):
    """mode(): the most frequent value; a tie goes to the value whose run starts at the earlier time."""

    def emit(self) -> list[Result]:
        samples = self.samples
        if len(samples) == 1:
            return [Result(samples[0].time, samples[0].value)]
        ordered = by_value(samples)
        most_freq = 0
        curr_freq = 0
        curr_mode = most_mode = ordered[0].value
        curr_time = most_time = ordered[0].time
        for sample in ordered:
            if sample.value != curr_mode:
                curr_freq = 1
                curr_mode = sample.value
                curr_time = sample.time
                continue
            curr_freq += 1
            if most_freq > curr_freq or (most_freq == curr_freq and curr_time > most_time):
                continue
            # InfluxDB records the time of the run's latest row here, not its first
            most_freq = curr_freq
            most_mode = sample.value
            most_time = sample.time
        return [Result(None, most_mode)]


class SpreadReducer:
    """spread(): max - min, in the field's type."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.low: float | int | None = None
        self.high: float | int | None = None

    def aggregate(self, sample: Sample) -> None:
        value = sample.value
        assert isinstance(value, (int, float))
        if self.low is None or self.high is None:
            self.low = self.high = value
        elif self.kind == FLOAT:
            self.low = go_min(self.low, value)
            self.high = go_max(self.high, value)
        else:
            self.low = min(self.low, value)
            self.high = max(self.high, value)

    def emit(self) -> list[Result]:
        if self.low is None or self.high is None:
            return [Result(None, -math.inf if self.kind == FLOAT else 0)]
        return [Result(None, self.high - self.low)]


class StddevReducer(_SliceReducer):
    """stddev(): the sample standard deviation (n - 1); NaN for fewer than two rows."""

    def emit(self) -> list[Result]:
        if len(self.samples) < 2:
            return [Result(None, math.nan)]
        values = [float(s.value) for s in self.samples]
        values = [v for v in values if not math.isnan(v)]
        mean = 0.0
        for count, value in enumerate(values, start=1):
            mean += (value - mean) / float(count)
        variance = 0.0
        for value in values:
            variance += (value - mean) * (value - mean)
        if len(values) == 1:
            return [Result(None, math.nan)]  # Go's 0/0
        return [Result(None, math.sqrt(variance / float(len(values) - 1)))]


class DistinctReducer:
    """distinct(): each value once, at the time it was first seen, ordered by time."""

    def __init__(self) -> None:
        self.first_seen: dict[FieldValue, int] = {}

    def aggregate(self, sample: Sample) -> None:
        self.first_seen.setdefault(sample.value, sample.time)

    def emit(self) -> list[Result]:
        ordered = sorted(self.first_seen.items(), key=lambda item: item[1])
        return [Result(time, value) for value, time in ordered]

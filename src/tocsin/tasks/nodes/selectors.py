"""InfluxQL selectors: first, last, min, max, percentile (one row) and top, bottom (n rows).

Each result keeps its source row: first/last/min/max/percentile pass on the row's tags and fields, and
top/bottom the row's tags. Ties follow InfluxDB: first/last prefer the greater value at equal times
(false before true for first, true for last); min/max/top/bottom prefer the earlier row at equal values.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from tocsin.tasks.nodes.reducing import BOOLEAN, Result, Sample, by_value

Better = Callable[[Sample, Sample], bool]  # (candidate, kept) -> the candidate replaces the kept row


def _first(kind: str) -> Better:
    def better(curr: Sample, prev: Sample) -> bool:
        if curr.time != prev.time:
            return curr.time < prev.time
        if kind == BOOLEAN:
            return not curr.value and bool(prev.value)
        return curr.value > prev.value  # type: ignore[operator]

    return better


def _last(kind: str) -> Better:
    def better(curr: Sample, prev: Sample) -> bool:
        if curr.time != prev.time:
            return curr.time > prev.time
        if kind == BOOLEAN:
            return bool(curr.value) and not prev.value
        return curr.value > prev.value  # type: ignore[operator]

    return better


def _min(kind: str) -> Better:
    def better(curr: Sample, prev: Sample) -> bool:
        return curr.value < prev.value or (curr.value == prev.value and curr.time < prev.time)  # type: ignore[operator]

    return better


def _max(kind: str) -> Better:
    def better(curr: Sample, prev: Sample) -> bool:
        return curr.value > prev.value or (curr.value == prev.value and curr.time < prev.time)  # type: ignore[operator]

    return better


_RULES: dict[str, Callable[[str], Better]] = {"first": _first, "last": _last, "min": _min, "max": _max}


class SelectReducer:
    """Keeps the one row that wins under `better`."""

    def __init__(self, method: str, kind: str) -> None:
        self.better = _RULES[method](kind)
        self.kept: Sample | None = None

    def aggregate(self, sample: Sample) -> None:
        if self.kept is None or self.better(sample, self.kept):
            self.kept = sample

    def emit(self) -> list[Result]:
        kept = self.kept
        return [] if kept is None else [Result(kept.time, kept.value, kept)]


class PercentileReducer:
    """percentile(p): the nearest-rank row, index floor(n * p / 100 + 0.5) - 1; nothing if out of range."""

    def __init__(self, percentile: float) -> None:
        self.percentile = percentile
        self.samples: list[Sample] = []

    def aggregate(self, sample: Sample) -> None:
        self.samples.append(sample)

    def emit(self) -> list[Result]:
        n = len(self.samples)
        index = math.floor(float(n) * self.percentile / 100.0 + 0.5) - 1
        if index < 0 or index >= n:
            return []
        chosen = by_value(self.samples)[index]
        return [Result(chosen.time, chosen.value, chosen)]


class RankReducer:
    """top(n)/bottom(n): the n highest (lowest) values, earlier rows first among equal values."""

    def __init__(self, n: int, highest: bool) -> None:
        self.n = n
        self.highest = highest
        self.samples: list[Sample] = []

    def aggregate(self, sample: Sample) -> None:
        self.samples.append(sample)

    def emit(self) -> list[Result]:
        sign = -1 if self.highest else 1
        ranked = sorted(self.samples, key=lambda s: (sign * s.value, s.time))
        return [Result(s.time, s.value, s) for s in ranked[: self.n]]

"""What InfluxQL reducers take and give: one value per input row, zero or more results per emit.

A reducer is created for one field type (InfluxQL's float64, int64, string or bool, fixed by the first
row that has the field) and fed rows of that type only. `emit` may be called after every row (stream
transformations) or once per batch. A result's `time` is None for InfluxQL's ZeroTime (no time of its
own: the batch or group time is used); selectors keep the `source` row so its tags and fields carry over.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

from tocsin.points import FieldValue

FLOAT = "float64"
INTEGER = "int64"
STRING = "string"
BOOLEAN = "bool"


def kind_of(value: FieldValue) -> str:
    """The Go type name of a field value (bool is checked first: it is an int in Python)."""
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, float):
        return FLOAT
    return STRING


@dataclass(slots=True)
class Sample:
    """One input row: the field's value plus the row's time, tags and fields."""

    time: int
    value: FieldValue
    tags: dict[str, str]
    fields: dict[str, FieldValue]


@dataclass(slots=True)
class Result:
    """One emitted value; `time` None means ZeroTime."""

    time: int | None
    value: FieldValue
    source: Sample | None = None


class Reducer(Protocol):
    """An InfluxQL reducer for one field type."""

    def aggregate(self, sample: Sample) -> None:
        """Feed one row."""

    def emit(self) -> list[Result]:
        """The current results (does not reset the reducer)."""


def go_min(a: float, b: float) -> float:
    """Go's math.Min: NaN wins."""
    if math.isnan(a) or math.isnan(b):
        return math.nan
    return a if a <= b else b


def go_max(a: float, b: float) -> float:
    """Go's math.Max: NaN wins."""
    if math.isnan(a) or math.isnan(b):
        return math.nan
    return a if a >= b else b


def go_int_div(a: int, b: int) -> int:
    """Go's integer division, truncating toward zero."""
    quotient = abs(a) // abs(b)
    return quotient if (a >= 0) == (b > 0) else -quotient


def by_value(samples: list[Sample]) -> list[Sample]:
    """Samples ordered by value (stable, as Go's sort is for the small slices of a window)."""
    return sorted(samples, key=lambda s: s.value)

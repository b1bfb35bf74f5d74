"""Runtime values of lambda expressions and their Kapacitor type names.

bool, int (int64 semantics), float, str and compiled regexes are plain Python objects; durations and
times get small wrapper classes so they never mix with ints; MISSING is a reference that resolved to
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from tocsin.expr.regex import GoRegex


@dataclass(frozen=True, slots=True, order=True)
class Duration:
    """A Go time.Duration: signed nanoseconds."""

    ns: int


@dataclass(frozen=True, slots=True, order=True)
class Time:
    """A point in time: nanoseconds since the Unix epoch, UTC."""

    ns: int


class Missing:
    """The value of a reference with no field or tag of that name."""

    _instance: Missing | None = None

    def __new__(cls) -> Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = Missing()

Value = bool | int | float | str | Duration | Time | GoRegex | Missing

_TYPE_NAMES: dict[type, str] = {
    bool: "boolean",
    int: "int",
    float: "float",
    str: "string",
    Duration: "duration",
    Time: "time",
    GoRegex: "regex",
    Missing: "missing",
}
_GO_TYPE_NAMES: dict[type, str] = {
    bool: "bool",
    int: "int64",
    float: "float64",
    str: "string",
    Duration: "time.Duration",
    Time: "time.Time",
    GoRegex: "*regexp.Regexp",
    Missing: "*ast.Missing",
}


def type_name(value: Value) -> str:
    """Kapacitor's ValueType name of `value` (`int`, `float`, `boolean`, `duration`, ...)."""
    return _TYPE_NAMES.get(type(value), "invalid type")


def go_type_name(value: Value) -> str:
    """The Go type Kapacitor's `%T` prints for `value` (`int64`, `float64`, `time.Duration`, ...)."""
    return _GO_TYPE_NAMES.get(type(value), "<nil>")

"""Timestamps: precision multipliers and InfluxDB's range checks (models/time.go)."""

from __future__ import annotations

from tocsin.lineprotocol.errors import (
    INVALID_SYNTAX,
    OUT_OF_RANGE,
    STRCONV,
    TIME_RANGE,
    LineError,
)

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
# The two lowest int64 values are sentinels inside InfluxDB, and the highest is kept for exclusive ranges.
MIN_NANO_TIME = INT64_MIN + 2
MAX_NANO_TIME = INT64_MAX - 1

# An unknown precision silently means nanoseconds, as GetPrecisionMultiplier does.
MULTIPLIERS = {"n": 1, "u": 1_000, "ms": 1_000_000, "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000}


def multiplier(precision: str) -> int:
    """Nanoseconds per unit of `precision`."""
    return MULTIPLIERS.get(precision, 1)


def truncate(now: int, mult: int) -> int:
    """Go's Time.Truncate to the precision, used for points without a timestamp."""
    return now - now % mult


def _go_div(a: int, b: int) -> int:
    """Go's integer division, which truncates toward zero."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _range_error(value: int, mult: int) -> LineError:
    low, high = _go_div(MIN_NANO_TIME, mult), _go_div(MAX_NANO_TIME, mult)
    return LineError(TIME_RANGE.format(value=value, low=low, high=high))


def parse_timestamp(text: str, mult: int) -> int:
    """The time in ns of a scanned timestamp (`-?[0-9]*`, not empty) at the multiplier; LineError otherwise."""
    digits = text[1:] if text[:1] == "-" else text
    if not digits:
        raise LineError(STRCONV.format(func="ParseInt", text=text, reason=INVALID_SYNTAX))
    value = int(text)
    if not INT64_MIN <= value <= INT64_MAX:
        raise LineError(STRCONV.format(func="ParseInt", text=text, reason=OUT_OF_RANGE))
    if value in (0, 1) or mult == 1:
        ns = value * mult
    else:
        ns = value * mult
        if value == MIN_NANO_TIME or not INT64_MIN <= ns <= INT64_MAX:
            raise _range_error(value, mult)
    if not MIN_NANO_TIME <= ns <= MAX_NANO_TIME:
        # CheckTime reports the time in whole seconds (Go's Time.Unix floors).
        raise _range_error(ns // 1_000_000_000, 1)
    return ns

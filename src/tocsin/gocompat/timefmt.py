"""Go time text: RFC 3339 with nanoseconds (as `time.RFC3339Nano` in UTC) and `Time.String()`."""

from __future__ import annotations

import calendar
import functools
import re
import time as _time

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$"
)
_NS = 1_000_000_000


def now_ns() -> int:
    return _time.time_ns()


def _split(ns: int) -> tuple[_time.struct_time, int]:
    secs, frac = divmod(ns, _NS)
    return _time.gmtime(secs), frac


@functools.lru_cache(maxsize=4096)
def _rfc3339_seconds(secs: int) -> str:
    t = _time.gmtime(secs)
    return f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}"


def format_rfc3339nano(ns: int) -> str:
    """UTC time in Go's RFC3339Nano layout: trailing zeros of the fraction trimmed, `Z` suffix."""
    secs, frac = divmod(ns, _NS)
    base = _rfc3339_seconds(secs)  # events cluster in time: the calendar part repeats
    if frac:
        base += "." + f"{frac:09d}".rstrip("0")
    return base + "Z"


def format_go_string(ns: int) -> str:
    """UTC time as Go's `Time.String()`: `2006-01-02 15:04:05.999999999 +0000 UTC`."""
    t, frac = _split(ns)
    base = f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d} {t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}"
    if frac:
        base += "." + f"{frac:09d}".rstrip("0")
    return base + " +0000 UTC"


def parse_rfc3339(text: str) -> int:
    """Parse RFC 3339 (with optional fraction up to nanoseconds) into UTC nanoseconds since the epoch."""
    m = _RFC3339.match(text)
    if m is None:
        raise ValueError(f'cannot parse "{text}" as RFC 3339 time')
    year, month, day, hour, minute, second = (int(m.group(i)) for i in range(1, 7))
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 61):
        raise ValueError(f'time "{text}" is out of range')
    frac = int((m.group(7) or "").ljust(9, "0") or "0")
    offset = 0
    if m.group(9):
        offset = (int(m.group(10)) * 60 + int(m.group(11))) * 60
        if m.group(9) == "-":
            offset = -offset
    secs = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0)) - offset
    return secs * _NS + frac

"""Go's time.Time (UTC only) and time.Duration as template values, with the methods templates call.

Methods carry Go's exported names (`.Unix`, `.Format`, `.Seconds`) because templates look them up by name.
"""

from __future__ import annotations

import calendar
import time as _time
from typing import Any

from tocsin.gocompat.duration import HOUR, MINUTE, SECOND, format_duration
from tocsin.gocompat.timefmt import format_go_string, format_rfc3339nano

_NS = 1_000_000_000
# Go's zero Time (January 1, year 1, UTC) in nanoseconds since the Unix epoch.
ZERO_TIME_NS = -62135596800 * _NS

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


class GoDuration(int):
    """A Go time.Duration: integer nanoseconds that print as `1m30s` and compare as an int64."""

    go_type = "time.Duration"

    def __repr__(self) -> str:
        return f"GoDuration({int(self)})"

    def String(self) -> str:
        return format_duration(int(self))

    __str__ = String

    def Nanoseconds(self) -> int:
        return int(self)

    def Microseconds(self) -> int:
        return _trunc_div(int(self), 1_000)

    def Milliseconds(self) -> int:
        return _trunc_div(int(self), 1_000_000)

    def Seconds(self) -> float:
        return self._float(SECOND)

    def Minutes(self) -> float:
        return self._float(MINUTE)

    def Hours(self) -> float:
        return self._float(HOUR)

    def _float(self, unit: int) -> float:
        # Go splits into whole units and remainder so the result rounds exactly as it does there.
        whole = _trunc_div(int(self), unit)
        return float(whole) + float(int(self) - whole * unit) / unit


def _trunc_div(a: int, b: int) -> int:
    q = abs(a) // b
    return q if a >= 0 else -q


class GoMonth(int):
    """A Go time.Month: prints as `January`, formats with %d as 1."""

    go_type = "time.Month"

    def String(self) -> str:
        return _MONTHS[self - 1] if 1 <= self <= 12 else f"%!Month({int(self)})"

    __str__ = String


class GoWeekday(int):
    """A Go time.Weekday: prints as `Sunday`, formats with %d as 0."""

    go_type = "time.Weekday"

    def String(self) -> str:
        return _DAYS[self] if 0 <= self <= 6 else f"%!Weekday({int(self)})"

    __str__ = String


class GoTime:
    """A Go time.Time in UTC, held as integer nanoseconds since the Unix epoch."""

    __slots__ = ("ns",)
    go_type = "time.Time"

    def __init__(self, ns: int) -> None:
        self.ns = ns

    def __repr__(self) -> str:
        return f"GoTime({self.ns})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GoTime) and other.ns == self.ns

    def __hash__(self) -> int:
        return hash(self.ns)

    def _parts(self) -> tuple[_time.struct_time, int]:
        secs, frac = divmod(self.ns, _NS)
        return _time.gmtime(secs), frac

    def String(self) -> str:
        return format_go_string(self.ns)

    __str__ = String

    def to_json(self) -> str:
        """Go's Time.MarshalJSON text (RFC 3339 with nanoseconds, trailing zeros trimmed)."""
        return format_rfc3339nano(self.ns)

    def Unix(self) -> int:
        return self.ns // _NS

    def UnixMilli(self) -> int:
        return self.ns // 1_000_000

    def UnixMicro(self) -> int:
        return self.ns // 1_000

    def UnixNano(self) -> int:
        return self.ns

    def UTC(self) -> GoTime:
        return self

    def Local(self) -> GoTime:
        return self

    def Year(self) -> int:
        return self._parts()[0].tm_year

    def Month(self) -> GoMonth:
        return GoMonth(self._parts()[0].tm_mon)

    def Day(self) -> int:
        return self._parts()[0].tm_mday

    def Hour(self) -> int:
        return self._parts()[0].tm_hour

    def Minute(self) -> int:
        return self._parts()[0].tm_min

    def Second(self) -> int:
        return self._parts()[0].tm_sec

    def Nanosecond(self) -> int:
        return self._parts()[1]

    def YearDay(self) -> int:
        return self._parts()[0].tm_yday

    def Weekday(self) -> GoWeekday:
        return GoWeekday((self._parts()[0].tm_wday + 1) % 7)

    def IsZero(self) -> bool:
        return self.ns == ZERO_TIME_NS

    def Add(self, d: int) -> GoTime:
        return GoTime(self.ns + int(d))

    def Sub(self, other: GoTime) -> GoDuration:
        return GoDuration(self.ns - other.ns)

    def Before(self, other: GoTime) -> bool:
        return self.ns < other.ns

    def After(self, other: GoTime) -> bool:
        return self.ns > other.ns

    def Equal(self, other: GoTime) -> bool:
        return self.ns == other.ns

    def Truncate(self, d: int) -> GoTime:
        if d <= 0:
            return self
        return GoTime(self.ns - (self.ns - ZERO_TIME_NS) % int(d))

    def Format(self, layout: str) -> str:
        return format_layout(self, layout)


# Go layout elements, longest first where one is a prefix of another (time/format.go nextStdChunk).
_FIXED_TZ = {
    "Z07:00:00": "Z",
    "-07:00:00": "+00:00:00",
    "Z070000": "Z",
    "-070000": "+000000",
    "Z07:00": "Z",
    "-07:00": "+00:00",
    "Z0700": "Z",
    "-0700": "+0000",
    "Z07": "Z",
    "-07": "+00",
}


def _chunk(layout: str, i: int, t: _time.struct_time, frac: int) -> tuple[str, int] | None:
    """The text of the layout element starting at `layout[i]` and its length, or None for a literal."""
    rest = layout[i:]
    c = rest[0]
    if c == "J" and rest.startswith("Jan"):
        if rest.startswith("January"):
            return _MONTHS[t.tm_mon - 1], 7
        if not rest[3:4].islower():
            return _MONTHS[t.tm_mon - 1][:3], 3
    elif c == "M":
        if rest.startswith("Mon"):
            day = _DAYS[(t.tm_wday + 1) % 7]
            if rest.startswith("Monday"):
                return day, 6
            if not rest[3:4].islower():
                return day[:3], 3
        if rest.startswith("MST"):
            return "UTC", 3
    elif c == "0":
        if rest[1:2] and "1" <= rest[1] <= "6":
            value = [t.tm_mon, t.tm_mday, t.tm_hour % 12 or 12, t.tm_min, t.tm_sec, t.tm_year % 100]
            return f"{value[int(rest[1]) - 1]:02d}", 2
        if rest.startswith("002"):
            return f"{t.tm_yday:03d}", 3
    elif c == "1":
        if rest.startswith("15"):
            return f"{t.tm_hour:02d}", 2
        return str(t.tm_mon), 1
    elif c == "2":
        if rest.startswith("2006"):
            return f"{t.tm_year:04d}", 4
        return str(t.tm_mday), 1
    elif c == "_":
        if rest.startswith("_2"):
            if rest.startswith("_2006"):
                return f"_{t.tm_year:04d}", 5
            return f"{t.tm_mday:2d}", 2
        if rest.startswith("__2"):
            return f"{t.tm_yday:3d}", 3
    elif c in "345":
        return str([t.tm_hour % 12 or 12, t.tm_min, t.tm_sec][int(c) - 3]), 1
    elif c in "Pp" and rest[1:2] == ("M" if c == "P" else "m"):
        pm = "PM" if t.tm_hour >= 12 else "AM"
        return (pm if c == "P" else pm.lower()), 2
    elif c in "-Z":
        for element, text in _FIXED_TZ.items():
            if rest.startswith(element):
                return text, len(element)
    elif c in ".," and rest[1:2] in ("0", "9"):
        j = 1
        while j < len(rest) and rest[j] == rest[1]:
            j += 1
        if not rest[j : j + 1].isdigit():
            digits = f"{frac:09d}"[: j - 1]
            if rest[1] == "9":
                digits = digits.rstrip("0")
                return (c + digits if digits else ""), j
            return c + digits, j
    return None


def format_layout(t: GoTime, layout: str) -> str:
    """`t` formatted with a Go reference-time layout such as `2006-01-02T15:04:05Z07:00`."""
    parts, frac = t._parts()
    out: list[str] = []
    i = 0
    while i < len(layout):
        hit = _chunk(layout, i, parts, frac)
        if hit is None:
            out.append(layout[i])
            i += 1
        else:
            out.append(hit[0])
            i += hit[1]
    return "".join(out)


def time_from_unix(secs: int, nsec: int = 0) -> GoTime:
    """A GoTime from Unix seconds and nanoseconds."""
    return GoTime(secs * _NS + nsec)


def go_time_of(year: int, month: int, day: int, hour: int = 0, minute: int = 0, sec: int = 0) -> GoTime:
    """A GoTime for a UTC calendar date and clock time."""
    return GoTime(calendar.timegm((year, month, day, hour, minute, sec, 0, 0, 0)) * _NS)


def is_stringer(value: Any) -> bool:
    """Whether `value` has a Go `String()` method that fmt uses for %v and %s."""
    return callable(getattr(type(value), "String", None))

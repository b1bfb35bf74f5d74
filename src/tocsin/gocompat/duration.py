"""Go `time.Duration` text: `String()` output and `ParseDuration` input, in integer nanoseconds."""

from __future__ import annotations

import re

NANOSECOND = 1
MICROSECOND = 1_000
MILLISECOND = 1_000_000
SECOND = 1_000_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE

_UNITS = {
    "ns": NANOSECOND,
    "us": MICROSECOND,
    "µs": MICROSECOND,
    "μs": MICROSECOND,
    "ms": MILLISECOND,
    "s": SECOND,
    "m": MINUTE,
    "h": HOUR,
}
_PART = re.compile(r"(\d*\.?\d*)(ns|us|µs|μs|ms|s|m|h)")


def _frac(value: int, unit: int) -> str:
    whole, rest = divmod(value, unit)
    if not rest:
        return str(whole)
    digits = str(rest).rjust(len(str(unit)) - 1, "0").rstrip("0")
    return f"{whole}.{digits}"


def format_duration(ns: int) -> str:
    """Format nanoseconds exactly as Go's `time.Duration.String()` does (`0s`, `1.5ms`, `1h2m3s`)."""
    if ns == 0:
        return "0s"
    sign = "-" if ns < 0 else ""
    u = abs(ns)
    if u < SECOND:
        if u < MICROSECOND:
            return f"{sign}{u}ns"
        if u < MILLISECOND:
            return f"{sign}{_frac(u, MICROSECOND)}µs"
        return f"{sign}{_frac(u, MILLISECOND)}ms"
    hours, rest = divmod(u, HOUR)
    minutes, rest = divmod(rest, MINUTE)
    out = sign
    if hours:
        out += f"{hours}h"
    if hours or minutes:
        out += f"{minutes}m"
    return out + f"{_frac(rest, SECOND)}s"


def parse_duration(text: str) -> int:
    """Parse a Go duration string (`10s`, `1h30m`, `1.5s`, `-2ms`) into nanoseconds.

    Raises ValueError with Go's wording for text that is not a duration.
    """
    s = text.strip()
    if not s:
        raise ValueError(f'time: invalid duration "{text}"')
    sign = 1
    if s[0] in "+-":
        sign = -1 if s[0] == "-" else 1
        s = s[1:]
    if s == "0":
        return 0
    pos = 0
    total = 0
    while pos < len(s):
        m = _PART.match(s, pos)
        if m is None or m.group(1) in ("", "."):
            if m is None and re.match(r"\d*\.?\d*$", s[pos:]):
                raise ValueError(f'time: missing unit in duration "{text}"')
            raise ValueError(f'time: invalid duration "{text}"')
        number, unit = m.group(1), _UNITS[m.group(2)]
        if "." in number:
            whole, _, frac = number.partition(".")
            total += int(whole or "0") * unit
            if frac:
                total += int(frac) * unit // (10 ** len(frac))
        else:
            total += int(number) * unit
        pos = m.end()
    return sign * total

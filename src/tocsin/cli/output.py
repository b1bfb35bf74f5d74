"""Text output: Go-style padded columns, generic tables, RFC 822 dates in local time, and JSON for `--json`."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Sequence
from typing import Any, TextIO

from tocsin.gocompat.json import dumps as go_dumps
from tocsin.gocompat.timefmt import parse_rfc3339

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
TABLE_GAP = "  "


def go_text(value: object) -> str:
    """A JSON scalar as Go's `%v` prints the matching Go value (`true`, `12`, text)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def left(value: object, width: int) -> str:
    """Go's `%-<width>v`: left-justified, padded with spaces, never truncated."""
    return go_text(value).ljust(width)


def right(value: object, width: int) -> str:
    """Go's `%<width>v`: right-justified, padded with spaces, never truncated."""
    return go_text(value).rjust(width)


def widest(minimum: int, values: Sequence[object]) -> int:
    """The width of the longest value, at least `minimum` (Kapacitor starts from the header's length)."""
    return max([minimum, *(len(go_text(v)) for v in values)])


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """Lines of a left-aligned table whose columns are as wide as their widest cell, two spaces apart."""
    widths = [widest(len(h), [row[i] for row in rows]) for i, h in enumerate(headers)]
    lines = []
    for row in [list(headers), *rows]:
        cells = [left(cell, widths[i]) for i, cell in enumerate(row)]
        lines.append(TABLE_GAP.join(cells).rstrip())
    return lines


def rfc822_local(ns: int) -> str:
    """A time as Go's `t.Local().Format(time.RFC822)` prints it: `02 Jan 06 15:04 MST`."""
    moment = _EPOCH + dt.timedelta(microseconds=ns // 1000)
    # Outside the platform's local-time range (Go's zero time lands there) the time stays in UTC.
    with contextlib.suppress(OverflowError, OSError, ValueError):
        moment = moment.astimezone()
    zone = moment.tzname() or moment.strftime("%z")
    return (
        f"{moment.day:02d} {_MONTHS[moment.month - 1]} {moment.year % 100:02d} "
        f"{moment.hour:02d}:{moment.minute:02d} {zone}"
    )


def rfc822_text(text: object) -> str:
    """An RFC 3339 timestamp from the API in RFC 822 local time; other text is shown as it came."""
    if not isinstance(text, str) or not text:
        return ""
    try:
        return rfc822_local(parse_rfc3339(text))
    except ValueError:
        return text


def time_key(text: object) -> int:
    """Sort key for an RFC 3339 timestamp; unparsable or missing times sort first, as Go's zero time does."""
    if isinstance(text, str):
        try:
            return parse_rfc3339(text)
        except ValueError:
            pass
    return -(2**63)


def go_sorted(value: Any) -> Any:
    """`value` with every map's keys in Go's order (sorted), as `json.Marshal` of a Go map writes them."""
    if isinstance(value, dict):
        return {k: go_sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [go_sorted(v) for v in value]
    return value


def compact_json(value: Any) -> str:
    """Compact JSON as Go's `json.Marshal` writes a decoded `interface{}` value."""
    return go_dumps(go_sorted(value))


def print_json(out: TextIO, value: Any) -> None:
    """Machine-readable output for `--json`: indented JSON, keys in the order the API sent them."""
    out.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def print_lines(out: TextIO, lines: Sequence[str]) -> None:
    """Write each line followed by a newline."""
    for line in lines:
        out.write(line + "\n")

"""`parse_points`: a body of InfluxDB line protocol to `Point`s, with InfluxDB 1.x's results and errors.

Most lines (no backslash, quote, tab or NUL; single spaces between sections) take a fast path built on
str.split/partition. Anything the fast path is not sure about goes to the exact scanner in `scanner.py`,
which also produces the error texts, so both paths give identical results.
"""

from __future__ import annotations

import re
import time as _time

from tocsin.lineprotocol.errors import (
    PARTIAL_WRITE,
    TIME_FIELD,
    TIME_TAG,
    UNABLE_TO_PARSE,
    LineError,
    LineProtocolError,
    PartialWriteError,
)
from tocsin.lineprotocol.scanner import WHITESPACE, ParsedLine, parse_line, scan_line, skip_whitespace
from tocsin.lineprotocol.timestamps import MAX_NANO_TIME, MIN_NANO_TIME, multiplier, truncate
from tocsin.points import FieldValue, Point

_SLOW_CHARS = ("\\", '"', "\t", "\x00")
_NO_QUOTED = ("\\", "\t", "\x00")
_NUMBER_START = frozenset("0123456789-.")
_TOKENS = re.compile('[=,"]')
_SKIP_START = frozenset(WHITESPACE + "#")
_BOOLEANS: dict[str, bool] = {
    "t": True,
    "T": True,
    "true": True,
    "True": True,
    "TRUE": True,
    "f": False,
    "F": False,
    "false": False,
    "False": False,
    "FALSE": False,
}
# Field values seen recently (telegraf repeats 0, 0i, true...): text -> value, cleared never, bounded.
_VALUES: dict[str, FieldValue] = {}
_VALUES_MAX = 4096
# Longer lines may pass InfluxDB's 64 KiB key limit; the exact scanner checks it.
_FAST_MAX_LINE = 16000


class _Decline(Exception):
    """The fast path cannot decide this line."""


def _digits(text: str) -> bool:
    """`text` is `-?[0-9]+` (ASCII only)."""
    body = text[1:] if text[:1] == "-" else text
    return body.isascii() and body.isdigit()


def _value(text: str) -> FieldValue:
    if not text:
        raise _Decline
    first = text[0]
    if first in _NUMBER_START:
        last = text[-1]
        if last == "i":
            body = text[:-1]
            # 19 digits or more may leave int64: the scanner checks the range and words the error.
            if len(body) >= 19 or not _digits(body):
                raise _Decline
            return int(body)
        if last == "u":
            body = text[:-1]
            if len(body) >= 20 or not (body.isascii() and body.isdigit()):
                raise _Decline
            return int(body)
        body = text[1:] if first == "-" else text
        plain = body.replace(".", "", 1)
        if len(text) >= 25 or not (plain.isascii() and plain.isdigit()):
            raise _Decline
        return float(text)
    value = _BOOLEANS.get(text)
    if value is None:
        raise _Decline
    return value


def _fields(text: str) -> dict[str, FieldValue]:
    fields: dict[str, FieldValue] = {}
    cache = _VALUES
    for item in text.split(","):
        field, _, raw = item.partition("=")
        if not field:
            raise _Decline
        value = cache.get(raw)
        if value is None:
            value = _value(raw)
            if len(cache) < _VALUES_MAX:
                cache[raw] = value
        fields[field] = value
    return fields


def _fast_line(line: str, default_time: int, mult: int) -> ParsedLine:
    parts = line.split(" ")
    count = len(parts)
    if count == 2:
        key, field_text = parts
        ts = ""
    elif count == 3:
        key, field_text, ts = parts
    else:
        raise _Decline
    tags: dict[str, str] = {}
    if "," in key:
        name, *pairs = key.split(",")
        for pair in pairs:
            tag, _, value = pair.partition("=")
            if not tag or not value or "=" in value:
                raise _Decline
            tags[tag] = value
        if len(tags) != len(pairs):
            raise _Decline
        if len(tags) > 1:
            names = list(tags)
            if names != sorted(names):
                tags = {k: tags[k] for k in sorted(names)}
    else:
        name = key
    if not name:
        raise _Decline
    fields = _fields(field_text)
    if not ts:
        return name, tags, fields, default_time
    if not _digits(ts):
        raise _Decline
    ns = int(ts) * mult
    if not MIN_NANO_TIME <= ns <= MAX_NANO_TIME or (mult != 1 and int(ts) == MIN_NANO_TIME):
        raise _Decline
    return name, tags, fields, ns


def _quoted_line(line: str, default_time: int, mult: int) -> ParsedLine:
    """A line with quoted string fields but no backslash: str.find over the fields, one value at a time."""
    space = line.find(" ")
    if space < 0 or '"' in line[:space]:
        raise _Decline
    name, tags, _, _ = _fast_line(line[:space] + " x=t", default_time, 1)
    fields: dict[str, FieldValue] = {}
    i, n = space + 1, len(line)
    while True:
        eq = line.find("=", i)
        if eq < 0:
            raise _Decline
        field = line[i:eq]
        if not field or " " in field or "," in field or '"' in field:
            raise _Decline
        if eq + 1 < n and line[eq + 1] == '"':
            close = line.find('"', eq + 2)
            if close < 0:
                raise _Decline
            fields[field] = line[eq + 2 : close]
            i = close + 1
        else:
            comma, blank = line.find(",", eq), line.find(" ", eq)
            end = min(x for x in (comma, blank, n) if x >= 0)
            fields[field] = _fields(line[i:end])[field]
            i = end
        if i >= n or line[i] == " ":
            break
        if line[i] != ",":
            raise _Decline
        i += 1
    ts = line[i + 1 :]
    if not ts:
        return name, tags, fields, default_time
    if not _digits(ts):
        raise _Decline
    ns = int(ts) * mult
    if not MIN_NANO_TIME <= ns <= MAX_NANO_TIME or (mult != 1 and int(ts) == MIN_NANO_TIME):
        raise _Decline
    return name, tags, fields, ns


def _open_quote(text: str, pos: int, end: int) -> bool:
    """Whether a line without backslashes ends inside a quoted field value (scan_line's rules, by token)."""
    space = text.find(" ", pos, end)
    if space < 0:
        return False
    quoted = False
    equals = commas = 0
    for match in _TOKENS.finditer(text, space, end):
        c = match.group()
        if quoted:
            quoted = c != '"'
        elif c == "=":
            equals += 1
        elif c == ",":
            commas += 1
        elif equals > commas:
            quoted = True
    return quoted


def _lines(text: str) -> list[tuple[int, str]]:
    """(1-based line number, line) for each line, split where InfluxDB splits them."""
    if '"' not in text and "\\" not in text:
        return list(enumerate(text.split("\n"), 1))
    out: list[tuple[int, str]] = []
    pos, n, number = 0, len(text), 1
    while pos < n:
        end = text.find("\n", pos)
        if end < 0:
            end = n
        if text.find("\\", pos, end) >= 0 or (text.find('"', pos, end) >= 0 and _open_quote(text, pos, end)):
            # A quoted value or an escape may carry the line past this newline.
            end = scan_line(text, pos)
            out.append((number, text[pos:end]))
            number += text.count("\n", pos, end + 1)
        else:
            out.append((number, text[pos:end]))
            number += 1
        pos = end + 1
    return out


def parse_points(
    body: bytes,
    *,
    precision: str = "n",
    database: str = "",
    retention_policy: str = "",
    now: int | None = None,
) -> list[Point]:
    """The points of a line protocol body; LineProtocolError (InfluxDB's texts, one line each) on bad lines.

    Points without a timestamp get `now` (ns, default the current time) truncated to the precision.
    PartialWriteError when points had to be dropped for a `time` field or tag; it carries the kept points.
    """
    text = body.decode("utf-8", "replace")
    mult = multiplier(precision)
    default_time = truncate(_time.time_ns() if now is None else now, mult)
    fast_body = not any(c in text for c in _SLOW_CHARS)
    points: list[Point] = []
    failed: list[str] = []
    first_bad = 0
    for number, raw in _lines(text):
        line = raw[:-1] if raw.endswith("\r") else raw
        if not line:
            continue
        if line[0] in _SKIP_START:
            line = line[skip_whitespace(line, 0) :]
            if not line or line[0] == "#":
                continue
        try:
            parsed: ParsedLine | None = None
            if len(line) < _FAST_MAX_LINE:
                try:
                    if fast_body or not any(c in line for c in _SLOW_CHARS):
                        parsed = _fast_line(line, default_time, mult)
                    elif '"' in line and not any(c in line for c in _NO_QUOTED):
                        parsed = _quoted_line(line, default_time, mult)
                except _Decline:
                    pass
            if parsed is None:
                parsed = parse_line(line, default_time, mult)
        except LineError as exc:
            failed.append(UNABLE_TO_PARSE.format(line=line, reason=exc))
            first_bad = first_bad or number
            continue
        points.append(Point(*parsed, database, retention_policy))
    if failed:
        raise LineProtocolError("\n".join(failed), points, first_bad)
    return _drop_time_keys(points)


def _drop_time_keys(points: list[Point]) -> list[Point]:
    """InfluxDB refuses a tag named `time` and ignores fields named `time` (a point with only those is dropped)."""
    if not any("time" in p.fields or "time" in p.tags for p in points):
        return points
    kept: list[Point] = []
    tag_reasons: list[str] = []
    field_reasons: list[str] = []
    for point in points:
        if "time" in point.tags:
            tag_reasons.append(TIME_TAG.format(name=point.name))
            continue
        if "time" in point.fields:
            del point.fields["time"]
            if not point.fields:
                field_reasons.append(TIME_FIELD.format(name=point.name))
                continue
        kept.append(point)
    reasons = tag_reasons + field_reasons
    if not reasons:
        return kept
    raise PartialWriteError(PARTIAL_WRITE.format(reason=reasons[0], dropped=len(reasons)), kept)

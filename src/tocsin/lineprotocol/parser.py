"""`parse_points`: a body of InfluxDB line protocol to `Point`s, with InfluxDB 1.x's results and errors.

Most lines (no backslash, quote, tab or NUL; single spaces between sections) take the fast path in
`fastpath.py`. Anything the fast path is not sure about goes to the exact scanner in `scanner.py`,
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
from tocsin.lineprotocol.fastpath import Decline as _Decline
from tocsin.lineprotocol.fastpath import fast_line as _fast_line
from tocsin.lineprotocol.fastpath import quoted_line as _quoted_line
from tocsin.lineprotocol.scanner import WHITESPACE, ParsedLine, parse_line, scan_line, skip_whitespace
from tocsin.lineprotocol.timestamps import multiplier, truncate
from tocsin.points import Point

_SLOW_CHARS = ("\\", '"', "\t", "\x00")
_NO_QUOTED = ("\\", "\t", "\x00")
_TOKENS = re.compile('[=,"]')
_SKIP_START = frozenset(WHITESPACE + "#")
# Longer lines may pass InfluxDB's 64 KiB key limit; the exact scanner checks it.
_FAST_MAX_LINE = 16000


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
    # no carriage returns either: a line that is not empty, blank or a comment goes straight to the fast path
    plain_body = fast_body and "\r" not in text
    for number, raw in _lines(text):
        if plain_body and raw and raw[0] not in _SKIP_START and len(raw) < _FAST_MAX_LINE:
            try:
                points.append(Point(*_fast_line(raw, default_time, mult), database, retention_policy))
                continue
            except _Decline:
                pass
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
    return _drop_time_keys(points) if "time" in text else points


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

"""The exact line scanner: InfluxDB 1.x's state machine for one line, quirks included.

It handles every line the fast path in `parser.py` declines (escapes, quoted strings, tabs, odd spacing) and
produces InfluxDB's error for every bad line. "Escaped" follows InfluxDB's rule: a byte counts as escaped
when the byte before it is a backslash, except in field sections, where a backslash skips the next byte.
"""

from __future__ import annotations

import itertools
import math
import re

from tocsin.lineprotocol.errors import (
    BAD_TIMESTAMP,
    DUPLICATE_TAGS,
    INTEGER_RANGE,
    INVALID_BOOLEAN,
    INVALID_FIELD_FORMAT,
    INVALID_FLOAT,
    INVALID_NUMBER,
    INVALID_POINT,
    INVALID_TAG_FORMAT,
    MAX_KEY_LENGTH,
    MISSING_FIELD_KEY,
    MISSING_FIELD_VALUE,
    MISSING_FIELDS,
    MISSING_MEASUREMENT,
    MISSING_TAG_KEY,
    MISSING_TAG_VALUE,
    OUT_OF_RANGE,
    STRCONV,
    UNBALANCED_QUOTES,
    UNSIGNED_RANGE,
    LineError,
)
from tocsin.lineprotocol.timestamps import INT64_MAX, INT64_MIN, parse_timestamp
from tocsin.lineprotocol.unescape import unescape_name, unescape_string, unescape_tag
from tocsin.points import FieldValue

WHITESPACE = " \t\x00"
MAX_KEY = 65535
# Go's strconv.ParseBool words; the scanner has already narrowed booleans to InfluxDB's spellings.
_TRUE = frozenset({"t", "T", "true", "True", "TRUE"})
_NUMERIC = frozenset("0123456789.")
_NUMBER_START = frozenset("0123456789.-Nn")
# Values the scanner let through but a field-iterator split changed (escaped `=` in a key) are checked again.
_INTEGER = re.compile(r"-?[0-9]+")
_FLOAT = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
BAD_VALUE = 'unable to parse {kind} value "{raw}": strconv.{func}: parsing "{raw}": invalid syntax'

ParsedLine = tuple[str, dict[str, str], dict[str, FieldValue], int]


def skip_whitespace(buf: str, i: int) -> int:
    """The first index at or after `i` that is not a space, a tab or a NUL."""
    n = len(buf)
    while i < n and buf[i] in WHITESPACE:
        i += 1
    return i


def scan_line(buf: str, i: int) -> int:
    """The end of the line starting at `i`: the next newline outside a quoted field value and not escaped."""
    n = len(buf)
    quoted = fields = False
    equals = commas = 0
    while i < n:
        c = buf[i]
        if c == "\\":
            i += 2
            continue
        if c == " ":
            fields = True
        if fields:
            if not quoted and c == "=":
                i += 1
                equals += 1
                continue
            if not quoted and c == ",":
                i += 1
                commas += 1
                continue
            if c == '"' and equals > commas:
                i += 1
                quoted = not quoted
                continue
        if c == "\n" and not quoted:
            break
        i += 1
    return i


def _scan_to(buf: str, i: int, stop: str) -> int:
    """The index of the next `stop` at or after `i` whose preceding byte is not a backslash (or the end)."""
    n = len(buf)
    while i < n:
        if buf[i] == stop and (i == 0 or buf[i - 1] != "\\"):
            break
        i += 1
    return i


def _scan_measurement(buf: str, i: int) -> tuple[bool, int]:
    """(tags follow, index after the measurement's terminator or at the space)."""
    n = len(buf)
    if i >= n or buf[i] == ",":
        raise LineError(MISSING_MEASUREMENT)
    while True:
        i += 1
        if i >= n:
            raise LineError(MISSING_FIELDS)
        if buf[i - 1] == "\\":
            continue
        if buf[i] == ",":
            return True, i + 1
        if buf[i] == " ":
            return False, i


def _scan_tag_key(buf: str, i: int) -> int:
    n = len(buf)
    if i >= n or buf[i] in " ,=":
        raise LineError(MISSING_TAG_KEY)
    while True:
        i += 1
        if i >= n or (buf[i] in " ," and buf[i - 1] != "\\"):
            raise LineError(MISSING_TAG_VALUE)
        if buf[i] == "=" and buf[i - 1] != "\\":
            return i + 1


def _scan_tag_value(buf: str, i: int) -> tuple[bool, int]:
    """(another tag follows, index)."""
    n = len(buf)
    if i >= n or buf[i] in ", ":
        raise LineError(MISSING_TAG_VALUE)
    while True:
        i += 1
        if i >= n:
            raise LineError(MISSING_FIELDS)
        c = buf[i]
        if buf[i - 1] == "\\":
            continue
        if c == "=":
            raise LineError(INVALID_TAG_FORMAT)
        if c == ",":
            return True, i + 1
        if c == " ":
            return False, i


def _scan_tags(buf: str, i: int) -> tuple[int, list[int]]:
    """Index of the space after the tags, and the start of each tag plus one past that space."""
    starts: list[int] = []
    more = True
    while more:
        starts.append(i)
        i = _scan_tag_key(buf, i)
        more, i = _scan_tag_value(buf, i)
    starts.append(i + 1)
    return i, starts


def _tag_key(buf: str, start: int) -> str:
    return buf[start : _scan_to(buf, start, "=")]


def _tag_text(buf: str, start: int) -> str:
    """One raw `key=value` tag, up to its unescaped comma or space."""
    i = start
    n = len(buf)
    if buf[i] in ", ":
        return ""
    while True:
        i += 1
        if buf[i - 1] == "\\":
            continue
        if i >= n or buf[i] in ", ":
            return buf[start:i]


def scan_key(buf: str) -> tuple[int, str]:
    """The end of the measurement-and-tags section and the key with its tags sorted (raw, still escaped)."""
    has_tags, i = _scan_measurement(buf, 0)
    if not has_tags:
        return i, buf[:i]
    i, starts = _scan_tags(buf, i)
    count = len(starts) - 1
    keys = [_tag_key(buf, s) for s in starts[:count]]
    in_order = True
    for left, right in itertools.pairwise(keys):
        if left > right:
            in_order = False
            break
        if left == right:
            raise LineError(DUPLICATE_TAGS)
    if in_order:
        return i, buf[:i]
    order = sorted(starts[:count], key=lambda s: _tag_key(buf, s))
    for a, b in itertools.pairwise(order):
        if _tag_key(buf, a) == _tag_key(buf, b):
            raise LineError(DUPLICATE_TAGS)
    return i, buf[: starts[0] - 1] + "".join("," + _tag_text(buf, s) for s in order)


def _scan_number(buf: str, i: int) -> int:
    n = len(buf)
    start = i
    is_int = is_unsigned = decimal = scientific = False
    if i < n and buf[i] == "-":
        i += 1
        if i == n:
            raise LineError(INVALID_NUMBER)
    while i < n:
        c = buf[i]
        if c == "," or c == " ":
            break
        if c == "i" and i > start and not (is_int or is_unsigned):
            is_int = True
            i += 1
            continue
        if c == "u" and i > start and not (is_int or is_unsigned):
            is_unsigned = True
            i += 1
            continue
        if c == ".":
            if decimal:
                raise LineError(INVALID_NUMBER)
            decimal = True
        if i > start and c in "eE":
            scientific = True
            i += 1
            continue
        if c in "+-" and buf[i - 1] in "eE":
            i += 1
            continue
        if c not in _NUMERIC:
            raise LineError(INVALID_NUMBER)
        i += 1
    if (is_int or is_unsigned) and (decimal or scientific):
        raise LineError(INVALID_NUMBER)
    digits = i - start - is_int - decimal - (buf[start] == "-")
    if digits == 0:
        raise LineError(INVALID_NUMBER)
    if is_int:
        _check_int(buf, start, i)
    elif is_unsigned:
        _check_unsigned(buf, start, i)
    elif scientific or i - start >= 25:
        try:
            value = float(buf[start:i])
        except ValueError:
            raise LineError(INVALID_FLOAT) from None
        if math.isinf(value):
            raise LineError(INVALID_FLOAT)
    return i


def _check_int(buf: str, start: int, end: int) -> None:
    if buf[end - 1] != "i":
        raise LineError(INVALID_NUMBER)
    text = buf[start : end - 1]
    if len(text) >= 19 and not INT64_MIN <= int(text) <= INT64_MAX:
        reason = STRCONV.format(func="ParseInt", text=text, reason=OUT_OF_RANGE)
        raise LineError(INTEGER_RANGE.format(text=text, reason=reason))


def _check_unsigned(buf: str, start: int, end: int) -> None:
    if buf[end - 1] != "u" or buf[start] == "-":
        raise LineError(INVALID_NUMBER)
    text = buf[start : end - 1]
    if len(text) >= 20 and int(text) >= 2**64:
        reason = STRCONV.format(func="ParseUint", text=text, reason=OUT_OF_RANGE)
        raise LineError(UNSIGNED_RANGE.format(text=text, reason=reason))


def _scan_boolean(buf: str, i: int) -> int:
    n = len(buf)
    start = i
    if i < n and buf[i] not in "tfTF":
        raise LineError(INVALID_BOOLEAN)
    i += 1
    while i < n and buf[i] not in ", ":
        i += 1
    if i - start > 1 and buf[start:i] not in ("true", "True", "TRUE", "false", "False", "FALSE"):
        raise LineError(INVALID_BOOLEAN)
    return i


def scan_fields(buf: str, i: int) -> tuple[int, str]:
    """The end of the fields section and its raw text; validates every value."""
    n = len(buf)
    start = i = skip_whitespace(buf, i)
    quoted = False
    equals = commas = 0
    while i < n:
        c = buf[i]
        if c == "\\" and i + 1 < n:
            i += 2
            continue
        if c == '"' and equals > commas:
            quoted = not quoted
            i += 1
            continue
        if c == "=" and not quoted:
            equals += 1
            if buf[i - 1] in " ," and (i < 2 or buf[i - 2] != "\\"):
                raise LineError(MISSING_FIELD_KEY)
            if i + 1 >= n or buf[i + 1] in ", ":
                raise LineError(MISSING_FIELD_VALUE)
            after = buf[i + 1]
            if after in _NUMBER_START:
                i = _scan_number(buf, i + 1)
                continue
            if after != '"':
                i = _scan_boolean(buf, i + 1)
                continue
        if c == "," and not quoted:
            commas += 1
        if c == " " and not quoted:
            break
        i += 1
    if quoted:
        raise LineError(UNBALANCED_QUOTES)
    if equals == 0 or commas != equals - 1:
        raise LineError(INVALID_FIELD_FORMAT)
    return i, buf[start:i]


def _scan_field_value(buf: str, i: int) -> int:
    """The end of one field value: the next comma outside quotes (only `\\"` and `\\\\` are escapes here)."""
    n = len(buf)
    quoted = False
    while i < n:
        c = buf[i]
        if c == "\\" and i + 1 < n and buf[i + 1] in '"\\':
            i += 2
            continue
        if c == '"':
            quoted = not quoted
        elif c == "," and not quoted:
            break
        i += 1
    return i


def _field_items(fields: str) -> list[tuple[str, str]]:
    """The raw (key, value) pairs as InfluxDB's field iterator splits them."""
    items: list[tuple[str, str]] = []
    i, n = 0, len(fields)
    while i < n:
        eq = _scan_to(fields, i, "=")
        end = _scan_field_value(fields, eq + 1)
        items.append((fields[i:eq], fields[eq + 1 : end]))
        i = end + 1
    return items


def _field_value(raw: str) -> FieldValue:
    first = raw[0]
    if first == '"':
        return unescape_string(raw[1:-1])
    if first in "0123456789-.nNiIu":
        last = raw[-1]
        if last == "i" or last == "u":
            if not _INTEGER.fullmatch(raw, 0, len(raw) - 1):
                kind = "integer" if last == "i" else "unsigned"
                raise LineError(BAD_VALUE.format(kind=kind, raw=raw[:-1], func="ParseInt"))
            return int(raw[:-1])
        if not _FLOAT.fullmatch(raw) or math.isinf(value := float(raw)):
            raise LineError(BAD_VALUE.format(kind="floating point", raw=raw, func="ParseFloat"))
        return value
    return raw in _TRUE


def _check_key_sizes(key: str, items: list[tuple[str, str]]) -> None:
    """InfluxDB's limit on the series key plus a field key (in bytes)."""
    longest = max(len(k) for k, _ in items)
    if (len(key) + longest) * 4 + 4 <= MAX_KEY:
        return
    key_bytes = len(key.encode())
    for raw_key, _ in items:
        size = key_bytes + 4 + len(raw_key.encode())
        if size > MAX_KEY:
            raise LineError(MAX_KEY_LENGTH.format(size=size, limit=MAX_KEY))


def _fields_of(items: list[tuple[str, str]]) -> dict[str, FieldValue]:
    fields: dict[str, FieldValue] = {}
    for raw_key, raw_value in items:
        # An empty key or value is skipped, as InfluxDB's field iterator does.
        if raw_key and raw_value:
            fields[unescape_name(raw_key)] = _field_value(raw_value)
    return fields


def _tags_of(key: str) -> tuple[str, dict[str, str]]:
    end = _scan_to(key, 0, ",")
    name = unescape_name(key[:end])
    tags: dict[str, str] = {}
    i, n = end + 1, len(key)
    while i < n:
        eq = _scan_to(key, i, "=")
        stop = eq + 1
        while stop < n and not (key[stop] == "," and key[stop - 1] != "\\"):
            stop += 1
        value = key[eq + 1 : stop]
        if value:
            tags[unescape_tag(key[i:eq])] = unescape_tag(value)
        i = stop + 1
    return name, tags


def _scan_time(buf: str, i: int) -> tuple[int, str]:
    n = len(buf)
    start = i = skip_whitespace(buf, i)
    while i < n:
        c = buf[i]
        if c == "\n" or c == " ":
            break
        if i == start and c == "-":
            i += 1
            continue
        if not "0" <= c <= "9":
            raise LineError(BAD_TIMESTAMP)
        i += 1
    return i, buf[start:i]


def parse_line(buf: str, default_time: int, mult: int) -> ParsedLine:
    """One line (no leading whitespace) as (name, tags, fields, time in ns); LineError with InfluxDB's reason."""
    pos, key = scan_key(buf)
    if not key:
        raise LineError(MISSING_MEASUREMENT)
    if len(key) * 4 > MAX_KEY and len(key.encode()) > MAX_KEY:
        raise LineError(MAX_KEY_LENGTH.format(size=len(key.encode()), limit=MAX_KEY))
    pos, raw_fields = scan_fields(buf, pos)
    if not raw_fields:
        raise LineError(MISSING_FIELDS)
    items = _field_items(raw_fields)
    _check_key_sizes(key, items)
    pos, ts = _scan_time(buf, pos)
    if not ts:
        time = default_time
    else:
        time = parse_timestamp(ts, mult)
        if buf[pos:].strip(" "):
            raise LineError(INVALID_POINT)
    name, tags = _tags_of(key)
    return name, tags, _fields_of(items), time

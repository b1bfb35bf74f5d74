"""The fast path of `parse_points`: plain lines (no escapes, quotes in known places, single spaces) by str
methods, a regex and orjson. It declines (`Decline`) whatever it is not sure about; the exact scanner decides those.
"""

from __future__ import annotations

import re

import orjson

from tocsin.lineprotocol.scanner import ParsedLine
from tocsin.lineprotocol.timestamps import MAX_NANO_TIME, MIN_NANO_TIME
from tocsin.points import FieldValue

_NUMBER_START = frozenset("0123456789-.")
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
# A fields section of plain decimal floats only (telegraf's usual) is validated at once, then converted without
# per-value checks. Possessive quantifiers: the grammar is unambiguous, so backtracking would only cost time.
_PLAIN_FLOAT = r"-?+(?:[0-9]++\.?+[0-9]*+|\.[0-9]++)"
_FLOAT_FIELDS = re.compile(rf"[^,=]++={_PLAIN_FLOAT}(?:,[^,=]++={_PLAIN_FLOAT})*+")
# Series keys seen recently (a measurement and its tags repeat on every line): key text -> (name, sorted tags).
_KEYS: dict[str, tuple[str, dict[str, str]]] = {}
_KEYS_MAX = 20000


class Decline(Exception):
    """The fast path cannot decide this line."""


def _digits(text: str) -> bool:
    """`text` is `-?[0-9]+` (ASCII only)."""
    body = text[1:] if text[:1] == "-" else text
    return body.isascii() and body.isdigit()


def _value(text: str) -> FieldValue:
    if not text:
        raise Decline
    first = text[0]
    if first in _NUMBER_START:
        last = text[-1]
        if last == "i":
            body = text[:-1]
            # 19 digits or more may leave int64: the scanner checks the range and words the error.
            if len(body) >= 19 or not _digits(body):
                raise Decline
            return int(body)
        if last == "u":
            body = text[:-1]
            if len(body) >= 20 or not (body.isascii() and body.isdigit()):
                raise Decline
            return int(body)
        body = text[1:] if first == "-" else text
        plain = body.replace(".", "", 1)
        if len(text) >= 25 or not (plain.isascii() and plain.isdigit()):
            raise Decline
        return float(text)
    value = _BOOLEANS.get(text)
    if value is None:
        raise Decline
    return value


def _fields(text: str) -> dict[str, FieldValue]:
    fields: dict[str, FieldValue] = {}
    cache = _VALUES
    for item in text.split(","):
        field, _, raw = item.partition("=")
        if not field:
            raise Decline
        value = cache.get(raw)
        if value is None:
            value = _value(raw)
            if len(cache) < _VALUES_MAX:
                cache[raw] = value
        fields[field] = value
    return fields


def _float_fields(text: str) -> dict[str, FieldValue] | None:
    """A fields section of plain decimal floats (checked by the caller), read as JSON: orjson reads numbers
    several times faster than float(), exactly. None when JSON cannot say: `1.`, `.5`, leading zeros, control
    characters in keys, overflow, and `-0` (which JSON reads as the int 0)."""
    if "=-0," in text or text.endswith("=-0"):
        return None
    try:
        fields: dict[str, FieldValue] = orjson.loads('{"' + text.replace(",", ',"').replace("=", '":') + "}")
    except orjson.JSONDecodeError:
        return None
    if int in map(type, fields.values()):
        # `5` is a float in line protocol and an int in JSON
        return dict(zip(fields, map(float, fields.values()), strict=True))
    return fields


def _series(key: str) -> tuple[str, dict[str, str]]:
    """The measurement and tags of a series key; the caller copies the tags (the cache keeps its own)."""
    tags: dict[str, str] = {}
    if "," in key:
        name, *pairs = key.split(",")
        for pair in pairs:
            tag, _, value = pair.partition("=")
            if not tag or not value or "=" in value:
                raise Decline
            tags[tag] = value
        if len(tags) != len(pairs):
            raise Decline
        if len(tags) > 1:
            names = list(tags)
            if names != sorted(names):
                tags = {k: tags[k] for k in sorted(names)}
    else:
        name = key
    if not name:
        raise Decline
    if len(_KEYS) >= _KEYS_MAX:
        _KEYS.clear()
    _KEYS[key] = name, tags
    return name, tags


def fast_line(line: str, default_time: int, mult: int) -> ParsedLine:
    """One plain line as (name, tags, fields, time in ns); Decline when unsure."""
    parts = line.split(" ")
    count = len(parts)
    if count == 2:
        key, field_text = parts
        ts = ""
    elif count == 3:
        key, field_text, ts = parts
    else:
        raise Decline
    series = _KEYS.get(key)
    name, tags = series if series is not None else _series(key)
    fields = _float_fields(field_text) if _FLOAT_FIELDS.fullmatch(field_text) else None
    if fields is None:
        fields = _fields(field_text)
    tags = tags.copy()
    if not ts:
        return name, tags, fields, default_time
    if not (ts.isdigit() and ts.isascii()) and not _digits(ts):
        raise Decline
    ns = int(ts) * mult
    if not MIN_NANO_TIME <= ns <= MAX_NANO_TIME or (mult != 1 and int(ts) == MIN_NANO_TIME):
        raise Decline
    return name, tags, fields, ns


def quoted_line(line: str, default_time: int, mult: int) -> ParsedLine:
    """A line with quoted string fields but no backslash: str.find over the fields, one value at a time."""
    space = line.find(" ")
    if space < 0 or '"' in line[:space]:
        raise Decline
    name, tags, _, _ = fast_line(line[:space] + " x=t", default_time, 1)
    fields: dict[str, FieldValue] = {}
    i, n = space + 1, len(line)
    while True:
        eq = line.find("=", i)
        if eq < 0:
            raise Decline
        field = line[i:eq]
        if not field or " " in field or "," in field or '"' in field:
            raise Decline
        if eq + 1 < n and line[eq + 1] == '"':
            close = line.find('"', eq + 2)
            if close < 0:
                raise Decline
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
            raise Decline
        i += 1
    ts = line[i + 1 :]
    if not ts:
        return name, tags, fields, default_time
    if not _digits(ts):
        raise Decline
    ns = int(ts) * mult
    if not MIN_NANO_TIME <= ns <= MAX_NANO_TIME or (mult != 1 and int(ts) == MIN_NANO_TIME):
        raise Decline
    return name, tags, fields, ns

"""JSON text as Go's `encoding/json` writes it.

Differences from Python's json that show on the wire: floats use the shortest decimal form and switch to
exponent notation only below 1e-6 or from 1e21 (`1.0` is `1`, `1e-05` is `0.00001`); `<`, `>` and `&` are
escaped as `\\u003c`, `\\u003e`, `\\u0026` (unless HTML escaping is off, as with an Encoder that calls
`SetEscapeHTML(false)`); U+2028 and U+2029 are always escaped. Key order is the caller's: Go writes struct
fields in declaration order and sorts map keys, so callers build dicts in the order Go would write them and
use `sorted_map` for Go maps.
"""

from __future__ import annotations

import contextlib
import json
import math
from decimal import Decimal
from typing import Any

import orjson


def format_float(value: float) -> str:
    """A float64 as Go's JSON encoder prints it."""
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"json: unsupported value: {value!r}")
    a = abs(value)
    if a != 0 and (a < 1e-6 or a >= 1e21):
        text = repr(value)
        mantissa, _, exp = text.partition("e")
        sign = exp[0]
        digits = exp[1:].lstrip("0") or "0"
        if sign == "+" and len(digits) < 2:
            digits = digits.rjust(2, "0")
        return f"{mantissa}e{sign}{digits}"
    if value.is_integer():
        return str(int(value))
    text = repr(value)
    if "e" in text:
        text = format(Decimal(text), "f")
    return text


_SIMPLE = (str, int, bool, type(None))


def _plain(obj: Any) -> tuple[Any, bool]:
    """Turn floats that Python would print differently into ints; report whether any odd float remains."""
    kind = type(obj)
    if kind in _SIMPLE:
        return obj, False
    if kind is float:
        if obj.is_integer() and abs(obj) < 1e21:
            return int(obj), False
        a = abs(obj)
        return obj, not (1e-4 <= a < 1e16)
    odd = False
    if kind is dict:
        out: dict[str, Any] = {}
        for k, v in obj.items():
            if type(v) in _SIMPLE:
                out[k] = v
            else:
                out[k], o = _plain(v)
                odd = odd or o
        return out, odd
    if kind is list or kind is tuple:
        items = []
        for v in obj:
            if type(v) in _SIMPLE:
                items.append(v)
            else:
                nv, o = _plain(v)
                items.append(nv)
                odd = odd or o
        return items, odd
    if isinstance(obj, dict):
        return _plain(dict(obj))
    if isinstance(obj, (list, tuple)):
        return _plain(list(obj))
    if isinstance(obj, float):
        return _plain(float(obj))
    return obj, False


def _slow(obj: Any) -> str:
    if isinstance(obj, float):
        return format_float(obj)
    if isinstance(obj, dict):
        return "{" + ",".join(f"{_slow(str(k))}:{_slow(v)}" for k, v in obj.items()) + "}"
    if isinstance(obj, (list, tuple)):
        return "[" + ",".join(_slow(v) for v in obj) + "]"
    return json.dumps(obj, ensure_ascii=False)


def plain_rows(rows: list[list[Any]]) -> tuple[list[list[Any]], bool]:
    """`_plain` for an InfluxQL `values` table (the one place alert JSON carries floats), without recursion."""
    odd = False
    out = []
    for row in rows:
        new = []
        for v in row:
            if type(v) is float:
                if v.is_integer() and abs(v) < 1e21:
                    v = int(v)
                elif not (1e-4 <= abs(v) < 1e16):
                    odd = True
            elif type(v) not in _SIMPLE:
                v, o = _plain(v)
                odd = odd or o
            new.append(v)
        out.append(new)
    return out, odd


def _encode(obj: Any, escape_html: bool, plain: bool = False) -> bytes:
    odd = False
    if not plain:
        obj, odd = _plain(obj)
    plain_obj = obj
    data: bytes | None = None
    if not odd:
        # orjson writes floats in [1e-4, 1e16) with the same shortest digits as Go, and escapes control
        # characters as Go does; anything it refuses (huge ints, odd keys) takes the slow path.
        with contextlib.suppress(TypeError, orjson.JSONEncodeError):
            data = orjson.dumps(plain_obj)
    if data is None:
        text = _slow(plain_obj) if odd else json.dumps(plain_obj, ensure_ascii=False, separators=(",", ":"))
        data = text.encode("utf-8", "replace")
    if escape_html and (b"<" in data or b">" in data or b"&" in data):
        data = data.replace(b"<", b"\\u003c").replace(b">", b"\\u003e").replace(b"&", b"\\u0026")
    if b"\xe2\x80\xa8" in data or b"\xe2\x80\xa9" in data:
        data = data.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
    return data


def dumps(obj: Any, *, escape_html: bool = True) -> str:
    """Compact JSON text as Go's `json.Marshal` writes it (no trailing newline)."""
    return _encode(obj, escape_html).decode("utf-8")


def encode_line(obj: Any, *, escape_html: bool = True, plain: bool = False) -> bytes:
    """What a Go `json.Encoder` writes: the compact JSON and a newline, as UTF-8 bytes.

    `plain` promises that every float in `obj` already went through `plain_rows` (and none was odd).
    """
    return _encode(obj, escape_html, plain) + b"\n"


def sorted_map(mapping: dict[str, Any]) -> dict[str, Any]:
    """A Go map's JSON key order (sorted by key bytes)."""
    return {k: mapping[k] for k in sorted(mapping)}

"""JSON text as Go's `encoding/json` writes it.

Differences from Python's json that show on the wire: floats use the shortest decimal form and switch to
exponent notation only below 1e-6 or from 1e21 (`1.0` is `1`, `1e-05` is `0.00001`); `<`, `>` and `&` are
escaped as `\\u003c`, `\\u003e`, `\\u0026` (unless HTML escaping is off, as with an Encoder that calls
`SetEscapeHTML(false)`); U+2028 and U+2029 are always escaped. Key order is the caller's: Go writes struct
fields in declaration order and sorts map keys, so callers build dicts in the order Go would write them and
use `sorted_map` for Go maps.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

_HTML = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})
_LINESEP = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029"})


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


def _plain(obj: Any) -> tuple[Any, bool]:
    """Turn floats that Python would print differently into ints; report whether any odd float remains."""
    if isinstance(obj, float):
        if obj.is_integer() and abs(obj) < 1e21:
            return int(obj), False
        a = abs(obj)
        return obj, not (1e-4 <= a < 1e16)
    if isinstance(obj, dict):
        odd = False
        out: dict[str, Any] = {}
        for k, v in obj.items():
            out[k], o = _plain(v)
            odd = odd or o
        return out, odd
    if isinstance(obj, (list, tuple)):
        odd = False
        items = []
        for v in obj:
            nv, o = _plain(v)
            items.append(nv)
            odd = odd or o
        return items, odd
    return obj, False


def _slow(obj: Any) -> str:
    if isinstance(obj, float):
        return format_float(obj)
    if isinstance(obj, dict):
        return "{" + ",".join(f"{_slow(str(k))}:{_slow(v)}" for k, v in obj.items()) + "}"
    if isinstance(obj, (list, tuple)):
        return "[" + ",".join(_slow(v) for v in obj) + "]"
    return json.dumps(obj, ensure_ascii=False)


def dumps(obj: Any, *, escape_html: bool = True) -> str:
    """Compact JSON text as Go's `json.Marshal` writes it (no trailing newline)."""
    plain, odd = _plain(obj)
    text = _slow(plain) if odd else json.dumps(plain, ensure_ascii=False, separators=(",", ":"))
    if escape_html:
        text = text.translate(_HTML)
    return text.translate(_LINESEP)


def encode_line(obj: Any, *, escape_html: bool = True) -> bytes:
    """What a Go `json.Encoder` writes: the compact JSON and a newline, as UTF-8 bytes."""
    return (dumps(obj, escape_html=escape_html) + "\n").encode("utf-8", "replace")


def sorted_map(mapping: dict[str, Any]) -> dict[str, Any]:
    """A Go map's JSON key order (sorted by key bytes)."""
    return {k: mapping[k] for k in sorted(mapping)}

"""Points as InfluxDB 1.x line protocol, escaped as InfluxDB's `models` package writes them.

The parser in this package reads back exactly what this writes (tests/lineprotocol/test_encode.py).
Tags are written sorted by key, as InfluxDB keys series; a tag with an empty key or value is left out (InfluxDB
refuses it); a point with no field left is skipped by the caller (`line` answers None).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from tocsin.points import FieldValue

_MEASUREMENT = str.maketrans({",": "\\,", " ": "\\ ", "\n": "\\n"})
_KEY = str.maketrans({",": "\\,", "=": "\\=", " ": "\\ ", "\n": "\\n"})
_STRING = str.maketrans({'"': '\\"', "\\": "\\\\"})

# The divisor of a nanosecond time for each `precision` InfluxDB takes.
PRECISIONS: Mapping[str, int] = {
    "": 1,
    "n": 1,
    "ns": 1,
    "u": 1_000,
    "us": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}


def field_text(value: FieldValue) -> str | None:
    """A field value as line protocol writes it; None for a value InfluxDB cannot store (NaN, infinity)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value}i"
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return repr(value)
    return '"' + str(value).translate(_STRING) + '"'


def line(
    name: str, tags: Mapping[str, str], fields: Mapping[str, FieldValue], time_ns: int, precision: str = ""
) -> str | None:
    """One line (without the newline); None when no field can be written."""
    parts = [
        f"{key.translate(_KEY)}={text}" for key, value in fields.items() if (text := field_text(value)) is not None
    ]
    if not parts:
        return None
    key = name.translate(_MEASUREMENT)
    for tag in sorted(tags):
        value = tags[tag]
        if tag and value:
            key += f",{tag.translate(_KEY)}={value.translate(_KEY)}"
    return f"{key} {','.join(parts)} {time_ns // PRECISIONS[precision]}"

"""A line protocol encoder for tests: the escapes InfluxDB's writers use for each element."""

from __future__ import annotations

from tocsin.points import FieldValue, Point


def _escape(text: str, chars: str) -> str:
    for c in chars:
        text = text.replace(c, "\\" + c)
    return text


def encode_value(value: FieldValue) -> str:
    """One field value: floats with repr, ints with `i`, quoted strings with `\\"` and `\\\\` escaped."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value}i"
    if isinstance(value, float):
        return repr(value)
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def encode_point(point: Point) -> str:
    """One line for `point` (tags in the given order, timestamp always written)."""
    key = _escape(point.name, ", ")
    for k, v in point.tags.items():
        key += f",{_escape(k, ', =')}={_escape(v, ', =')}"
    fields = ",".join(f"{_escape(k, ', =')}={encode_value(v)}" for k, v in point.fields.items())
    return f"{key} {fields} {point.time}"

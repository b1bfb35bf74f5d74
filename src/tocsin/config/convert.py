"""Turning TOML, JSON and environment values into a field's Python value.

Conversion follows Kapacitor's override rules (`weakCopyValue` in services/config/override): numbers convert
between numeric types, numeric strings parse into numbers, every other mismatch is an error. The error texts
are Kapacitor's (`cannot convert string "bob" into int`); the config API sends them verbatim, and the loader
uses the same texts for kapacitor.conf.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Literal

from tocsin.config.schema import Field, FieldType
from tocsin.gocompat.duration import parse_duration

Source = Literal["json", "toml"]

# The Go kind a field is decoded into, as Kapacitor's messages name it.
_TARGET_KIND: Mapping[FieldType, str] = {
    FieldType.STRING: "string",
    FieldType.INT: "int",
    FieldType.FLOAT: "float64",
    FieldType.BOOL: "bool",
    FieldType.DURATION: "int64",
    FieldType.STRING_LIST: "slice",
    FieldType.STRING_MAP: "map",
    FieldType.LIST_MAP: "map",
    FieldType.INT_MAP: "map",
    FieldType.OBJECT: "struct",
    FieldType.ANY: "interface",
}
_GO_INT = re.compile(r"[+-]?[0-9]+")
_GO_BOOL = {
    "1": True,
    "t": True,
    "T": True,
    "TRUE": True,
    "true": True,
    "True": True,
    "0": False,
    "f": False,
    "F": False,
    "FALSE": False,
    "false": False,
    "False": False,
}


class ConversionError(ValueError):
    """A value that does not fit its field; the message is Kapacitor's text without the option name."""


def go_quote(text: str) -> str:
    """`text` as Go's %q writes it (close enough for names and values in messages)."""
    return json.dumps(text, ensure_ascii=False)


def go_kind(value: Any, source: Source) -> str:
    """The Go kind of a decoded value: JSON numbers are float64, TOML integers int64."""
    if value is None:
        return "invalid"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64" if source == "toml" else "float64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "slice"
    if isinstance(value, dict):
        return "map"
    return "struct"  # TOML dates and times


def go_type(value: Any) -> str:
    """What Go's %T prints for a value decoded from JSON into interface{}."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "[]interface {}"
    return "map[string]interface {}"


def _wrong_kind(value: Any, field: Field, source: Source) -> ConversionError:
    kind = go_kind(value, source)
    return ConversionError(f"wrong kind {kind}, expected value of kind {_TARGET_KIND[field.type]}: false")


def coerce(field: Field, value: Any, current: Any, source: Source) -> Any:
    """`value` converted for `field`; `current` is kept where Kapacitor ignores the value (empty duration)."""
    kind = field.type
    if kind is FieldType.STRING:
        if not isinstance(value, str):
            raise _wrong_kind(value, field, source)
        return check_choice(field, value)
    if kind is FieldType.BOOL:
        if not isinstance(value, bool):
            raise _wrong_kind(value, field, source)
        return value
    if kind is FieldType.INT or kind is FieldType.FLOAT:
        return _number(field, value, source)
    if kind is FieldType.DURATION:
        return _duration(value, current, source)
    if kind is FieldType.ANY:
        if value is not None and not isinstance(value, (str, int, float, bool)):
            raise _wrong_kind(value, field, source)
        return value
    if kind is FieldType.STRING_LIST:
        if not isinstance(value, list):
            raise _wrong_kind(value, field, source)
        item = Field(field.name, FieldType.STRING)
        return [_wrapped("failed to copy slice value", item, v, source) for v in value]
    if kind is FieldType.STRING_MAP:
        if not isinstance(value, dict):
            raise _wrong_kind(value, field, source)
        item = Field(field.name, FieldType.STRING)
        return {str(k): _wrapped("failed to copy map value", item, v, source) for k, v in value.items()}
    if kind is FieldType.LIST_MAP or kind is FieldType.INT_MAP:
        if not isinstance(value, dict):
            raise _wrong_kind(value, field, source)
        item = Field(field.name, FieldType.STRING_LIST if kind is FieldType.LIST_MAP else FieldType.INT)
        return {str(k): _wrapped("failed to copy map value", item, v, source) for k, v in value.items()}
    if not isinstance(value, dict):
        raise _wrong_kind(value, field, source)
    return _object(field, value, current, source)


def check_choice(field: Field, value: str) -> str:
    """`value`, or an error naming the allowed values when the field has a fixed set."""
    if field.choices and value not in field.choices:
        allowed = ", ".join(go_quote(c) for c in field.choices)
        raise ConversionError(f"invalid value {go_quote(value)}, must be one of {allowed}")
    return value


def _wrapped(prefix: str, item: Field, value: Any, source: Source) -> Any:
    try:
        return coerce(item, value, None, source)
    except ConversionError as err:
        raise ConversionError(f"{prefix}: {err}") from None


def _number(field: Field, value: Any, source: Source) -> int | float:
    target = _TARGET_KIND[field.type]
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ConversionError(f"cannot convert {go_kind(value, source)} into {target}")
    if isinstance(value, str):
        parsed = _parse_number(value, field.type)
        if parsed is None:
            raise ConversionError(f"cannot convert string {go_quote(value)} into {target}")
        return parsed
    return int(value) if field.type is FieldType.INT else float(value)


def _parse_number(text: str, kind: FieldType) -> int | float | None:
    if kind is FieldType.INT:
        return int(text) if _GO_INT.fullmatch(text) else None
    if not text or text != text.strip() or "_" in text:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _duration(value: Any, current: Any, source: Source) -> int:
    if isinstance(value, str):
        if not value:
            return int(current or 0)
        try:
            return parse_duration(value)
        except ValueError as err:
            raise ConversionError(str(err)) from None
    if source == "toml" and isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ConversionError(f"cannot unmarshal {go_kind(value, source)} into int64")


def _object(field: Field, value: dict[str, Any], current: Any, source: Source) -> dict[str, Any]:
    subfields = {f.name: f for f in field.fields}
    # Keys match exactly, then case-insensitively, as Go's TOML and mapstructure decoders match them.
    folded = {name.casefold(): name for name in subfields}
    named = {k: k if k in subfields else folded.get(k.casefold()) for k in value}
    invalid = sorted(k for k, name in named.items() if name is None)
    if invalid:
        raise ConversionError(f"failed to decode options into {field.name}: has invalid keys: {', '.join(invalid)}")
    out = dict(current) if isinstance(current, dict) else {}
    for key, raw in value.items():
        name = named[key] or key
        try:
            out[name] = coerce(subfields[name], raw, out.get(name), source)
        except ConversionError as err:
            raise ConversionError(f"failed to decode options into {field.name}: {name}: {err}") from None
    return out


def from_env(field: Field, text: str, current: Any) -> Any:
    """A value from an environment variable, parsed as Kapacitor's ApplyEnvOverrides does."""
    kind = field.type
    if kind is FieldType.STRING:
        return check_choice(field, text)
    if kind is FieldType.ANY:
        return text
    if kind is FieldType.BOOL:
        if text not in _GO_BOOL:
            raise ConversionError(f"cannot convert string {go_quote(text)} into bool")
        return _GO_BOOL[text]
    if kind is FieldType.INT:
        parsed = _parse_go_int(text)
        if parsed is None:
            raise ConversionError(f"cannot convert string {go_quote(text)} into int")
        return parsed
    if kind is FieldType.STRING_LIST:
        return [part.strip() for part in text.split(",") if part.strip()]
    if kind is FieldType.FLOAT or kind is FieldType.DURATION:
        return coerce(field, text, current, "json")
    raise ConversionError(f"cannot set a {kind} from one variable")


def _parse_go_int(text: str) -> int | None:
    """strconv.ParseInt(text, 0, 64): decimal, 0x hex, 0o/0 octal, 0b binary, `_` between digits."""
    negative = text.startswith("-")
    body = text[1:] if text[:1] in ("+", "-") else text
    if re.fullmatch(r"0[0-7_]+", body):
        body = "0o" + body[1:]
    if not body.isascii() or not body[:1].isdigit() or body != body.strip():
        return None
    try:
        value = int(body, 0)
    except ValueError:
        return None
    return -value if negative else value

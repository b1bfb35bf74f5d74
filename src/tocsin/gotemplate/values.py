"""How Python values stand in for Go values: structs, typed maps, Go type names and Go truthiness.

dict = map[string]interface {} (a missing key indexes to nil, printed `<no value>`); StringMap =
map[string]string (a missing key indexes to ""); Struct or a dataclass = a struct (a missing field is an
execution error); int = int; float = float64; str = string; bool = bool; list/tuple = []interface {};
None = nil; GoTime / GoDuration = time.Time / time.Duration.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping
from typing import Any

from tocsin.gotemplate.gotime import GoTime


class StringMap(dict[str, str]):
    """A Go map[string]string: `index` of a missing key yields "" instead of nil."""

    go_type = "map[string]string"
    zero_value = ""


class Struct:
    """A Go struct value: named fields in declaration order, a Go type name for error texts.

    `json_names` maps field names to the keys Go's encoding/json writes (struct tags); unlisted fields use
    the field name. Subclasses may add methods with Go-style exported names; templates can call them.
    """

    __slots__ = ("_fields", "_go_type", "_json_names")

    def __init__(
        self,
        go_type: str,
        fields: Mapping[str, Any] | None = None,
        *,
        json_names: Mapping[str, str] | None = None,
        **more: Any,
    ) -> None:
        self._go_type = go_type
        self._fields: dict[str, Any] = {**(fields or {}), **more}
        self._json_names = dict(json_names or {})

    @property
    def go_type(self) -> str:
        return self._go_type

    def go_fields(self) -> Mapping[str, Any]:
        """The fields, in declaration order."""
        return self._fields

    def __getitem__(self, name: str) -> Any:
        return self._fields[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Struct) and (self._go_type, self._fields) == (other._go_type, other._fields)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Struct({self._go_type!r}, {self._fields!r})"

    def to_json(self) -> dict[str, Any]:
        """The JSON object Go's encoding/json writes: fields under their JSON keys, in declaration order."""
        return {self._json_names.get(k, k): to_jsonable(v) for k, v in self._fields.items()}


def struct_fields(value: Any) -> Mapping[str, Any] | None:
    """The ordered fields of a struct-like value (Struct or dataclass instance), else None."""
    if isinstance(value, Struct):
        return value.go_fields()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    return None


def go_type_name(value: Any) -> str:
    """The Go type name Go's messages would show for `value`."""
    if value is None:
        return "<nil>"
    go_type = getattr(value, "go_type", None)
    if isinstance(go_type, str):
        return go_type
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "map[string]interface {}"
    if isinstance(value, (list, tuple)):
        return "[]interface {}"
    if callable(value):
        return "func(...)"
    return type(value).__name__


def is_true(value: Any) -> bool:
    """Go template truthiness: zero values, empty collections and nil are false; structs are true."""
    if value is None:
        return False
    if isinstance(value, (bool, int, float, str, dict, list, tuple)):
        return bool(value)
    return True


def map_zero(mapping: dict[Any, Any]) -> Any:
    """The zero value of a map's element type (nil unless the map says otherwise)."""
    return getattr(mapping, "zero_value", None)


def sort_key(key: Any) -> tuple[int, Any]:
    """Go's fmtsort order for map keys: numbers numerically, strings by bytes, false before true."""
    if isinstance(key, bool):
        return (0, key)
    if isinstance(key, (int, float)):
        return (1, key)
    if isinstance(key, str):
        return (2, key)
    return (3, str(key))


def sorted_items(mapping: Mapping[Any, Any]) -> list[tuple[Any, Any]]:
    """Map entries in the order Go's fmt and range use."""
    if all(type(k) is str for k in mapping):
        return sorted(mapping.items())
    return sorted(mapping.items(), key=lambda kv: sort_key(kv[0]))


def _unsupported(value: float) -> str:
    return "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")


def to_jsonable(value: Any) -> Any:
    """`value` as JSON data in Go's encoding/json order: struct fields in order, map keys sorted.

    An object with a `to_json()` method is replaced by what that returns, taken as final JSON data: its
    dicts keep their key order (only values that are not JSON yet, such as GoTime, are converted).
    """
    if value is None:
        return value
    # The hook comes first: int subclasses such as alert.Level encode as their name, not their number.
    to_json = getattr(value, "to_json", None)
    if callable(to_json):
        return value.to_json() if isinstance(value, GoTime) else _as_given(to_json())
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ValueError(f"json: unsupported value: {_unsupported(value)}")
        return value
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    raise ValueError(f"json: unsupported type: {type(value).__name__}")


def _as_given(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _as_given(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_as_given(v) for v in value]
    return to_jsonable(value)

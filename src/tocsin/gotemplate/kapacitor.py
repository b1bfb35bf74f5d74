"""The functions Kapacitor adds to its templates: `json` and `jsonCompact`."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from typing import Any

from tocsin.gocompat import json as gojson
from tocsin.gotemplate.gotime import GoTime


def _unsupported(value: float) -> str:
    return "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")


def to_jsonable(value: Any) -> Any:
    """`value` as plain JSON data in Go's encoding/json order: struct fields in order, map keys sorted."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ValueError(f"json: unsupported value: {_unsupported(value)}")
        return value
    if isinstance(value, GoTime):
        return value.to_json()
    to_json = getattr(value, "to_json", None)
    if callable(to_json):
        encoded = to_json()
        if isinstance(encoded, Mapping):  # a struct's fields: keep the order the hook gives
            return {str(k): to_jsonable(v) for k, v in encoded.items()}
        return to_jsonable(encoded)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    raise ValueError(f"json: unsupported type: {type(value).__name__}")


def json_encode(value: Any) -> str:
    """Kapacitor's `json`: what a Go json.Encoder writes (compact, HTML-escaped) including the newline."""
    return gojson.dumps(to_jsonable(value)) + "\n"


def json_compact(value: Any) -> str:
    """Kapacitor's `jsonCompact`: the same JSON without the trailing newline."""
    return gojson.dumps(to_jsonable(value))


def kapacitor_funcs() -> dict[str, Callable[..., Any]]:
    """Kapacitor's extra template functions, to pass as `Template.parse(..., funcs=...)`."""
    return {"json": json_encode, "jsonCompact": json_compact}

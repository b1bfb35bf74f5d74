"""The functions Kapacitor adds to its templates: `json` and `jsonCompact`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tocsin.gocompat import json as gojson
from tocsin.gotemplate.values import to_jsonable


def json_encode(value: Any) -> str:
    """Kapacitor's `json`: what a Go json.Encoder writes (compact, HTML-escaped) including the newline."""
    return gojson.dumps(to_jsonable(value)) + "\n"


def json_compact(value: Any) -> str:
    """Kapacitor's `jsonCompact`: the same JSON without the trailing newline."""
    return gojson.dumps(to_jsonable(value))


def kapacitor_funcs() -> dict[str, Callable[..., Any]]:
    """Kapacitor's extra template functions, to pass as `Template.parse(..., funcs=...)`."""
    return {"json": json_encode, "jsonCompact": json_compact}

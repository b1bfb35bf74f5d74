"""Handler files (`define-topic-handler`, the web page's handler editor): YAML or JSON with `topic`, `id`, `kind`,
`match` and `options`.

Decoding follows what Kapacitor's CLI does with such a file (YAML 1.1 converted to JSON, then decoded into a
Go struct): keys match case-insensitively, unknown keys are ignored, YAML timestamps stay text, and non-text
mapping keys become their text (`true`, `1`).

Budgets keep one file from holding the server: YAML aliases may make a small file describe a huge value (a
431-byte "billion laughs" file expanded to a 553 MB answer), so the value is walked with a budget of
MAX_NODES nodes and MAX_DEPTH levels, and a nesting too deep for the parser is a ParseError, not a crash.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any

import yaml

from tocsin.errors import ParseError
from tocsin.gocompat.json import format_float

# Go's TopicHandlerOptions fields, in declaration (and so JSON) order.
HANDLER_FIELDS = ("topic", "id", "kind", "options", "match")
TEXT_FIELDS = ("topic", "id", "kind", "match")
REQUIRED_FIELDS = ("topic", "id")

OPEN_FAILED = 'failed to open handler spec file "{path}": {reason}'
SYNTAX_ERROR = "{path}:{line}:{column}: {what}"
NOT_A_MAPPING = "{path}: a handler file must hold a mapping of topic, id, kind, match and options, got {kind}"
WRONG_TYPE = '{path}: field "{field}" must be {expected}, got {kind}'
MISSING_FIELD = '{path}: field "{field}" is required'
BAD_VALUE = '{path}: field "options" holds {value}, which JSON cannot represent'
TOO_LARGE = "{path}: the handler file expands to more than {limit} values (YAML aliases?)"
TOO_DEEP = "{path}: the handler file nests deeper than {limit} levels"
MAX_NODES = 100_000
MAX_DEPTH = 64

_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _HandlerLoader(yaml.SafeLoader):
    """PyYAML's safe loader without timestamp resolution (Go's YAML-to-JSON step keeps timestamps as text)."""


_HandlerLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def json_kind(value: object) -> str:
    """The JSON name of a decoded value's type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _key_text(key: object) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, float):
        return format_float(key)
    return str(key)


class _Budget:
    __slots__ = ("left",)

    def __init__(self) -> None:
        self.left = MAX_NODES


def jsonable(value: Any, path: str, budget: _Budget | None = None, depth: int = 0) -> Any:
    """A YAML value as the JSON value Go would have produced from it, within the node and depth budgets."""
    budget = budget or _Budget()
    budget.left -= 1
    if budget.left < 0:
        raise ParseError(TOO_LARGE.format(path=path, limit=MAX_NODES))
    if depth > MAX_DEPTH:
        raise ParseError(TOO_DEEP.format(path=path, limit=MAX_DEPTH))
    if isinstance(value, dict):
        return {_key_text(k): jsonable(v, path, budget, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v, path, budget, depth + 1) for v in value]
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        raise ParseError(BAD_VALUE.format(path=path, value=value))
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def decode_document(text: str, path: str) -> Any:
    if os.path.splitext(path)[1].lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            message = SYNTAX_ERROR.format(path=path, line=exc.lineno, column=exc.colno, what=exc.msg)
            raise ParseError(message, exc.lineno, exc.colno) from None
        except RecursionError:
            raise ParseError(TOO_DEEP.format(path=path, limit=MAX_DEPTH)) from None
        except ValueError as exc:  # an integer of more than 4300 digits
            raise ParseError(f"{path}: {str(exc).split(';')[0]}") from None
    try:
        return yaml.load(text, Loader=_HandlerLoader)
    except RecursionError:
        raise ParseError(TOO_DEEP.format(path=path, limit=MAX_DEPTH)) from None
    except ValueError as exc:  # an integer of more than 4300 digits
        raise ParseError(f"{path}: {str(exc).split(';')[0]}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "invalid YAML"
        if mark is None:
            raise ParseError(f"{path}: {what}") from None
        message = SYNTAX_ERROR.format(path=path, line=mark.line + 1, column=mark.column + 1, what=what)
        raise ParseError(message, mark.line + 1, mark.column + 1) from None
    except yaml.YAMLError as exc:
        raise ParseError(f"{path}: {exc}") from None


def parse_handler_spec(text: str, path: str) -> dict[str, Any]:
    """The handler spec in `text` (named `path` in errors), with all five fields in Go's order."""
    data = decode_document(text, path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ParseError(NOT_A_MAPPING.format(path=path, kind=json_kind(data)))
    spec: dict[str, Any] = {"topic": "", "id": "", "kind": "", "options": None, "match": ""}
    for key, value in data.items():
        # As in Go's decoder: names match case-insensitively and a later key overwrites an earlier one.
        name = str(key).lower()
        if name in HANDLER_FIELDS:
            spec[name] = value
    for name in TEXT_FIELDS:
        if spec[name] is None:
            spec[name] = ""
        if not isinstance(spec[name], str):
            kind = json_kind(spec[name])
            raise ParseError(WRONG_TYPE.format(path=path, field=name, expected="a string", kind=kind))
    if spec["options"] is not None and not isinstance(spec["options"], dict):
        kind = json_kind(spec["options"])
        raise ParseError(WRONG_TYPE.format(path=path, field="options", expected="a mapping", kind=kind))
    spec["options"] = jsonable(spec["options"], path)
    for name in REQUIRED_FIELDS:
        if not spec[name]:
            raise ParseError(MISSING_FIELD.format(path=path, field=name))
    return spec

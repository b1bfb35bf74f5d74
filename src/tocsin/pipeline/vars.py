"""Task `vars` (API §1.4): JSON <-> TaskVar, and TaskVar -> the value a script sees.

A TaskVar holds the stored form: bool, int, float, str; duration as int nanoseconds; regex as its pattern;
lambda as its expression text; star as None; list as TaskVars (only string or star items in practice).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tocsin.expr import ast as expr_ast
from tocsin.expr.errors import ExprParseError
from tocsin.expr.gostrconv import parse_influx_duration
from tocsin.expr.parser import parse_expression
from tocsin.expr.regex import compile_go_regex
from tocsin.expr.tokens import Position
from tocsin.expr.values import Duration
from tocsin.pipeline.errors import TickCompileError
from tocsin.pipeline.spec import STAR

VAR_TYPES = ("bool", "int", "float", "string", "regex", "duration", "lambda", "list", "star")

# Decoding failures inside the request body: Kapacitor answers with its generic JSON error.
ERR_INVALID_JSON = "invalid JSON"
ERR_INVALID_VAR = "invalid var {name}: {reason}"
ERR_UNEXPECTED_STRING = "unexpected var type {type}, value is a string"
ERR_UNSUPPORTED_VALUE = "unsupported Var type {go_type}."
ERR_BAD_LAMBDA = "invalid lambda expression: {reason}"
ERR_BAD_REGEX = "invalid regex pattern: {reason}"

_ORIGIN = Position(0, 1, 1)


class VarsError(TickCompileError):
    """A `vars` object that cannot be converted; the message is what the API returns."""


@dataclass(slots=True)
class TaskVar:
    """One task var in its stored form."""

    type: str
    value: Any = None
    description: str = ""
    items: list[TaskVar] = field(default_factory=list)  # list vars only


def _go_type(value: Any) -> str:
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "json.Number"  # the request decoder keeps numbers as json.Number
    if isinstance(value, list):
        return "[]interface {}"
    return "map[string]interface {}"


def _scalar(name: str, typ: str, value: Any) -> Any:
    """The stored value of a non-list var, with Kapacitor's checks (client decoding, then newVar)."""
    if typ == "star":
        return None
    if typ == "duration":
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise VarsError(ERR_INVALID_JSON)
        if isinstance(value, str):
            try:
                return parse_influx_duration(value)
            except ValueError:
                raise VarsError(ERR_INVALID_JSON) from None
        return value
    if typ in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise VarsError(ERR_INVALID_JSON)
        if typ == "int":
            if isinstance(value, float) and not value.is_integer():
                raise VarsError(ERR_INVALID_JSON)
            return int(value)
        return float(value)
    if isinstance(value, str):
        if typ in ("string", "regex", "lambda"):
            return value
        raise VarsError(ERR_INVALID_VAR.format(name=name, reason=ERR_UNEXPECTED_STRING.format(type=typ)))
    if typ == "bool" and isinstance(value, bool):
        return value
    raise VarsError(ERR_INVALID_VAR.format(name=name, reason=ERR_UNSUPPORTED_VALUE.format(go_type=_go_type(value))))


def _var(name: str, raw: Any) -> TaskVar:
    if not isinstance(raw, Mapping):
        raise VarsError(ERR_INVALID_JSON)
    typ = raw.get("type")
    if typ not in VAR_TYPES:
        raise VarsError(ERR_INVALID_JSON)
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise VarsError(ERR_INVALID_JSON)
    value = raw.get("value")
    if typ != "list":
        return TaskVar(typ, _scalar(name, typ, value), description)
    if not isinstance(value, list):
        if value is None:
            raise VarsError(ERR_INVALID_VAR.format(name=name, reason=ERR_UNSUPPORTED_VALUE.format(go_type="<nil>")))
        raise VarsError(ERR_INVALID_JSON)
    items: list[TaskVar] = []
    for item in value:
        if not isinstance(item, Mapping) or not isinstance(item.get("type"), str) or "value" not in item:
            raise VarsError(ERR_INVALID_JSON)
        if item["type"] not in VAR_TYPES:
            raise VarsError(ERR_INVALID_JSON)
        item_type = item["type"]
        if item_type in ("int", "float", "duration") or item_type == "list":
            reason = ERR_UNSUPPORTED_VALUE.format(go_type=_go_type(item["value"]))
            raise VarsError(ERR_INVALID_VAR.format(name=name, reason=reason))
        items.append(TaskVar(item_type, _scalar(name, item_type, item["value"])))
    return TaskVar("list", None, description, items)


def vars_from_json(raw: Any) -> dict[str, TaskVar]:
    """Convert a request's `vars` object; raises VarsError with the API's message."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise VarsError(ERR_INVALID_JSON)
    return {name: _var(name, value) for name, value in raw.items()}


def var_to_json(var: TaskVar) -> dict[str, Any]:
    """One var as the API shows it: `{"type", "value", "description"}`."""
    if var.type == "list":
        value: Any = [var_to_json(item) for item in var.items]
    else:
        value = var.value
    return {"type": var.type, "value": value, "description": var.description}


def vars_to_json(task_vars: Mapping[str, TaskVar]) -> dict[str, dict[str, Any]]:
    """The task object's `vars`."""
    return {name: var_to_json(var) for name, var in task_vars.items()}


def tick_value(name: str, var: TaskVar) -> Any:
    """What the script sees for a task var (lambda parsed, regex compiled); errors name the var."""
    if var.type == "list":
        return [tick_value(name, item) for item in var.items]
    if var.type == "star":
        return STAR
    if var.type == "duration":
        return Duration(int(var.value))
    if var.type == "lambda":
        try:
            return expr_ast.LambdaNode(_ORIGIN, parse_expression(str(var.value)))
        except ExprParseError as exc:
            reason = ERR_BAD_LAMBDA.format(reason=exc)
            raise VarsError(ERR_INVALID_VAR.format(name=name, reason=reason)) from None
    if var.type == "regex":
        try:
            pattern = compile_go_regex(str(var.value))
        except ValueError as exc:
            reason = ERR_BAD_REGEX.format(reason=exc)
            raise VarsError(ERR_INVALID_VAR.format(name=name, reason=reason)) from None
        return expr_ast.RegexNode(_ORIGIN, str(var.value).replace("/", "\\/"), pattern)
    return var.value

"""Declared vars as the templates and tasks APIs list them, and the stand-ins for vars not supplied."""

from __future__ import annotations

from typing import Any

from tocsin.expr import ast as expr_ast
from tocsin.expr.regex import compile_go_regex
from tocsin.expr.tokens import Position
from tocsin.expr.values import Duration
from tocsin.pipeline.exprtext import expression_text
from tocsin.pipeline.spec import STAR, DeclaredVar, Star
from tocsin.pipeline.values import type_name


def json_value(value: Any) -> Any:
    """A var value in its JSON form: duration ns, regex pattern, lambda text, list of {type, value}."""
    if isinstance(value, Duration):
        return value.ns
    if isinstance(value, expr_ast.RegexNode):
        return value.literal.replace("\\/", "/")
    if isinstance(value, expr_ast.LambdaNode):
        return expression_text(value)
    if isinstance(value, Star):
        return None
    if isinstance(value, list):
        return [{"type": type_name(item), "value": json_value(item), "description": ""} for item in value]
    return value


def declared_var(name: str, value: Any, description: str) -> DeclaredVar:
    """The listing entry of `var name = value`."""
    return DeclaredVar(name, type_name(value), json_value(value), description)


def zero_value(typ: str, pos: Position) -> Any:
    """A value of the declared type, for listing a template's vars without their values."""
    zeros: dict[str, Any] = {
        "int": 0,
        "float": 0.0,
        "bool": False,
        "string": "",
        "duration": Duration(0),
        "star": STAR,
        "list": [],
        "lambda": expr_ast.LambdaNode(pos, expr_ast.BoolNode(pos, False)),
    }
    if typ == "regex":
        return expr_ast.RegexNode(pos, "", compile_go_regex(""))
    return zeros[typ]

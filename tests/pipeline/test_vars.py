"""Task vars JSON <-> TaskVar, and what a script sees for them."""

from __future__ import annotations

from typing import Any

import pytest

from tocsin.expr import ast as expr_ast
from tocsin.expr.values import Duration
from tocsin.pipeline.compile import declared_vars
from tocsin.pipeline.spec import STAR, DeclaredVar
from tocsin.pipeline.vars import TaskVar, VarsError, tick_value, vars_from_json, vars_to_json
from tocsin.tick.parser import parse_program


def test_round_trip_every_type() -> None:
    raw = {
        "b": {"type": "bool", "value": True, "description": "flag"},
        "i": {"type": "int", "value": 42},
        "f": {"type": "float", "value": 42},
        "s": {"type": "string", "value": "x"},
        "r": {"type": "regex", "value": "^a/b$"},
        "d": {"type": "duration", "value": "1m"},
        "n": {"type": "duration", "value": 5},
        "l": {"type": "lambda", "value": '"value" > 5'},
        "st": {"type": "star", "value": None},
        "ls": {"type": "list", "value": [{"type": "string", "value": "a"}, {"type": "star", "value": None}]},
    }
    assert vars_to_json(vars_from_json(raw)) == {
        "b": {"type": "bool", "value": True, "description": "flag"},
        "i": {"type": "int", "value": 42, "description": ""},
        "f": {"type": "float", "value": 42.0, "description": ""},
        "s": {"type": "string", "value": "x", "description": ""},
        "r": {"type": "regex", "value": "^a/b$", "description": ""},
        "d": {"type": "duration", "value": 60_000_000_000, "description": ""},
        "n": {"type": "duration", "value": 5, "description": ""},
        "l": {"type": "lambda", "value": '"value" > 5', "description": ""},
        "st": {"type": "star", "value": None, "description": ""},
        "ls": {
            "type": "list",
            "value": [
                {"type": "string", "value": "a", "description": ""},
                {"type": "star", "value": None, "description": ""},
            ],
            "description": "",
        },
    }


ERRORS: list[tuple[Any, str]] = [
    ({"x": {"type": "nope", "value": 1}}, "invalid JSON"),
    ({"x": {"type": "int", "value": "5"}}, "invalid JSON"),
    ({"x": {"type": "int", "value": 1.5}}, "invalid JSON"),
    ({"x": {"type": "duration", "value": "5"}}, "invalid JSON"),
    ({"x": {"type": "bool", "value": "true"}}, "invalid var x: unexpected var type bool, value is a string"),
    ({"x": {"type": "bool", "value": 1}}, "invalid var x: unsupported Var type json.Number."),
    ({"x": {"type": "string", "value": None}}, "invalid var x: unsupported Var type <nil>."),
    (
        {"x": {"type": "list", "value": [{"type": "int", "value": 1}]}},
        "invalid var x: unsupported Var type json.Number.",
    ),
    ({"x": {"type": "list", "value": [{"type": "string"}]}}, "invalid JSON"),
]


@pytest.mark.parametrize(("raw", "message"), ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_conversion_errors(raw: Any, message: str) -> None:
    with pytest.raises(VarsError) as info:
        vars_from_json(raw)
    assert str(info.value) == message


def test_tick_values() -> None:
    assert tick_value("d", TaskVar("duration", 7)) == Duration(7)
    assert tick_value("s", TaskVar("star")) is STAR
    assert tick_value("l", TaskVar("list", None, "", [TaskVar("string", "a"), TaskVar("star")])) == ["a", STAR]
    lam = tick_value("l", TaskVar("lambda", '"v" > 1'))
    assert isinstance(lam, expr_ast.LambdaNode) and isinstance(lam.expression, expr_ast.BinaryNode)
    regex = tick_value("r", TaskVar("regex", "^a$"))
    assert isinstance(regex, expr_ast.RegexNode) and regex.pattern.match("a")


def test_bad_lambda_and_regex_name_the_var() -> None:
    with pytest.raises(VarsError) as info:
        tick_value("r", TaskVar("regex", "("))
    assert str(info.value).startswith("invalid var r: invalid regex pattern: error parsing regexp: ")
    with pytest.raises(VarsError) as info:
        tick_value("l", TaskVar("lambda", '"v" >'))
    assert str(info.value).startswith("invalid var l: invalid lambda expression: parser: unexpected EOF")


def test_declared_vars_for_templates() -> None:
    script = "// the threshold\nvar crit = 90.5\nvar x int\nvar re = /a\\/b/\nvar w = 5m\nstream|from()"
    assert declared_vars(parse_program(script)) == {
        "crit": DeclaredVar("crit", "float", 90.5, "the threshold"),
        "x": DeclaredVar("x", "int", None, ""),
        "re": DeclaredVar("re", "regex", "a/b", ""),
        "w": DeclaredVar("w", "duration", 300_000_000_000, ""),
    }

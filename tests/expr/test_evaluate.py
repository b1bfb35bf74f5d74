from __future__ import annotations

from collections.abc import Sequence

import pytest

from tocsin.expr import ast
from tocsin.expr.errors import CompileError, EvalError
from tocsin.expr.evaluate import MAX_DEPTH, Bindings, Evaluator, MapScope, compile_expression, evaluate
from tocsin.expr.parser import Parser, parse_expression
from tocsin.expr.values import MISSING, Duration, Value

SCOPE = MapScope({"value": 95.5, "host": "a", "n": 3, "gone": MISSING}, {"crit": 90, "name": "cpu"})


def run(text: str, scope: MapScope = SCOPE) -> Value:
    return evaluate(parse_expression(text), scope)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"value" > crit', True),
        ("name + '-alert'", "cpu-alert"),
        ('isPresent("gone")', False),
        ('isPresent("host")', True),
        ("1 + 2 * 3 - -4", 11),
        ("10m + 30s", Duration(630_000_000_000)),
        ("-(2 * 3)", -6),
        ("0644", 420),
        ("'''x'''", "x"),
    ],
    ids=[
        "identifier",
        "identifier-concat",
        "isPresent-missing",
        "isPresent-present",
        "folded",
        "durations",
        "unary-folded",
        "octal",
        "triple",
    ],
)
def test_evaluate(text: str, expected: Value) -> None:
    assert run(text) == expected


COMPILE_ERRORS = [
    (
        "1 + 1.0",
        "mismatched type to binary operator. got int + float. see bool(), int(), float(), string(), duration() "
        "line 1 char 3",
        1,
        3,
    ),
    ('"n" > 1 AND (2 % 0) == 1', "runtime error: integer divide by zero line 1 char 16", 1, 16),
    ("-'a' == 1", "invalid math operator - for type string line 1 char 1", 1, 1),
    ('"n" == 1 OR\n  nope(1)', 'undefined function: "nope" line 2 char 3', 2, 3),
    ("*", "a star cannot be evaluated in an expression line 1 char 1", 1, 1),
]


@pytest.mark.parametrize(("text", "message", "line", "column"), COMPILE_ERRORS, ids=[c[0] for c in COMPILE_ERRORS])
def test_compile_errors(text: str, message: str, line: int, column: int) -> None:
    with pytest.raises(CompileError) as info:
        compile_expression(parse_expression(text))
    assert (str(info.value), info.value.line, info.value.column) == (message, line, column)


def test_list_cannot_be_evaluated() -> None:
    node = Parser("['a']").list_literal()
    with pytest.raises(CompileError) as info:
        compile_expression(node)
    assert str(info.value) == "a list cannot be evaluated in an expression line 1 char 1"


def test_lambda_node_evaluates_its_body() -> None:
    node = Parser('lambda: "n" * 2').lambda_expression()
    assert compile_expression(node)(SCOPE) == 6


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("undefinedVar > 1", 'undefined identifier "undefinedVar"'),
        ('strLength("gone")', 'Cannot call function "strLength" argument "gone" is missing'),
        ('strLength("n")', 'error calling "strLength": cannot pass int64 as first arg to strLength, must be string'),
        ("abs(1)", 'error calling "abs": cannot pass int64 to abs, must be float64'),
        ('abs("gone" + 1.0)', 'Failed to handle 1 argument: left reference value "gone" is missing value'),
        ('strLength("host", "n")', 'error calling "strLength": strLength expects exactly one argument'),
    ],
    ids=["undefined-var", "missing-arg", "arg-type", "math-arg-type", "arg-error", "arg-count"],
)
def test_runtime_errors(text: str, message: str) -> None:
    with pytest.raises(EvalError) as info:
        run(text)
    assert str(info.value) == message


def test_stateful_functions_keep_state_per_compiled_expression() -> None:
    node = parse_expression("count()")
    first, second = compile_expression(node), compile_expression(node)
    assert [first(SCOPE), first(SCOPE), first(SCOPE), second(SCOPE)] == [1, 2, 3, 1]


def test_short_circuit_skips_the_right_side() -> None:
    counter = compile_expression(parse_expression('"n" > 5 AND count() > 0 OR count() == 1'))
    assert counter(SCOPE) is True


def test_long_or_chain_evaluates_without_recursion() -> None:
    text = " OR ".join(f"\"host\" == '{i}'" for i in range(3000)) + " OR \"host\" == 'a'"
    assert compile_expression(parse_expression(text))(SCOPE) is True


def test_long_arithmetic_chain_is_refused_as_too_complex() -> None:
    text = " + ".join(['"n"'] * (MAX_DEPTH + 5))
    with pytest.raises(CompileError) as info:
        compile_expression(parse_expression(text))
    assert str(info.value) == f"expression too complex line 1 char {text.rfind('+') + 1}"
    fine = " + ".join(['"n"'] * (MAX_DEPTH - 5))
    assert compile_expression(parse_expression(fine))(SCOPE) == 3 * (MAX_DEPTH - 5)


class _Custom(Bindings):
    def call(self, node: ast.FunctionNode, args: Sequence[Evaluator]) -> Evaluator | None:
        if node.name == "twice":
            (arg,) = args
            return lambda scope: arg(scope) * 2  # type: ignore[operator]
        return None


def test_bindings_can_provide_functions() -> None:
    evaluator = compile_expression(parse_expression('twice("n") + abs(-1.5)'), _Custom())
    with pytest.raises(EvalError) as info:
        evaluator(SCOPE)
    assert str(info.value).startswith("mismatched type to binary operator. got int + float.")
    assert compile_expression(parse_expression('twice("n") == 6'), _Custom())(SCOPE) is True

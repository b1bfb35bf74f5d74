from __future__ import annotations

import time

import pytest

from tocsin.expr.evaluate import MapScope, evaluate
from tocsin.expr.functions import BUILTINS
from tocsin.expr.parser import parse_expression
from tocsin.expr.regex import compile_go_regex
from tocsin.expr.values import MISSING, Duration, Time, Value

S = 1_000_000_000
# 2024-02-29T13:45:10.5Z, a Thursday
LEAP_DAY = Time(1709214310 * S + S // 2)


def call(name: str, *args: Value) -> Value:
    return BUILTINS[name].make()(list(args))


RESULTS: list[tuple[str, tuple[Value, ...], Value]] = [
    ("bool", (True,), True),
    ("bool", ("t",), True),
    ("bool", ("FALSE",), False),
    ("bool", (1,), True),
    ("bool", (0.0,), False),
    ("int", (2.9,), 2),
    ("int", (-2.9,), -2),
    ("int", ("-42",), -42),
    ("int", (True,), 1),
    ("int", (Duration(5 * S),), 5 * S),
    ("float", (3,), 3.0),
    ("float", ("1e3",), 1000.0),
    ("float", (False,), 0.0),
    ("string", (42,), "42"),
    ("string", (2.50,), "2.5"),
    ("string", (1e21,), "1000000000000000000000"),
    ("string", (True,), "true"),
    ("string", (Duration(90 * S),), "90s"),
    ("string", (Duration(7 * 24 * 3600 * S),), "1w"),
    ("string", (Duration(1500),), "1500ns"),
    ("string", ("x",), "x"),
    ("duration", (Duration(S),), Duration(S)),
    ("duration", (5, Duration(60 * S)), Duration(300 * S)),
    ("duration", (1.5, Duration(S)), Duration(1_500_000_000)),
    ("duration", ("1h30m",), Duration(5400 * S)),
    ("duration", ("10u",), Duration(10_000)),
    ("unixNano", (LEAP_DAY,), 1709214310 * S + S // 2),
    ("minute", (LEAP_DAY,), 45),
    ("hour", (LEAP_DAY,), 13),
    ("weekday", (LEAP_DAY,), 4),
    ("day", (LEAP_DAY,), 29),
    ("month", (LEAP_DAY,), 2),
    ("year", (LEAP_DAY,), 2024),
    ("weekday", (Time(0),), 4),
    ("weekday", (Time(3 * 24 * 3600 * S),), 0),
    ("humanBytes", (0,), "0 B"),
    ("humanBytes", (9,), "9 B"),
    ("humanBytes", (1000,), "1.0 kB"),
    ("humanBytes", (82854982,), "83 MB"),
    ("humanBytes", (1_500_000.0,), "1.5 MB"),
    ("humanBytes", (999_999,), "1000 kB"),
    ("humanBytes", (-1,), "18 EB"),
    ("if", (True, 1, 2), 1),
    ("if", (False, "a", "b"), "b"),
    ("isPresent", (MISSING,), False),
    ("isPresent", (0,), True),
]


@pytest.mark.parametrize(("name", "args", "expected"), RESULTS, ids=[f"{n}{a!r}" for n, a, _ in RESULTS])
def test_results(name: str, args: tuple[Value, ...], expected: Value) -> None:
    result = call(name, *args)
    assert result == expected
    assert type(result) is type(expected)


ERRORS: list[tuple[str, tuple[Value, ...], str]] = [
    ("bool", ("yes",), 'strconv.ParseBool: parsing "yes": invalid syntax'),
    ("bool", (2,), "cannot convert 2 to boolean"),
    ("bool", (2.5,), "cannot convert 2.5 to boolean"),
    ("bool", (Duration(1),), "cannot convert time.Duration to boolean"),
    ("bool", (), "bool expects exactly one argument"),
    ("int", ("1.5",), 'strconv.ParseInt: parsing "1.5": invalid syntax'),
    ("int", ("9223372036854775808",), 'strconv.ParseInt: parsing "9223372036854775808": value out of range'),
    ("int", (compile_go_regex("x"),), "cannot convert *regexp.Regexp to integer"),
    ("float", ("1_0",), 'strconv.ParseFloat: parsing "1_0": invalid syntax'),
    ("float", (Time(0),), "cannot convert time.Time to float"),
    ("string", (Time(0),), "cannot convert time.Time to string"),
    (
        "duration",
        (),
        "duration expects one or two arguments duration(value, unit) where unit is optional "
        "depending on the type of value.",
    ),
    ("duration", (5,), "duration expects unit argument for int and float values"),
    ("duration", (5, 1), "invalid duration unit type: int64"),
    ("duration", ("1.5s",), 'invalid duration string "1.5s"'),
    ("duration", (True,), "cannot convert bool to duration"),
    ("minute", (5,), "cannot convert int64 to time.Time"),
    ("now", (1,), "now expects exactly zero argument"),
    ("humanBytes", ("1",), "cannot convert string to humanBytes"),
    ("if", (1, 2, 3), "first argument to if must be a condition with type of bool - got int64"),
    (
        "if",
        (True, 1, 2.0),
        "Different return types are not supported - second argument is int64 and third argument is float64",
    ),
    ("if", (True,), "if expects exactly three arguments"),
    ("isPresent", (), "isMissing expects exactly one argument"),
    ("sigma", (1,), "value is not a float"),
    ("spread", (), "spread expects exactly one argument"),
]


@pytest.mark.parametrize(("name", "args", "message"), ERRORS, ids=[f"{n}{a!r}" for n, a, _ in ERRORS])
def test_errors(name: str, args: tuple[Value, ...], message: str) -> None:
    with pytest.raises(ValueError) as info:
        call(name, *args)
    assert str(info.value) == message


def test_now_is_current_time() -> None:
    before = time.time_ns()
    now = call("now")
    assert isinstance(now, Time)
    assert before <= now.ns <= time.time_ns()


def test_count_sigma_spread_keep_state() -> None:
    count, sigma, spread = (BUILTINS[n].make() for n in ("count", "sigma", "spread"))
    assert [count([]), count([]), count([])] == [1, 2, 3]
    assert [sigma([x]) for x in (1.0, 1.0, 4.0)] == [0.0, 0.0, pytest.approx(1.1547005383792517)]
    assert [spread([x]) for x in (5.0, 2.0, 9.0)] == [0.0, 3.0, 7.0]


def test_every_spec_builtin_is_registered() -> None:
    spec = [
        "bool",
        "int",
        "float",
        "string",
        "duration",
        "abs",
        "acos",
        "acosh",
        "asin",
        "asinh",
        "atan",
        "atan2",
        "atanh",
        "cbrt",
        "ceil",
        "cos",
        "cosh",
        "erf",
        "erfc",
        "exp",
        "exp2",
        "expm1",
        "floor",
        "gamma",
        "hypot",
        "j0",
        "j1",
        "jn",
        "log",
        "log10",
        "log1p",
        "log2",
        "logb",
        "max",
        "min",
        "mod",
        "pow",
        "pow10",
        "sin",
        "sinh",
        "sqrt",
        "tan",
        "tanh",
        "trunc",
        "y0",
        "y1",
        "yn",
        "strContains",
        "strContainsAny",
        "strCount",
        "strHasPrefix",
        "strHasSuffix",
        "strIndex",
        "strIndexAny",
        "strLastIndex",
        "strLastIndexAny",
        "strLength",
        "strReplace",
        "strSubstring",
        "strToLower",
        "strToUpper",
        "strTrim",
        "strTrimLeft",
        "strTrimPrefix",
        "strTrimRight",
        "strTrimSpace",
        "strTrimSuffix",
        "regexReplace",
        "isPresent",
        "unixNano",
        "minute",
        "hour",
        "weekday",
        "day",
        "month",
        "year",
        "now",
        "humanBytes",
        "if",
        "sigma",
        "count",
        "spread",
    ]
    assert sorted(BUILTINS) == sorted(spec)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("if(\"v\" > 10.0, 'high', 'low')", "high"),
        ('string(int("v"))', "12"),
        ('humanBytes(int("v") * 1000000)', "12 MB"),
        ('hour("time")', 13),
        ("duration(2, 1m) > 90s", True),
        ('float(int("v")) / 5.0', 2.4),
    ],
    ids=["if", "conversions", "humanBytes", "time", "duration", "float"],
)
def test_builtins_inside_expressions(text: str, expected: Value) -> None:
    scope = MapScope({"v": 12.7, "time": LEAP_DAY})
    assert evaluate(parse_expression(text), scope) == expected

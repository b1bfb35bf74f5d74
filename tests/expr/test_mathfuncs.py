from __future__ import annotations

import math

import pytest

from tocsin.expr.mathfuncs import MATH_FUNCTIONS
from tocsin.expr.values import Value

INF, NAN = math.inf, math.nan


def call(name: str, *args: Value) -> Value:
    return MATH_FUNCTIONS[name](list(args))


def same(a: Value, b: Value) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    return a == b


RESULTS: list[tuple[str, tuple[Value, ...], float]] = [
    ("abs", (-2.5,), 2.5),
    ("sqrt", (16.0,), 4.0),
    ("sqrt", (-1.0,), NAN),
    ("pow", (2.0, 10.0), 1024.0),
    ("pow", (0.0, -1.0), INF),
    ("pow", (-0.0, -3.0), -INF),
    ("pow", (-8.0, 1 / 3), NAN),
    ("pow", (10.0, 400.0), INF),
    ("pow", (-10.0, 401.0), -INF),
    ("pow10", (3,), 1000.0),
    ("pow10", (-2,), 0.01),
    ("pow10", (400,), INF),
    ("pow10", (-400,), 0.0),
    ("floor", (-1.5,), -2.0),
    ("ceil", (-0.5,), -0.0),
    ("ceil", (1.2,), 2.0),
    ("trunc", (-1.7,), -1.0),
    ("floor", (INF,), INF),
    ("log", (0.0,), -INF),
    ("log", (-1.0,), NAN),
    ("log", (math.e,), 1.0),
    ("log10", (1000.0,), 3.0),
    ("log2", (8.0,), 3.0),
    ("log1p", (-1.0,), -INF),
    ("logb", (8.0,), 3.0),
    ("logb", (0.0,), -INF),
    ("exp", (1000.0,), INF),
    ("exp2", (3.0,), 8.0),
    ("sinh", (-1000.0,), -INF),
    ("cosh", (1000.0,), INF),
    ("acos", (2.0,), NAN),
    ("asin", (1.0,), math.pi / 2),
    ("acosh", (0.5,), NAN),
    ("atanh", (1.0,), INF),
    ("atanh", (-1.0,), -INF),
    ("atanh", (2.0,), NAN),
    ("atan2", (1.0, 1.0), math.pi / 4),
    ("hypot", (3.0, 4.0), 5.0),
    ("gamma", (5.0,), 24.0),
    ("gamma", (0.0,), INF),
    ("gamma", (-0.0,), -INF),
    ("gamma", (-2.0,), NAN),
    ("gamma", (200.0,), INF),
    ("cos", (INF,), NAN),
    ("max", (1.0, NAN), NAN),
    ("max", (NAN, INF), INF),
    ("max", (-0.0, 0.0), 0.0),
    ("min", (-0.0, 0.0), -0.0),
    ("min", (2.0, -INF), -INF),
    ("max", (2.0, 3.0), 3.0),
    ("mod", (7.0, 3.0), 1.0),
    ("mod", (-7.0, 3.0), -1.0),
    ("mod", (1.0, 0.0), NAN),
    ("cbrt", (27.0,), 3.0),
    ("erf", (0.0,), 0.0),
    ("j0", (0.0,), 1.0),
    ("y0", (0.0,), -INF),
    ("y0", (-1.0,), NAN),
    ("jn", (2, INF), 0.0),
    ("yn", (-3, 0.0), INF),
    ("yn", (2, 0.0), -INF),
]


@pytest.mark.parametrize(("name", "args", "expected"), RESULTS, ids=[f"{n}{a!r}" for n, a, _ in RESULTS])
def test_go_special_cases(name: str, args: tuple[Value, ...], expected: float) -> None:
    assert same(call(name, *args), expected)


# Reference values (A&S tables / Go's math package).
BESSEL = [
    ("j0", (1.0,), 0.7651976865579666),
    ("j1", (1.0,), 0.44005058574493355),
    ("y0", (1.0,), 0.08825696421567697),
    ("y1", (1.0,), -0.7812128213002887),
    ("j0", (25.0,), 0.09626678327595811),
    ("y0", (10.0,), 0.05567116728359939),
    ("y1", (10.0,), 0.24901542420695388),
    ("j1", (80.0,), -0.05605729667571262),
    ("jn", (5, 2.0), 0.007039629755871685),
    ("jn", (3, -2.0), -0.12894324947440205),
    ("jn", (-3, 2.0), -0.12894324947440205),
    ("jn", (50, 1.0), 2.906004948173273e-80),
    ("jn", (100, 100.0), 0.09636667329586155),
    ("yn", (5, 2.0), -9.935989128481975),
    ("yn", (3, 10.0), -0.25136265718383735),
    ("y0", (1e-5,), -7.403160283701971),
]


@pytest.mark.parametrize(("name", "args", "expected"), BESSEL, ids=[f"{n}{a!r}" for n, a, _ in BESSEL])
def test_bessel_values(name: str, args: tuple[Value, ...], expected: float) -> None:
    assert call(name, *args) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_bessel_is_continuous_where_the_method_changes() -> None:
    for name in ("j0", "j1", "y0", "y1"):
        below, above = call(name, 25.0), call(name, 25.0 + 1e-9)
        assert isinstance(below, float) and isinstance(above, float)
        assert abs(below - above) < 1e-9


ERRORS: list[tuple[str, tuple[Value, ...], str]] = [
    ("abs", (1,), "cannot pass int64 to abs, must be float64"),
    ("abs", (), "abs expects exactly one argument"),
    ("pow", (2.0, 2), "cannot pass int64 to pow, must be float64"),
    ("pow", (2.0,), "pow expects exactly two arguments"),
    ("pow10", (2.0,), "cannot pass float64 to pow10, must be int64"),
    ("pow10", (), "pow10 expects exactly two arguments"),
    ("jn", (1.0, 1.0), "cannot pass float64 to jn as first arg, must be int64"),
    ("yn", (1, 1), "cannot pass int64 to yn as second arg, must be float64"),
    ("jn", (10**6, 1.0), "order 1000000 is too large"),
]


@pytest.mark.parametrize(("name", "args", "message"), ERRORS, ids=[f"{n}{a!r}" for n, a, _ in ERRORS])
def test_errors(name: str, args: tuple[Value, ...], message: str) -> None:
    with pytest.raises(ValueError) as info:
        call(name, *args)
    assert str(info.value) == message

"""Math builtins of lambda expressions, with Go's math special cases (NaN/±Inf instead of exceptions).

All take float64 arguments only (`cannot pass int64 to abs, must be float64`), except `pow10(int)` and
`jn`/`yn(int, float)`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from tocsin.expr import bessel
from tocsin.expr.values import Value, go_type_name

Impl = Callable[[Sequence[Value]], Value]
_F1 = Callable[[float], float]
_F2 = Callable[[float, float], float]


def _nan_on_domain_error(f: _F1, overflow: _F1 = lambda x: math.inf) -> _F1:
    def call(x: float) -> float:
        try:
            return f(x)
        except ValueError:
            return math.nan
        except OverflowError:
            return overflow(x)

    return call


def _integral(f: Callable[[float], int]) -> _F1:
    def call(x: float) -> float:
        if math.isnan(x) or math.isinf(x):
            return x
        result = float(f(x))
        return math.copysign(result, x) if result == 0 else result

    return call


def _log(f: _F1, zero_at: float = 0.0) -> _F1:
    def call(x: float) -> float:
        if x == zero_at:
            return -math.inf
        if x < zero_at:
            return math.nan
        return f(x)

    return call


def _acosh(x: float) -> float:
    return math.nan if x < 1 else math.acosh(x)


def _atanh(x: float) -> float:
    if abs(x) == 1:
        return math.copysign(math.inf, x)
    return math.nan if abs(x) > 1 else math.atanh(x)


def _cbrt(x: float) -> float:
    y = math.cbrt(x)
    if y == 0 or not math.isfinite(y):
        return y
    # libm's cbrt may be one ulp off (cbrt(27) = 3.0000000000000004); Go's is not. One Newton step.
    return y - (y * y * y - x) / (3.0 * y * y)


def _gamma(x: float) -> float:
    if x == 0:
        return math.copysign(math.inf, x)
    if x == -math.inf or (x < 0 and x == math.floor(x)):
        return math.nan
    try:
        return math.gamma(x)
    except OverflowError:
        return math.inf


def _logb(x: float) -> float:
    if x == 0:
        return -math.inf
    if math.isinf(x):
        return math.inf
    if math.isnan(x):
        return x
    return float(math.frexp(x)[1] - 1)


def _max(x: float, y: float) -> float:
    if (math.isinf(x) and x > 0) or (math.isinf(y) and y > 0):
        return math.inf
    if math.isnan(x) or math.isnan(y):
        return math.nan
    if x == 0 and y == 0:
        return y if math.copysign(1.0, x) < 0 else x
    return x if x > y else y


def _min(x: float, y: float) -> float:
    if (math.isinf(x) and x < 0) or (math.isinf(y) and y < 0):
        return -math.inf
    if math.isnan(x) or math.isnan(y):
        return math.nan
    if x == 0 and y == 0:
        return x if math.copysign(1.0, x) < 0 else y
    return x if x < y else y


def _mod(x: float, y: float) -> float:
    try:
        return math.fmod(x, y)
    except ValueError:
        return math.nan


def _odd_integer(y: float) -> bool:
    return math.isfinite(y) and y == math.floor(y) and math.fmod(y, 2.0) != 0


def _pow(x: float, y: float) -> float:
    try:
        return math.pow(x, y)
    except ValueError:
        if x == 0:
            return math.copysign(math.inf, x) if _odd_integer(y) else math.inf
        return math.nan
    except OverflowError:
        return -math.inf if x < 0 and _odd_integer(y) else math.inf


def _pow10(n: int) -> float:
    if n < -323:
        return 0.0
    if n > 308:
        return math.inf
    return float(f"1e{n}")


def math1(name: str, f: _F1) -> Impl:
    """A one-float-argument builtin."""

    def impl(args: Sequence[Value]) -> Value:
        if len(args) != 1:
            raise ValueError(f"{name} expects exactly one argument")
        _need_float(args[0], name)
        return f(args[0])  # type: ignore[arg-type]

    return impl


def math2(name: str, f: _F2) -> Impl:
    """A two-float-argument builtin."""

    def impl(args: Sequence[Value]) -> Value:
        if len(args) != 2:
            raise ValueError(f"{name} expects exactly two arguments")
        _need_float(args[0], name)
        _need_float(args[1], name)
        return f(args[0], args[1])  # type: ignore[arg-type]

    return impl


def _need_float(value: Value, name: str) -> None:
    if type(value) is not float:
        raise ValueError(f"cannot pass {go_type_name(value)} to {name}, must be float64")


def _int_float(name: str, f: Callable[[int, float], float]) -> Impl:
    def impl(args: Sequence[Value]) -> Value:
        if len(args) != 2:
            raise ValueError(f"{name} expects exactly two arguments")
        order, x = args
        if type(order) is not int:
            raise ValueError(f"cannot pass {go_type_name(order)} to {name} as first arg, must be int64")
        if type(x) is not float:
            raise ValueError(f"cannot pass {go_type_name(x)} to {name} as second arg, must be float64")
        return f(order, x)

    return impl


def _pow10_impl(args: Sequence[Value]) -> Value:
    if len(args) != 1:
        # Kapacitor's own text for this function says "two" although it takes one argument.
        raise ValueError("pow10 expects exactly two arguments")
    n = args[0]
    if type(n) is not int:
        raise ValueError(f"cannot pass {go_type_name(n)} to pow10, must be int64")
    return _pow10(n)


_ONE: dict[str, _F1] = {
    "abs": math.fabs,
    "acos": _nan_on_domain_error(math.acos),
    "acosh": _acosh,
    "asin": _nan_on_domain_error(math.asin),
    "asinh": math.asinh,
    "atan": math.atan,
    "atanh": _atanh,
    "cbrt": _cbrt,
    "ceil": _integral(math.ceil),
    "cos": _nan_on_domain_error(math.cos),
    "cosh": _nan_on_domain_error(math.cosh),
    "erf": math.erf,
    "erfc": math.erfc,
    "exp": _nan_on_domain_error(math.exp),
    "exp2": _nan_on_domain_error(math.exp2),
    "expm1": _nan_on_domain_error(math.expm1),
    "floor": _integral(math.floor),
    "gamma": _gamma,
    "j0": bessel.j0,
    "j1": bessel.j1,
    "log": _log(math.log),
    "log10": _log(math.log10),
    "log1p": _log(math.log1p, -1.0),
    "log2": _log(math.log2),
    "logb": _logb,
    "sin": _nan_on_domain_error(math.sin),
    "sinh": _nan_on_domain_error(math.sinh, lambda x: math.copysign(math.inf, x)),
    "sqrt": _nan_on_domain_error(math.sqrt),
    "tan": _nan_on_domain_error(math.tan),
    "tanh": math.tanh,
    "trunc": _integral(math.trunc),
    "y0": bessel.y0,
    "y1": bessel.y1,
}
_TWO: dict[str, _F2] = {
    "atan2": math.atan2,
    "hypot": math.hypot,
    "max": _max,
    "min": _min,
    "mod": _mod,
    "pow": _pow,
}

MATH_FUNCTIONS: dict[str, Impl] = {name: math1(name, f) for name, f in _ONE.items()}
MATH_FUNCTIONS |= {name: math2(name, f) for name, f in _TWO.items()}
MATH_FUNCTIONS |= {
    "jn": _int_float("jn", bessel.jn),
    "yn": _int_float("yn", bessel.yn),
    "pow10": _pow10_impl,
}

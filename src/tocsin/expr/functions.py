"""Builtin functions of lambda expressions (Kapacitor tick/stateful/functions.go) and their registry.

Each builtin is a `Builtin` whose `make()` returns the implementation for one compiled expression, so
stateful functions (`count`, `sigma`, `spread`) keep their state per expression. Implementations take
the evaluated arguments and raise ValueError with Kapacitor's message; the evaluator wraps it as
`error calling "name": <message>`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tocsin.expr.gostrconv import (
    float_to_int64,
    format_float,
    format_influx_duration,
    parse_bool,
    parse_float,
    parse_influx_duration,
    parse_int,
)
from tocsin.expr.mathfuncs import MATH_FUNCTIONS
from tocsin.expr.strfuncs import STRING_FUNCTIONS
from tocsin.expr.values import Duration, Missing, Time, Value, go_type_name

Impl = Callable[[Sequence[Value]], Value]

ERR_NOT_FLOAT = "value is not a float"
ERR_DURATION_ARGS = (
    "duration expects one or two arguments duration(value, unit) where unit is optional depending on the type of value."
)
ERR_DURATION_UNIT = "duration expects unit argument for int and float values"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_HUMAN_SIZES = ("B", "kB", "MB", "GB", "TB", "PB", "EB")


@dataclass(frozen=True, slots=True)
class Builtin:
    """A function callable from expressions; `make` builds one instance per compiled expression."""

    name: str
    make: Callable[[], Impl]
    accepts_missing: bool = False


def _exactly_one(name: str, args: Sequence[Value]) -> Value:
    if len(args) != 1:
        raise ValueError(f"{name} expects exactly one argument")
    return args[0]


def _to_bool(args: Sequence[Value]) -> Value:
    value = _exactly_one("bool", args)
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return parse_bool(value)
    if isinstance(value, int | float):
        if value in (0, 1):
            return value == 1
        shown = format_float(value) if isinstance(value, float) else str(value)
        raise ValueError(f"cannot convert {shown} to boolean")
    raise ValueError(f"cannot convert {go_type_name(value)} to boolean")


def _to_int(args: Sequence[Value]) -> Value:
    value = _exactly_one("int", args)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return float_to_int64(value)
    if isinstance(value, str):
        return parse_int(value)
    if isinstance(value, Duration):
        return value.ns
    raise ValueError(f"cannot convert {go_type_name(value)} to integer")


def _to_float(args: Sequence[Value]) -> Value:
    value = _exactly_one("float", args)
    if isinstance(value, bool | int | float):
        return float(value)
    if isinstance(value, str):
        return parse_float(value)
    raise ValueError(f"cannot convert {go_type_name(value)} to float")


def _to_string(args: Sequence[Value]) -> Value:
    value = _exactly_one("string", args)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value, "f")
    if isinstance(value, Duration):
        return format_influx_duration(value.ns)
    if isinstance(value, str):
        return value
    raise ValueError(f"cannot convert {go_type_name(value)} to string")


def _to_duration(args: Sequence[Value]) -> Value:
    if len(args) not in (1, 2):
        raise ValueError(ERR_DURATION_ARGS)
    value = args[0]
    if isinstance(value, Duration):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"cannot convert {go_type_name(value)} to duration")
    if isinstance(value, str):
        try:
            return Duration(parse_influx_duration(value))
        except ValueError:
            raise ValueError(f'invalid duration string "{value}"') from None
    if len(args) != 2:
        raise ValueError(ERR_DURATION_UNIT)
    unit = args[1]
    if not isinstance(unit, Duration):
        raise ValueError(f"invalid duration unit type: {go_type_name(unit)}")
    if isinstance(value, int):
        return Duration(value * unit.ns)
    return Duration(float_to_int64(value * float(unit.ns)))


def _time_part(name: str, part: Callable[[datetime, Time], int]) -> Impl:
    def impl(args: Sequence[Value]) -> Value:
        value = _exactly_one(name, args)
        if not isinstance(value, Time):
            raise ValueError(f"cannot convert {go_type_name(value)} to time.Time")
        return part(_EPOCH + timedelta(microseconds=value.ns // 1000), value)

    return impl


def _now(args: Sequence[Value]) -> Value:
    if args:
        raise ValueError("now expects exactly zero argument")
    return Time(time.time_ns())


def _human_bytes(args: Sequence[Value]) -> Value:
    value = _exactly_one("humanBytes", args)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"cannot convert {go_type_name(value)} to humanBytes")
    size = (float_to_int64(value) if isinstance(value, float) else value) & ((1 << 64) - 1)
    if size < 10:
        return f"{size} B"
    exponent = 0
    while exponent + 1 < len(_HUMAN_SIZES) and 1000 ** (exponent + 1) <= size:
        exponent += 1
    shown = math.floor(size / 1000**exponent * 10 + 0.5) / 10
    return f"{shown:.1f} {_HUMAN_SIZES[exponent]}" if shown < 10 else f"{shown:.0f} {_HUMAN_SIZES[exponent]}"


def _if(args: Sequence[Value]) -> Value:
    if len(args) != 3:
        raise ValueError("if expects exactly three arguments")
    condition, when_true, when_false = args
    if not isinstance(condition, bool):
        raise ValueError(f"first argument to if must be a condition with type of bool - got {go_type_name(condition)}")
    if type(when_true) is not type(when_false):
        raise ValueError(
            f"Different return types are not supported - second argument is {go_type_name(when_true)} "
            f"and third argument is {go_type_name(when_false)}"
        )
    return when_true if condition else when_false


def _is_present(args: Sequence[Value]) -> Value:
    if len(args) != 1:
        raise ValueError("isMissing expects exactly one argument")
    return not isinstance(args[0], Missing)


def _count() -> Impl:
    n = 0

    def impl(args: Sequence[Value]) -> Value:
        nonlocal n
        n += 1
        return n

    return impl


def _float_arg(name: str, args: Sequence[Value]) -> float:
    value = _exactly_one(name, args)
    if not isinstance(value, float):
        raise ValueError(ERR_NOT_FLOAT)
    return value


def _sigma() -> Impl:
    n = mean = m2 = 0.0

    def impl(args: Sequence[Value]) -> Value:
        nonlocal n, mean, m2
        x = _float_arg("sigma", args)
        n += 1
        delta = x - mean
        mean += delta / n
        m2 += delta * (x - mean)
        if n < 2:
            return 0.0
        variance = m2 / (n - 1)
        return 0.0 if variance == 0 else abs(x - mean) / math.sqrt(variance)

    return impl


def _spread() -> Impl:
    low, high = math.inf, -math.inf

    def impl(args: Sequence[Value]) -> Value:
        nonlocal low, high
        x = _float_arg("spread", args)
        low, high = min(low, x), max(high, x)
        return high - low

    return impl


def _stateless(name: str, impl: Impl, accepts_missing: bool = False) -> Builtin:
    return Builtin(name, lambda: impl, accepts_missing)


_STATELESS: dict[str, Impl] = {
    "bool": _to_bool,
    "int": _to_int,
    "float": _to_float,
    "string": _to_string,
    "duration": _to_duration,
    "unixNano": _time_part("unixNano", lambda _, t: t.ns),
    "minute": _time_part("minute", lambda d, _: d.minute),
    "hour": _time_part("hour", lambda d, _: d.hour),
    "weekday": _time_part("weekday", lambda d, _: (d.weekday() + 1) % 7),
    "day": _time_part("day", lambda d, _: d.day),
    "month": _time_part("month", lambda d, _: d.month),
    "year": _time_part("year", lambda d, _: d.year),
    "now": _now,
    "humanBytes": _human_bytes,
    "if": _if,
    **MATH_FUNCTIONS,
    **STRING_FUNCTIONS,
}

BUILTINS: Mapping[str, Builtin] = {
    **{name: _stateless(name, impl) for name, impl in _STATELESS.items()},
    "isPresent": _stateless("isPresent", _is_present, accepts_missing=True),
    "count": Builtin("count", _count),
    "sigma": Builtin("sigma", _sigma),
    "spread": Builtin("spread", _spread),
}

"""Kapacitor's typing rules for unary and binary operators (tick/stateful evaluation tables).

Comparisons: int/float in any mix, string/string (byte order), duration/duration, and bool/bool for
`==`/`!=`. Arithmetic needs matching types: int, float, duration ± duration, duration × or ÷ int/float,
int/float × duration, duration ÷ duration (an int), string + string, and `%` on ints only. Ints wrap
like Go's int64; float division by zero gives ±Inf/NaN; int division by zero is an error.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

from tocsin.expr.errors import EvalError
from tocsin.expr.gostrconv import float_to_int64, wrap_int64
from tocsin.expr.regex import GoRegex
from tocsin.expr.tokens import LOGICAL_OPERATORS, MATH_OPERATORS, TokenKind
from tocsin.expr.values import Duration, Missing, Value, type_name

ERR_MISMATCHED = (
    "mismatched type to binary operator. got {left} {op} {right}. see bool(), int(), float(), string(), duration()"
)
ERR_INVALID_OPERATOR = "invalid {kind} operator {op} for type {type}"
ERR_MISSING_REFERENCE = 'reference value "{name}" is missing value'
ERR_MISSING_VALUE = "value is missing value"
ERR_DIVIDE_BY_ZERO = "runtime error: integer divide by zero"

BinaryFn = Callable[[Value, Value], Value]
_Impl = Callable[[Any, Any], Value]

_T = TokenKind
_Pattern = GoRegex


def _idiv(a: int, b: int) -> int:
    if b == 0:
        raise EvalError(ERR_DIVIDE_BY_ZERO)
    q = abs(a) // abs(b)
    return wrap_int64(q if (a >= 0) == (b >= 0) else -q)


def _imod(a: int, b: int) -> int:
    if b == 0:
        raise EvalError(ERR_DIVIDE_BY_ZERO)
    r = abs(a) % abs(b)
    return r if a >= 0 else -r


def _fdiv(a: float, b: float) -> float:
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


def _dur(ns: float) -> Duration:
    return Duration(float_to_int64(ns))


_COMPARE = {_T.EQ: operator.eq, _T.NE: operator.ne, _T.LT: operator.lt, _T.GT: operator.gt}
_COMPARE |= {_T.LE: operator.le, _T.GE: operator.ge}


_Compare = Callable[[Any, Any], bool]


def _int_left(cmp: _Compare) -> _Impl:
    return lambda a, b: cmp(float(a), b)


def _int_right(cmp: _Compare) -> _Impl:
    return lambda a, b: cmp(a, float(b))


def _durations(cmp: _Compare) -> _Impl:
    return lambda a, b: cmp(a.ns, b.ns)


def _build_tables() -> dict[TokenKind, dict[tuple[type, type], _Impl]]:
    tables: dict[TokenKind, dict[tuple[type, type], _Impl]] = {op: {} for op in _COMPARE}
    for op, cmp in _COMPARE.items():
        table = tables[op]
        table[(int, int)] = cmp
        table[(float, float)] = cmp
        table[(int, float)] = _int_left(cmp)
        table[(float, int)] = _int_right(cmp)
        table[(str, str)] = cmp
        table[(Duration, Duration)] = _durations(cmp)
        if op in (_T.EQ, _T.NE):
            table[(bool, bool)] = cmp
    tables[_T.REGEX_EQ] = {(str, _Pattern): lambda a, b: b.matches(a)}
    tables[_T.REGEX_NE] = {(str, _Pattern): lambda a, b: not b.matches(a)}
    tables[_T.PLUS] = {
        (int, int): lambda a, b: wrap_int64(a + b),
        (float, float): operator.add,
        (str, str): operator.add,
        (Duration, Duration): lambda a, b: Duration(wrap_int64(a.ns + b.ns)),
    }
    tables[_T.MINUS] = {
        (int, int): lambda a, b: wrap_int64(a - b),
        (float, float): operator.sub,
        (Duration, Duration): lambda a, b: Duration(wrap_int64(a.ns - b.ns)),
    }
    tables[_T.MULT] = {
        (int, int): lambda a, b: wrap_int64(a * b),
        (float, float): operator.mul,
        (Duration, int): lambda a, b: Duration(wrap_int64(a.ns * b)),
        (int, Duration): lambda a, b: Duration(wrap_int64(a * b.ns)),
        (Duration, float): lambda a, b: _dur(float(a.ns) * b),
        (float, Duration): lambda a, b: _dur(a * float(b.ns)),
    }
    tables[_T.DIV] = {
        (int, int): _idiv,
        (float, float): _fdiv,
        (Duration, int): lambda a, b: Duration(_idiv(a.ns, b)),
        (Duration, float): lambda a, b: _dur(_fdiv(float(a.ns), b)),
        (Duration, Duration): lambda a, b: _idiv(a.ns, b.ns),
    }
    tables[_T.MOD] = {(int, int): _imod}
    return tables


_TABLES = _build_tables()
_SUPPORTED: dict[type, set[TokenKind]] = {bool: {_T.AND, _T.OR}}
for _op, _table in _TABLES.items():
    for _left, _right in _table:
        _SUPPORTED.setdefault(_left, set()).add(_op)
        _SUPPORTED.setdefault(_right, set()).add(_op)
_SUPPORTED[bool] |= {_T.AND, _T.OR}


def operator_kind(op: TokenKind) -> str:
    """`math`, `logical` or `comparison`, as Kapacitor names operator families in errors."""
    if op in MATH_OPERATORS:
        return "math"
    return "logical" if op in LOGICAL_OPERATORS or op is TokenKind.NOT else "comparison"


def _missing_error(side: str, name: str | None) -> EvalError:
    if name is None:
        return EvalError(f"{side} {ERR_MISSING_VALUE}")
    return EvalError(f"{side} {ERR_MISSING_REFERENCE.format(name=name)}")


def binary_error(
    op: TokenKind, left: Value, right: Value | None, left_ref: str | None, right_ref: str | None
) -> EvalError:
    """The error Kapacitor reports when no rule covers `left op right` (`right` None: not evaluated)."""
    if isinstance(left, Missing):
        return _missing_error("left", left_ref)
    if isinstance(right, Missing):
        return _missing_error("right", right_ref)
    if op not in _SUPPORTED.get(type(left), set()):
        kind = operator_kind(op)
        return EvalError(ERR_INVALID_OPERATOR.format(kind=kind, op=op.label, type=type_name(left)))
    right_type = "missing" if right is None else type_name(right)
    return EvalError(ERR_MISMATCHED.format(left=type_name(left), op=op.label, right=right_type))


def binary_function(op: TokenKind, left_ref: str | None = None, right_ref: str | None = None) -> BinaryFn:
    """`f(left, right)` for a non-logical operator; `*_ref` name the operands when they are references."""
    table = _TABLES[op]

    def apply(left: Value, right: Value) -> Value:
        impl = table.get((type(left), type(right)))
        if impl is None:
            raise binary_error(op, left, right, left_ref, right_ref)
        return impl(left, right)

    return apply


def binary_impls(op: TokenKind, right_type: type) -> dict[type, Callable[[Any, Any], Value]]:
    """The implementations of a non-logical `op` with a right operand of `right_type`, by left operand type
    (what `binary_function` picks per call, for a right operand known at compile time)."""
    return {left: impl for (left, right), impl in _TABLES[op].items() if right is right_type}


def unary(op: TokenKind, value: Value, ref: str | None = None) -> Value:
    """`-value` or `!value`."""
    kind = type(value)
    if op is _T.NOT:
        if kind is bool:
            return not value
    elif kind is int:
        return wrap_int64(-value)  # type: ignore[operator, arg-type]
    elif kind is float:
        return -value  # type: ignore[operator]
    elif kind is Duration:
        return Duration(wrap_int64(-value.ns))  # type: ignore[union-attr]
    if kind is Missing:
        raise EvalError(ERR_MISSING_REFERENCE.format(name=ref)) if ref else EvalError(ERR_MISSING_VALUE)
    raise EvalError(ERR_INVALID_OPERATOR.format(kind=operator_kind(op), op=op.label, type=type_name(value)))

"""Go's number/bool text conversions (strconv) and InfluxQL durations, as TICKscript uses them."""

from __future__ import annotations

import math
import re

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1

_INT_RE = re.compile(r"[+-]?[0-9]+")
_FLOAT_RE = re.compile(r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf(?:inity)?|nan)", re.IGNORECASE)
_BOOLS = {"1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True}
_BOOLS |= {"0": False, "f": False, "F": False, "FALSE": False, "false": False, "False": False}

_NS = 1
_US = 1_000
_MS = 1_000_000
_S = 1_000_000_000
_M = 60 * _S
_H = 60 * _M
_D = 24 * _H
_W = 7 * _D
_INFLUX_UNITS = {"ns": _NS, "u": _US, "µ": _US, "ms": _MS, "s": _S, "m": _M, "h": _H, "d": _D, "w": _W}
_INFLUX_PART = re.compile(r"([0-9]+)(ns|ms|u|µ|s|m|h|d|w)")


def wrap_int64(value: int) -> int:
    """Two's-complement wrap, as Go int64 arithmetic overflows."""
    if INT64_MIN <= value <= INT64_MAX:
        return value
    return ((value - INT64_MIN) % (1 << 64)) + INT64_MIN


def float_to_int64(value: float) -> int:
    """Go `int64(f)`: truncate toward zero; NaN and out-of-range give the amd64 result (min int64)."""
    if math.isnan(value) or math.isinf(value) or not INT64_MIN <= value < 2.0**63:
        return INT64_MIN
    return int(value)


def parse_bool(text: str) -> bool:
    """strconv.ParseBool."""
    try:
        return _BOOLS[text]
    except KeyError:
        raise ValueError(f'strconv.ParseBool: parsing "{text}": invalid syntax') from None


def parse_int(text: str) -> int:
    """strconv.ParseInt(text, 10, 64)."""
    if not _INT_RE.fullmatch(text):
        raise ValueError(f'strconv.ParseInt: parsing "{text}": invalid syntax')
    digits = text.lstrip("+-").lstrip("0")
    value = int(text) if len(digits) <= 19 else INT64_MAX + 1
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValueError(f'strconv.ParseInt: parsing "{text}": value out of range')
    return value


def parse_float(text: str) -> float:
    """strconv.ParseFloat(text, 64) for decimal forms (hex floats are not accepted)."""
    if not _FLOAT_RE.fullmatch(text):
        raise ValueError(f'strconv.ParseFloat: parsing "{text}": invalid syntax')
    value = float(text)
    if math.isinf(value) and "inf" not in text.lower():
        raise ValueError(f'strconv.ParseFloat: parsing "{text}": value out of range')
    return value


def _digits(value: float) -> tuple[str, int]:
    """Shortest round-trip digits of |value| and the decimal exponent of its first digit."""
    shortest = repr(abs(value))
    if "e" in shortest:
        mantissa, _, exponent = shortest.partition("e")
        return mantissa.replace(".", "").rstrip("0") or "0", int(exponent)
    whole, _, frac = shortest.partition(".")
    if whole != "0":
        return (whole + frac).rstrip("0"), len(whole) - 1
    significant = frac.lstrip("0")
    if not significant:
        return "0", 0
    return significant.rstrip("0"), -(len(frac) - len(significant) + 1)


def format_float(value: float, fmt: str = "g") -> str:
    """strconv.FormatFloat(value, fmt, -1, 64) for fmt 'g' (what `%v` prints) or 'f'."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    digits, exp = _digits(value)
    if fmt == "g" and (exp < -4 or exp >= 21):
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if exp < 0:
        return f"{sign}0.{'0' * (-exp - 1)}{digits}"
    if len(digits) <= exp + 1:
        return f"{sign}{digits}{'0' * (exp + 1 - len(digits))}"
    return f"{sign}{digits[: exp + 1]}.{digits[exp + 1 :]}"


def parse_influx_duration(text: str) -> int:
    """influxql.ParseDuration: integer parts with units ns, u/µ, ms, s, m, h, d, w; optional leading `-`."""
    body = text[1:] if text.startswith("-") else text
    if len(text) < 2 or not body:
        raise ValueError("invalid duration")
    total = 0
    pos = 0
    while pos < len(body):
        match = _INFLUX_PART.match(body, pos)
        if match is None:
            raise ValueError("invalid duration")
        total += int(match.group(1)) * _INFLUX_UNITS[match.group(2)]
        pos = match.end()
    return -total if text.startswith("-") else total


def format_influx_duration(ns: int) -> str:
    """influxql.FormatDuration: the largest unit that divides the value exactly (`0s`, `90s`, `2w`, `5u`)."""
    if ns == 0:
        return "0s"
    for unit, name in ((_W, "w"), (_D, "d"), (_H, "h"), (_M, "m"), (_S, "s"), (_MS, "ms"), (_US, "u")):
        if ns % unit == 0:
            return f"{_go_div(ns, unit)}{name}"
    return f"{ns}ns"


def _go_div(a: int, b: int) -> int:
    """Go integer division (truncates toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q

"""float64 text as Go's strconv.FormatFloat writes it for the verbs e, f and g.

Shortest formatting (precision -1, used by %v and plain %g) takes the shortest round-trip digits, which
Python's repr also produces, and for 'g' switches to exponent form when the decimal exponent is < -4 or
>= 6 (so 123456 prints `123456` but 1e6 prints `1e+06`). Explicit precisions round exactly as C does,
which is what Go does too, so Python's own formatting is used for them.
"""

from __future__ import annotations

import math


def shortest_digits(value: float) -> tuple[str, int]:
    """Shortest decimal digits of |value| and the decimal point position: |value| = 0.DIGITS x 10**dp."""
    if value == 0:
        return "0", 1
    mantissa, _, exp = repr(abs(value)).partition("e")
    whole, _, frac = mantissa.partition(".")
    all_digits = whole + frac
    stripped = all_digits.lstrip("0")
    dp = len(whole) + int(exp or "0") - (len(all_digits) - len(stripped))
    return stripped.rstrip("0") or "0", dp


def _exp_form(digits: str, dp: int, decimals: int, e: str) -> str:
    mant = digits[0] + ("." + digits[1:].ljust(decimals, "0")[:decimals] if decimals > 0 else "")
    exp = dp - 1 if digits != "0" else 0
    sign = "-" if exp < 0 else "+"
    return f"{mant}{e}{sign}{abs(exp):02d}"


def _fixed_form(digits: str, dp: int, decimals: int) -> str:
    whole = digits[:dp].ljust(dp, "0") if dp > 0 else "0"
    frac = "0" * max(-dp, 0) + digits[max(dp, 0) :]
    return whole + ("." + frac.ljust(decimals, "0")[:decimals] if decimals > 0 else "")


def format_float(value: float, verb: str, prec: int) -> str:
    """`value` formatted like strconv.FormatFloat(value, verb, prec, 64); verb is one of eEfFgG."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    lower = verb.lower()
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    e = "E" if verb in "EG" else "e"
    if prec >= 0:
        if lower == "g":
            text = f"{abs(value):.{max(prec, 1)}{verb}}"
        else:
            text = f"{abs(value):.{prec}{'f' if lower == 'f' else verb}}"
        return sign + text
    digits, dp = shortest_digits(value)
    nd = len(digits)
    if lower == "e":
        return sign + _exp_form(digits, dp, nd - 1, e)
    if lower == "f":
        return sign + _fixed_form(digits, dp, max(nd - dp, 0))
    exp = dp - 1
    if digits != "0" and (exp < -4 or exp >= 6):
        return sign + _exp_form(digits, dp, nd - 1, e)
    return sign + _fixed_form(digits, dp, max(nd - dp, 0))

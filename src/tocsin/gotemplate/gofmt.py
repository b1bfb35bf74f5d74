"""Go's fmt package for template values: Sprint, Sprintln and the rendering of one value with one verb.

Covers the verbs v s d f F e E g G q t x X c o O b U T and %%, flags `+ - # 0 space`, width, precision,
`*` and explicit argument indexes `[n]`, and Go's error texts (`%!d(string=x)`, `%!d(MISSING)`,
`%!(EXTRA int=1)`, `%!(NOVERB)`). Not covered: %x of floats, %p, Go-syntax `%#v` beyond quoting strings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tocsin.gocompat.quoting import go_quote
from tocsin.gotemplate.gofloat import format_float
from tocsin.gotemplate.gotime import is_stringer
from tocsin.gotemplate.values import go_type_name, sorted_items, struct_fields

NIL = "<nil>"


class Flags:
    """The flags, width and precision of one directive."""

    __slots__ = ("minus", "plus", "plus_v", "prec", "sharp", "sharp_v", "space", "wid", "zero")

    def __init__(self) -> None:
        self.minus = self.plus = self.sharp = self.space = self.zero = False
        self.plus_v = self.sharp_v = False
        self.wid: int | None = None
        self.prec: int | None = None


_PLAIN = Flags()


def _pad(text: str, f: Flags, zero: bool = False) -> str:
    if f.wid is None or len(text) >= f.wid:
        return text
    fill = f.wid - len(text)
    if f.minus:
        return text + " " * fill
    return ("0" if zero and f.zero else " ") * fill + text


def _fmt_int(value: int, verb: str, f: Flags) -> str:
    if verb == "c":
        return _pad(_rune(value), f)
    if verb == "q":
        return _pad(go_quote(_rune(value), "'"), f)
    if verb == "U":
        text = f"U+{value:04X}" if value >= 0 else f"U+{value & 0xFFFFFFFFFFFFFFFF:X}"
        if f.sharp and 0 <= value <= 0x10FFFF and chr(value).isprintable():
            text += f" '{chr(value)}'"
        return _pad(text, f)
    base = {"b": 2, "o": 8, "O": 8, "x": 16, "X": 16}.get(verb, 10)
    negative = value < 0
    digits = _to_base(abs(value), base, verb == "X")
    if f.prec is not None:
        if f.prec == 0 and value == 0:
            return _pad("", f)
        digits = digits.rjust(f.prec, "0")
    elif f.zero and not f.minus and f.wid is not None:
        digits = digits.rjust(f.wid - (1 if negative or f.plus or f.space else 0), "0")
    prefix = ""
    if f.sharp:
        if base == 2:
            prefix = "0b"
        elif base == 8 and not digits.startswith("0"):
            prefix = "0"
        elif base == 16:
            prefix = "0X" if verb == "X" else "0x"
    if verb == "O":
        prefix = "0o"
    sign = "-" if negative else "+" if f.plus else " " if f.space else ""
    return _pad(sign + prefix + digits, f)


def _to_base(n: int, base: int, upper: bool) -> str:
    if base == 10:
        return str(n)
    text = {2: format(n, "b"), 8: format(n, "o"), 16: format(n, "x")}[base]
    return text.upper() if upper else text


def _rune(value: int) -> str:
    return chr(value) if 0 <= value <= 0x10FFFF and not 0xD800 <= value < 0xE000 else "\ufffd"


def _fmt_float(value: float, verb: str, f: Flags) -> str:
    if verb == "v":
        verb, prec = "g", -1
    else:
        prec = 6 if verb in "eEfF" else -1
    if f.prec is not None:
        prec = f.prec
    num = format_float(value, verb, prec)
    if num[0] not in "+-":
        num = "+" + num
    if f.space and num[0] == "+" and not f.plus:
        num = " " + num[1:]
    if num[1] in "IN":
        if num[1] == "N" and not f.space and not f.plus:
            num = num[1:]
        return _pad(num, f)
    if f.plus or num[0] != "+":
        if f.zero and not f.minus and f.wid is not None and f.wid > len(num):
            return num[0] + "0" * (f.wid - len(num)) + num[1:]
        return _pad(num, f)
    return _pad(num[1:], f, zero=True)


def _fmt_str(text: str, verb: str, f: Flags) -> str:
    if verb in "vs":
        if f.sharp_v:
            return _pad(go_quote(text), f)
        return _pad(text if f.prec is None else text[: f.prec], f)
    if verb == "q":
        if f.prec is not None:
            text = text[: f.prec]
        if f.sharp and "`" not in text and all(c.isprintable() or c == "\t" for c in text):
            return _pad(f"`{text}`", f)
        return _pad(go_quote(text, '"', ascii_only=f.plus), f)
    data = text.encode("utf-8")
    if f.prec is not None:
        data = data[: f.prec]
    sep = " " if f.space else ""
    prefix = ("0X" if verb == "X" else "0x") if f.sharp else ""
    hexes = [prefix + (format(b, "02X") if verb == "X" else format(b, "02x")) for b in data]
    if not f.space and hexes:
        hexes = [prefix + "".join(h[len(prefix) :] for h in hexes)]
    return _pad(sep.join(hexes), f)


def _bad_verb(value: Any, verb: str, f: Flags, depth: int) -> str:
    if value is None:
        return f"%!{verb}({NIL})"
    return f"%!{verb}({go_type_name(value)}={format_value(value, 'v', f, depth)})"


def format_value(value: Any, verb: str = "v", f: Flags = _PLAIN, depth: int = 0) -> str:
    """One operand formatted with one verb, as fmt's printArg / printValue do."""
    if verb == "T":
        return _pad(go_type_name(value), f)
    if value is None:
        return _pad(NIL, f) if verb == "v" else _bad_verb(value, verb, f, depth)
    if not f.sharp_v and verb in "vsxXq" and is_stringer(value):
        return _fmt_str(value.String(), verb, f)
    if isinstance(value, bool):
        return _pad("true" if value else "false", f) if verb in "tv" else _bad_verb(value, verb, f, depth)
    if isinstance(value, int):
        if verb in "bcdoOqxXUv":
            return _fmt_int(value, "d" if verb == "v" else verb, f)
        return _bad_verb(value, verb, f, depth)
    if isinstance(value, float):
        if verb in "veEfFgG":
            return _fmt_float(value, verb, f)
        return _bad_verb(value, verb, f, depth)
    if isinstance(value, str):
        return _fmt_str(value, verb, f) if verb in "vsqxX" else _bad_verb(value, verb, f, depth)
    if isinstance(value, Mapping):
        items = (
            f"{format_value(k, verb, f, depth + 1)}:{format_value(v, verb, f, depth + 1)}"
            for k, v in sorted_items(value)
        )
        return "map[" + " ".join(items) + "]"
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(format_value(v, verb, f, depth + 1) for v in value) + "]"
    fields = struct_fields(value)
    if fields is not None:
        named = f.plus_v or f.sharp_v
        parts = ((f"{k}:" if named else "") + format_value(v, verb, f, depth + 1) for k, v in fields.items())
        return "{" + " ".join(parts) + "}"
    if verb == "v":
        return _pad(f"0x{id(value):x}", f)
    return _bad_verb(value, verb, f, depth)


def sprint(args: Sequence[Any]) -> str:
    """fmt.Sprint: operands in %v, a space between two operands when neither is a string."""
    out: list[str] = []
    prev_string = False
    for i, arg in enumerate(args):
        is_string = isinstance(arg, str)
        if i > 0 and not is_string and not prev_string:
            out.append(" ")
        out.append(arg if type(arg) is str else format_value(arg))
        prev_string = is_string
    return "".join(out)


def sprintln(args: Sequence[Any]) -> str:
    """fmt.Sprintln: operands in %v separated by spaces, then a newline."""
    return " ".join(arg if type(arg) is str else format_value(arg) for arg in args) + "\n"

"""fmt.Sprintf: parsing of format directives (flags, width, precision, `*`, `[n]`) and Go's error texts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tocsin.gotemplate.gofmt import NIL, Flags, format_value
from tocsin.gotemplate.values import go_type_name

_MAX_NUM = 1_000_000


def _parse_num(fmt: str, i: int) -> tuple[int | None, int]:
    start = i
    while i < len(fmt) and fmt[i].isdigit() and fmt[i] < "\x80":
        i += 1
    if i == start:
        return None, i
    n = int(fmt[start:i])
    return (n if n < _MAX_NUM else -1), i


class _Printf:
    def __init__(self, fmt: str, args: Sequence[Any]) -> None:
        self.fmt = fmt
        self.args = args
        self.arg_num = 0
        self.reordered = False
        self.good_arg_num = True
        self.out: list[str] = []

    def arg_index(self, i: int) -> tuple[int, bool]:
        """Parse an optional `[n]`; returns the new position and whether a well-formed one was present."""
        fmt = self.fmt
        if i >= len(fmt) or fmt[i] != "[":
            return i, False
        self.reordered = True
        close = fmt.find("]", i + 1)
        if len(fmt) - i < 3 or close < 0:
            self.good_arg_num = False
            return i + 1, False
        text = fmt[i + 1 : close]
        if not text.isdigit() or not text.isascii():
            self.good_arg_num = False
            return close + 1, False
        if not 1 <= int(text) <= len(self.args):
            self.good_arg_num = False
        else:
            self.arg_num = int(text) - 1
        return close + 1, True

    def star(self, i: int, bad: str) -> tuple[int | None, bool, int]:
        """Width or precision taken from an argument: value, ok, new position."""
        i += 1
        if self.arg_num >= len(self.args):
            self.out.append(bad)
            return None, False, i
        arg = self.args[self.arg_num]
        self.arg_num += 1
        if type(arg) is not int or abs(arg) >= _MAX_NUM:
            self.out.append(bad)
            return None, False, i
        return arg, True, i

    def run(self) -> str:
        fmt, out = self.fmt, self.out
        i, end = 0, len(fmt)
        while i < end:
            pct = fmt.find("%", i)
            if pct < 0:
                out.append(fmt[i:])
                break
            out.append(fmt[i:pct])
            i = self.directive(pct + 1)
        if not self.reordered and self.arg_num < len(self.args):
            extra = ", ".join(
                NIL if a is None else f"{go_type_name(a)}={format_value(a)}" for a in self.args[self.arg_num :]
            )
            out.append(f"%!(EXTRA {extra})")
        return "".join(out)

    def directive(self, i: int) -> int:
        fmt, end, f = self.fmt, len(self.fmt), Flags()
        self.good_arg_num = True
        while i < end and fmt[i] in "#0+- ":
            c = fmt[i]
            if c == "#":
                f.sharp = True
            elif c == "0":
                f.zero = not f.minus
            elif c == "+":
                f.plus = True
            elif c == "-":
                f.minus, f.zero = True, False
            else:
                f.space = True
            i += 1
        i, after_index = self.arg_index(i)
        if i < end and fmt[i] == "*":
            f.wid, ok, i = self.star(i, "%!(BADWIDTH)")
            if ok and f.wid is not None and f.wid < 0:
                f.wid, f.minus, f.zero = -f.wid, True, False
            after_index = False
        else:
            f.wid, i = _parse_num(fmt, i)
            if f.wid == -1:
                f.wid = None
                self.out.append("%!(BADWIDTH)")
            if after_index and f.wid is not None:
                self.good_arg_num = False
        if i < end and fmt[i] == ".":
            i += 1
            if after_index:
                self.good_arg_num = False
            i, after_index = self.arg_index(i)
            if i < end and fmt[i] == "*":
                f.prec, ok, i = self.star(i, "%!(BADPREC)")
                if ok and f.prec is not None and f.prec < 0:
                    f.prec = None
                    self.out.append("%!(BADPREC)")
                after_index = False
            else:
                f.prec, i = _parse_num(fmt, i)
                if f.prec is None:
                    f.prec = 0
        if not after_index:
            i, after_index = self.arg_index(i)
        if i >= end:
            self.out.append("%!(NOVERB)")
            return i
        verb = fmt[i]
        i += 1
        if verb == "%":
            self.out.append("%")
        elif not self.good_arg_num:
            self.out.append(f"%!{verb}(BADINDEX)")
        elif self.arg_num >= len(self.args):
            self.out.append(f"%!{verb}(MISSING)")
        else:
            if verb == "v":
                f.sharp_v, f.sharp = f.sharp, False
                f.plus_v, f.plus = f.plus, False
            self.out.append(format_value(self.args[self.arg_num], verb, f))
            self.arg_num += 1
        return i


def sprintf(fmt: str, args: Sequence[Any]) -> str:
    """fmt.Sprintf."""
    if not args and "%" not in fmt:
        return fmt
    return _Printf(fmt, args).run()

"""String builtins (Go `strings` semantics: indexes and lengths count UTF-8 bytes) and regexReplace."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import re2

from tocsin.expr.regex import GoRegex
from tocsin.expr.values import Value, go_type_name

Impl = Callable[[Sequence[Value]], Value]

_ORDINALS = ("first", "second", "third", "fourth")
_COUNTS = {1: "one argument", 2: "two arguments", 3: "three arguments", 4: "four arguments"}
# Go's unicode.IsSpace, for strTrimSpace.
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
_GO_SPACE += "\u2028\u2029\u202f\u205f\u3000"
_TEMPLATE_REF = re.compile(r"\$(?:\{([A-Za-z0-9_]*)\}|([A-Za-z0-9_]+)|(\$))")


def check_args(name: str, args: Sequence[Value], kinds: Sequence[type], type_words: Sequence[str]) -> None:
    """Kapacitor's argument-count and per-position type checks for a builtin."""
    if len(args) == len(kinds) and all(type(arg) is kind for arg, kind in zip(args, kinds, strict=True)):
        return
    if len(args) != len(kinds):
        raise ValueError(f"{name} expects exactly {_COUNTS[len(kinds)]}")
    for index, (arg, kind) in enumerate(zip(args, kinds, strict=True)):
        if type(arg) is not kind:
            raise ValueError(
                f"cannot pass {go_type_name(arg)} as {_ORDINALS[index]} arg to {name}, must be {type_words[index]}"
            )


def _byte_index(s: str, char_index: int) -> int:
    return -1 if char_index < 0 else len(s[:char_index].encode())


def _index_any(s: str, chars: str, last: bool) -> int:
    positions = [i for i, c in enumerate(s) if c in chars]
    if not positions:
        return -1
    return _byte_index(s, positions[-1] if last else positions[0])


def _simple_case(s: str, upper: bool) -> str:
    # Go maps rune by rune; Python's full case mapping may change the length ("ß".upper() == "SS").
    out = []
    for c in s:
        mapped = c.upper() if upper else c.lower()
        out.append(mapped if len(mapped) == 1 else c)
    return "".join(out)


def _trim_space(s: str) -> str:
    return s.strip(_GO_SPACE)


_STRING2_BOOL: dict[str, Callable[[str, str], object]] = {
    "strContains": lambda s, sub: sub in s,
    "strContainsAny": lambda s, chars: any(c in s for c in chars),
    "strHasPrefix": lambda s, p: s.startswith(p),
    "strHasSuffix": lambda s, p: s.endswith(p),
}
_STRING2_INT: dict[str, Callable[[str, str], int]] = {
    "strCount": lambda s, sub: s.count(sub),
    "strIndex": lambda s, sub: _byte_index(s, s.find(sub)),
    "strIndexAny": lambda s, chars: _index_any(s, chars, last=False),
    "strLastIndex": lambda s, sub: _byte_index(s, s.rfind(sub)),
    "strLastIndexAny": lambda s, chars: _index_any(s, chars, last=True),
}
_STRING2_STRING: dict[str, Callable[[str, str], str]] = {
    "strTrim": lambda s, cut: s.strip(cut),
    "strTrimLeft": lambda s, cut: s.lstrip(cut),
    "strTrimPrefix": lambda s, p: s.removeprefix(p),
    "strTrimRight": lambda s, cut: s.rstrip(cut),
    "strTrimSuffix": lambda s, p: s.removesuffix(p),
}
_STRING1_STRING: dict[str, Callable[[str], str]] = {
    "strToLower": lambda s: _simple_case(s, upper=False),
    "strToUpper": lambda s: _simple_case(s, upper=True),
    "strTrimSpace": _trim_space,
}


def _string2(name: str, f: Callable[[str, str], object]) -> Impl:
    def impl(args: Sequence[Value]) -> Value:
        check_args(name, args, (str, str), ("string", "string"))
        return f(args[0], args[1])  # type: ignore[arg-type, return-value]

    return impl


def _string1(name: str, f: Callable[[str], str]) -> Impl:
    def impl(args: Sequence[Value]) -> Value:
        check_args(name, args, (str,), ("string",))
        return f(args[0])  # type: ignore[arg-type]

    return impl


def _str_length(args: Sequence[Value]) -> Value:
    check_args("strLength", args, (str,), ("string",))
    return len(args[0].encode())  # type: ignore[union-attr]


def _str_replace(args: Sequence[Value]) -> Value:
    check_args("strReplace", args, (str, str, str, int), ("string", "string", "string", "int"))
    s, old, new, count = args
    return s.replace(old, new, count if count >= 0 else -1)  # type: ignore[union-attr, arg-type, operator]


def _str_substring(args: Sequence[Value]) -> Value:
    check_args("strSubstring", args, (str, int, int), ("string", "int", "int"))
    s, start, stop = args
    assert isinstance(s, str) and isinstance(start, int) and isinstance(stop, int)
    raw = s.encode()
    for index in (start, stop):
        if index < 0:
            raise ValueError(f"found negative index for strSubstring: {index}")
    if stop >= len(raw):
        raise ValueError(f"stop index too large for string in strSubstring: {stop}")
    if start > stop:
        raise ValueError(f"slice bounds out of range [{start}:{stop}]")
    return raw[start:stop].decode(errors="replace")


def expand_template(template: str, match: re2._Match) -> str:
    """Go's Regexp.Expand: `$1`, `${1}`, `$name`, `${name}`, `$$`; unknown groups expand to ""."""

    def group(ref: re.Match[str]) -> str:
        if ref.group(3):
            return "$"
        name = ref.group(1) if ref.group(1) is not None else ref.group(2)
        try:
            value = match.group(int(name)) if name.isdecimal() else match.group(name)
        except IndexError:
            return ""
        return value or ""

    return _TEMPLATE_REF.sub(group, template)


def regex_replace_all(pattern: GoRegex, source: str, template: str) -> str:
    """Go's ReplaceAllString: empty matches right after a previous match are skipped."""
    out: list[str] = []
    last = 0
    previous_end = -1
    for match in pattern.finditer(source):
        start, end = match.span()
        if start == end == previous_end:
            continue
        out.append(source[last:start])
        out.append(expand_template(template, match))
        last = end
        previous_end = end
    out.append(source[last:])
    return "".join(out)


def _regex_replace(args: Sequence[Value]) -> Value:
    check_args("regexReplace", args, (GoRegex, str, str), ("regex", "string", "string"))
    pattern, source, template = args
    return regex_replace_all(pattern, source, template)  # type: ignore[arg-type]


STRING_FUNCTIONS: dict[str, Impl] = {name: _string2(name, f) for name, f in _STRING2_BOOL.items()}
STRING_FUNCTIONS |= {name: _string2(name, f) for name, f in _STRING2_INT.items()}
STRING_FUNCTIONS |= {name: _string2(name, f) for name, f in _STRING2_STRING.items()}
STRING_FUNCTIONS |= {name: _string1(name, f) for name, f in _STRING1_STRING.items()}
STRING_FUNCTIONS |= {
    "strLength": _str_length,
    "strReplace": _str_replace,
    "strSubstring": _str_substring,
    "regexReplace": _regex_replace,
}

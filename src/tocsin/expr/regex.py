"""Compile Go (RE2) regular expressions with Python's `re`, translating the syntax that differs.

Translated: `\\z` (end of text), `\\Q...\\E` (quoted text), `(?<name>` groups, POSIX classes such as
`[[:alpha:]]`. Rejected like RE2 rejects them: look-around, atomic groups, back-references, `\\Z`.
Not supported: `\\p{...}` Unicode classes and the `U` (ungreedy) flag, which `re` does not know.
"""

from __future__ import annotations

import re

ERR_PREFIX = "error parsing regexp: "

_POSIX = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7f",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}
_UNSUPPORTED_GROUPS = ("(?=", "(?!", "(?<=", "(?<!", "(?>")


def _translate(source: str) -> str:
    out: list[str] = []
    i, n = 0, len(source)
    in_class = False
    while i < n:
        char = source[i]
        if char == "\\" and i + 1 < n:
            nxt = source[i + 1]
            if nxt == "Q":
                end = source.find("\\E", i + 2)
                literal = source[i + 2 :] if end < 0 else source[i + 2 : end]
                out.append(re.escape(literal))
                i = n if end < 0 else end + 2
                continue
            octal = re.match(r"[1-7][0-7]{1,2}", source[i + 1 : i + 4])
            if octal:
                out.append(f"\\u{int(octal.group(), 8):04x}")
                i += 1 + octal.end()
                continue
            if (nxt.isdecimal() and nxt != "0") or nxt == "Z":
                raise ValueError(f"{ERR_PREFIX}invalid escape sequence: `\\{nxt}`")
            if nxt in "pP":
                raise ValueError(f"{ERR_PREFIX}invalid character class range: `\\{nxt}`")
            out.append("\\Z" if nxt == "z" and not in_class else char + nxt)
            i += 2
            continue
        if in_class:
            if source.startswith("[:", i):
                end = source.find(":]", i + 2)
                name = source[i + 2 : end] if end > 0 else ""
                negated = name.startswith("^")
                ranges = _POSIX.get(name.lstrip("^"))
                if ranges is not None and not negated:
                    out.append(ranges)
                    i = end + 2
                    continue
                if ranges is not None:
                    raise ValueError(f"{ERR_PREFIX}negated POSIX class is not supported: `[:{name}:]`")
            if char == "]" and not (out and out[-1] in ("[", "[^")):
                in_class = False
            out.append(char)
            i += 1
            continue
        if char == "[":
            in_class = True
            if source.startswith("[^", i):
                out.append("[^")
                i += 2
                continue
        elif char == "(":
            for group in _UNSUPPORTED_GROUPS:
                if source.startswith(group, i):
                    raise ValueError(f"{ERR_PREFIX}invalid or unsupported Perl syntax: `{group}`")
            if source.startswith("(?<", i):
                out.append("(?P<")
                i += 3
                continue
        out.append(char)
        i += 1
    return "".join(out)


def compile_go_regex(source: str) -> re.Pattern[str]:
    """Compile a Go regular expression; raises ValueError (`error parsing regexp: ...`) when invalid."""
    try:
        return re.compile(_translate(source))
    except re.error as exc:
        raise ValueError(f"{ERR_PREFIX}{exc.msg}: `{source}`") from None
    except (RecursionError, OverflowError) as exc:
        raise ValueError(f"{ERR_PREFIX}{exc}: `{source}`") from None

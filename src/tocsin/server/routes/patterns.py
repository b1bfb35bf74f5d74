"""Glob patterns as Go's path.Match reads them (a malformed pattern is an error, not a non-match)."""

from __future__ import annotations

from tocsin.engine.errors import InvalidError

SYNTAX = "syntax error in pattern"


def check_pattern(pattern: str, prefix: str) -> None:
    """Raise InvalidError `<prefix>syntax error in pattern` for an unclosed class or a trailing backslash."""
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            if i + 1 >= len(pattern):
                raise InvalidError(prefix + SYNTAX)
            i += 2
            continue
        if c == "[":
            close = pattern.find("]", i + 2 if pattern[i + 1 : i + 2] in ("^", "]") else i + 1)
            if close < 0 or close == i + 1:
                raise InvalidError(prefix + SYNTAX)
            i = close + 1
            continue
        i += 1

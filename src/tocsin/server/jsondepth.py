"""Reject JSON nested deeper than MAX_DEPTH before the parser recurses into it."""

from __future__ import annotations

import re
from itertools import accumulate

from tocsin.engine.errors import InvalidError

MAX_DEPTH = 64
TOO_DEEP = "JSON nested deeper than {limit} levels at line {line}, column {column}"

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def check_depth(text: str, prefix: str, limit: int = MAX_DEPTH) -> None:
    """InvalidError `<prefix>JSON nested deeper than 64 levels at line L, column C` for too deep a document."""
    if text.count("[") + text.count("{") <= limit:
        return
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if max(accumulate(map(_STEP.__getitem__, brackets)), default=0) <= limit:
        return
    depth = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token[0] == '"':
            continue
        depth += _STEP[token]
        if depth > limit:
            start = match.start()
            line = text.count("\n", 0, start) + 1
            column = start - text.rfind("\n", 0, start)
            raise InvalidError(prefix + TOO_DEEP.format(limit=limit, line=line, column=column))

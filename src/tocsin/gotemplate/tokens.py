"""Token kinds and tokens of Go's text/template lexer."""

from __future__ import annotations

from enum import Enum, auto
from typing import NamedTuple

from tocsin.gocompat.quoting import go_quote


class Kind(Enum):
    """What a token is."""

    ERROR = auto()
    EOF = auto()
    TEXT = auto()
    LEFT_DELIM = auto()
    RIGHT_DELIM = auto()
    SPACE = auto()
    CHAR = auto()
    CHAR_CONSTANT = auto()
    NUMBER = auto()
    STRING = auto()
    RAW_STRING = auto()
    BOOL = auto()
    FIELD = auto()
    VARIABLE = auto()
    IDENTIFIER = auto()
    ASSIGN = auto()
    DECLARE = auto()
    PIPE = auto()
    LEFT_PAREN = auto()
    RIGHT_PAREN = auto()
    # keywords
    DOT = auto()
    BLOCK = auto()
    BREAK = auto()
    CONTINUE = auto()
    DEFINE = auto()
    ELSE = auto()
    END = auto()
    IF = auto()
    NIL = auto()
    RANGE = auto()
    TEMPLATE = auto()
    WITH = auto()


KEYWORDS = {
    ".": Kind.DOT,
    "block": Kind.BLOCK,
    "break": Kind.BREAK,
    "continue": Kind.CONTINUE,
    "define": Kind.DEFINE,
    "else": Kind.ELSE,
    "end": Kind.END,
    "if": Kind.IF,
    "nil": Kind.NIL,
    "range": Kind.RANGE,
    "template": Kind.TEMPLATE,
    "with": Kind.WITH,
}
_KEYWORD_KINDS = frozenset(KEYWORDS.values())


class Token(NamedTuple):
    """One lexical item: kind, source text (or error message), character offset and line."""

    kind: Kind
    val: str
    pos: int
    line: int

    def describe(self) -> str:
        """The token as Go's parser names it in `unexpected ...` errors."""
        if self.kind is Kind.EOF:
            return "EOF"
        if self.kind is Kind.ERROR:
            return self.val
        if self.kind in _KEYWORD_KINDS:
            return f"<{self.val}>"
        if len(self.val) > 10:
            return go_quote(self.val[:10]) + "..."
        return go_quote(self.val)

"""TICKscript token kinds and the positioned token record the lexer emits."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, auto


class TokenKind(Enum):
    """Every kind of token in a TICKscript; `label` is the name Kapacitor prints in parse errors."""

    ERROR = auto()
    EOF = auto()
    VAR = auto()
    DBRP = auto()
    LAMBDA = auto()
    ASSIGN = auto()
    DOT = auto()
    PIPE = auto()
    AT = auto()
    IDENT = auto()
    REFERENCE = auto()
    NUMBER = auto()
    STRING = auto()
    DURATION = auto()
    REGEX = auto()
    TRUE = auto()
    FALSE = auto()
    LPAREN = auto()
    RPAREN = auto()
    LBRACKET = auto()
    RBRACKET = auto()
    COMMA = auto()
    STAR = auto()
    COMMENT = auto()
    NOT = auto()
    PLUS = auto()
    MINUS = auto()
    MULT = auto()
    DIV = auto()
    MOD = auto()
    AND = auto()
    OR = auto()
    EQ = auto()
    NE = auto()
    LT = auto()
    GT = auto()
    LE = auto()
    GE = auto()
    REGEX_EQ = auto()
    REGEX_NE = auto()

    @property
    def label(self) -> str:
        """Kapacitor's `TokenType.String()` for this kind."""
        return _LABELS[self]


_LABELS = {
    TokenKind.ERROR: "ERR",
    TokenKind.EOF: "EOF",
    TokenKind.VAR: "var",
    TokenKind.DBRP: "dbrp",
    TokenKind.LAMBDA: "lambda",
    TokenKind.ASSIGN: "=",
    TokenKind.DOT: ".",
    TokenKind.PIPE: "|",
    TokenKind.AT: "@",
    TokenKind.IDENT: "identifier",
    TokenKind.REFERENCE: "reference",
    TokenKind.NUMBER: "number",
    TokenKind.STRING: "string",
    TokenKind.DURATION: "duration",
    TokenKind.REGEX: "regex",
    TokenKind.TRUE: "TRUE",
    TokenKind.FALSE: "FALSE",
    TokenKind.LPAREN: "(",
    TokenKind.RPAREN: ")",
    TokenKind.LBRACKET: "[",
    TokenKind.RBRACKET: "]",
    TokenKind.COMMA: ",",
    TokenKind.STAR: "*",
    TokenKind.COMMENT: "//",
    TokenKind.NOT: "!",
    TokenKind.PLUS: "+",
    TokenKind.MINUS: "-",
    TokenKind.MULT: "*",
    TokenKind.DIV: "/",
    TokenKind.MOD: "%",
    TokenKind.AND: "AND",
    TokenKind.OR: "OR",
    TokenKind.EQ: "==",
    TokenKind.NE: "!=",
    TokenKind.LT: "<",
    TokenKind.GT: ">",
    TokenKind.LE: "<=",
    TokenKind.GE: ">=",
    TokenKind.REGEX_EQ: "=~",
    TokenKind.REGEX_NE: "!~",
}

MATH_OPERATORS = frozenset({TokenKind.PLUS, TokenKind.MINUS, TokenKind.MULT, TokenKind.DIV, TokenKind.MOD})
LOGICAL_OPERATORS = frozenset({TokenKind.AND, TokenKind.OR})
COMPARISON_OPERATORS = frozenset(
    {
        TokenKind.EQ,
        TokenKind.NE,
        TokenKind.LT,
        TokenKind.GT,
        TokenKind.LE,
        TokenKind.GE,
        TokenKind.REGEX_EQ,
        TokenKind.REGEX_NE,
    }
)
BINARY_OPERATORS = MATH_OPERATORS | LOGICAL_OPERATORS | COMPARISON_OPERATORS

KEYWORDS = {
    "var": TokenKind.VAR,
    "dbrp": TokenKind.DBRP,
    "AND": TokenKind.AND,
    "OR": TokenKind.OR,
    "TRUE": TokenKind.TRUE,
    "FALSE": TokenKind.FALSE,
}


@dataclass(frozen=True, slots=True)
class Position:
    """Where a token or node starts: character offset (0-based), line and column (1-based)."""

    offset: int
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Token:
    """One lexed token. `text` is the exact source text, or the error message for an ERROR token."""

    kind: TokenKind
    text: str
    pos: Position

    @property
    def line(self) -> int:
        """1-based line of the token's first character."""
        return self.pos.line

    @property
    def column(self) -> int:
        """1-based column (in characters) of the token's first character."""
        return self.pos.column

    def describe(self) -> str:
        """How Kapacitor names this token in `unexpected ...` errors."""
        return self.text if self.kind is TokenKind.ERROR else self.kind.label

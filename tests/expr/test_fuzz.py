"""See if arbitrary text can make the lexer, parser or match compiler raise anything but their own errors."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.alert.levels import Level
from tocsin.expr.evaluate import EvalError
from tocsin.expr.lexer import tokenize
from tocsin.expr.match import MatchContext, MatchError, compile_match
from tocsin.expr.tokens import TokenKind

_FRAGMENTS = [
    "changed()",
    "level()",
    "name()",
    "taskName()",
    "alertDuration()",
    "OK",
    "INFO",
    "WARNING",
    "CRITICAL",
    '"host"',
    "'serverA'",
    "'''x'''",
    "TRUE",
    "FALSE",
    "AND",
    "OR",
    "==",
    "!=",
    "=~",
    "!~",
    "<",
    "<=",
    ">",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "!",
    "(",
    ")",
    "[",
    "]",
    ",",
    ".",
    "|",
    "@",
    "5m",
    "1.5s",
    "10µs",
    "0644",
    "09",
    "1.5",
    ".5",
    "/^a.*/",
    "/(/",
    "lambda:",
    "var",
    "dbrp",
    "x",
    "strLength(",
    "if(",
    "duration(",
    "humanBytes(",
    "//c\n",
    "\n",
    " ",
    "\\",
    "'",
    '"',
    "9223372036854775808",
    "1e3",
    "count()",
    "sigma(",
]
_CONTEXT = MatchContext(Level.CRITICAL, Level.OK, "cpu", "task", 60_000_000_000, {"host": "serverA"})

token_soup = st.lists(st.sampled_from(_FRAGMENTS), max_size=20).map(" ".join)


def _check(text: str) -> None:
    tokens = tokenize(text)
    assert tokens[-1].kind in (TokenKind.EOF, TokenKind.ERROR)
    try:
        expression = compile_match(text)
    except MatchError as exc:
        assert exc.line >= 1 and exc.column >= 1
        return
    with contextlib.suppress(EvalError):
        assert expression.matches(_CONTEXT) in (True, False)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text_raises_only_match_error(text: str) -> None:
    _check(text)


@settings(max_examples=1500, deadline=None)
@given(token_soup)
def test_token_soup_raises_only_match_error(text: str) -> None:
    _check(text)

"""Tokens, positions and lines as Go's text/template lexer produces them."""

from __future__ import annotations

from tocsin.gotemplate.lexer import lex
from tocsin.gotemplate.tokens import Kind


def kinds_and_values(text: str) -> list[tuple[str, str]]:
    return [(t.kind.name, t.val) for t in lex(text)]


def test_action_tokens() -> None:
    assert kinds_and_values('a{{- .A.B | printf "%d" $x 1.5 -}} b') == [
        ("TEXT", "a"),
        ("LEFT_DELIM", "{{"),
        ("FIELD", ".A"),
        ("FIELD", ".B"),
        ("SPACE", " "),
        ("PIPE", "|"),
        ("SPACE", " "),
        ("IDENTIFIER", "printf"),
        ("SPACE", " "),
        ("STRING", '"%d"'),
        ("SPACE", " "),
        ("VARIABLE", "$x"),
        ("SPACE", " "),
        ("NUMBER", "1.5"),
        ("RIGHT_DELIM", "}}"),
        ("TEXT", "b"),
        ("EOF", ""),
    ]


def test_keywords_and_declarations() -> None:
    assert kinds_and_values("{{range $i, $v := .}}{{else}}{{end}}") == [
        ("LEFT_DELIM", "{{"),
        ("RANGE", "range"),
        ("SPACE", " "),
        ("VARIABLE", "$i"),
        ("CHAR", ","),
        ("SPACE", " "),
        ("VARIABLE", "$v"),
        ("SPACE", " "),
        ("DECLARE", ":="),
        ("SPACE", " "),
        ("DOT", "."),
        ("RIGHT_DELIM", "}}"),
        ("LEFT_DELIM", "{{"),
        ("ELSE", "else"),
        ("RIGHT_DELIM", "}}"),
        ("LEFT_DELIM", "{{"),
        ("END", "end"),
        ("RIGHT_DELIM", "}}"),
        ("EOF", ""),
    ]


def test_positions_and_lines() -> None:
    tokens = lex("ab\n{{ .X }}\n")
    assert [(t.kind, t.pos, t.line) for t in tokens] == [
        (Kind.TEXT, 0, 1),
        (Kind.LEFT_DELIM, 3, 2),
        (Kind.SPACE, 5, 2),
        (Kind.FIELD, 6, 2),
        (Kind.SPACE, 8, 2),
        (Kind.RIGHT_DELIM, 9, 2),
        (Kind.TEXT, 11, 2),
        (Kind.EOF, 12, 3),
    ]


def test_comment_and_trim_swallow_whitespace() -> None:
    assert kinds_and_values("x \n\t{{- /* c */ -}} \n y") == [("TEXT", "x"), ("TEXT", "y"), ("EOF", "")]


def test_minus_without_space_is_a_number() -> None:
    assert kinds_and_values("{{-3}}")[1] == ("NUMBER", "-3")


def test_error_stops_the_stream() -> None:
    assert kinds_and_values("{{ @ € }} more") == [
        ("LEFT_DELIM", "{{"),
        ("SPACE", " "),
        ("CHAR", "@"),
        ("SPACE", " "),
        ("ERROR", "unrecognized character in action: U+20AC '€'"),
    ]


def test_break_lexes_as_identifier_when_a_function() -> None:
    assert lex("{{break}}", frozenset({"break"}))[1].kind is Kind.IDENTIFIER

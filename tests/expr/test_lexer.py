from __future__ import annotations

import pytest

from tocsin.expr.lexer import go_quote_rune, tokenize, unquote_reference, unquote_regex, unquote_string
from tocsin.expr.tokens import TokenKind

K = TokenKind


def kinds(text: str) -> list[tuple[str, str]]:
    return [(t.kind.name, t.text) for t in tokenize(text)]


SINGLE_TOKENS = [
    ("var", K.VAR),
    ("dbrp", K.DBRP),
    ("lambda:", K.LAMBDA),
    ("=", K.ASSIGN),
    (".", K.DOT),
    ("|", K.PIPE),
    ("@", K.AT),
    ("host", K.IDENT),
    ("lambda", K.IDENT),
    ("x_1", K.IDENT),
    ('"host"', K.REFERENCE),
    ("42", K.NUMBER),
    ("4.2", K.NUMBER),
    ("'text'", K.STRING),
    ("'''text'''", K.STRING),
    ("10s", K.DURATION),
    ("/a.b/", K.REGEX),
    ("TRUE", K.TRUE),
    ("FALSE", K.FALSE),
    ("(", K.LPAREN),
    (")", K.RPAREN),
    ("[", K.LBRACKET),
    ("]", K.RBRACKET),
    (",", K.COMMA),
    ("*", K.STAR),
    ("// note", K.COMMENT),
    ("!", K.NOT),
    ("+", K.PLUS),
    ("-", K.MINUS),
    ("%", K.MOD),
    ("AND", K.AND),
    ("OR", K.OR),
    ("==", K.EQ),
    ("!=", K.NE),
    ("<", K.LT),
    (">", K.GT),
    ("<=", K.LE),
    (">=", K.GE),
    ("=~", K.REGEX_EQ),
    ("!~", K.REGEX_NE),
]


@pytest.mark.parametrize(("text", "kind"), SINGLE_TOKENS, ids=[t for t, _ in SINGLE_TOKENS])
def test_single_token(text: str, kind: TokenKind) -> None:
    tokens = tokenize(text)
    assert [(t.kind, t.text) for t in tokens] == [(kind, text), (K.EOF, "")]


def test_mult_and_div_only_after_operand() -> None:
    assert kinds("a * b / c") == [
        ("IDENT", "a"),
        ("MULT", "*"),
        ("IDENT", "b"),
        ("DIV", "/"),
        ("IDENT", "c"),
        ("EOF", ""),
    ]


CONTEXT_CASES = [
    ('"a" =~ /x/', ["REFERENCE", "REGEX_EQ", "REGEX", "EOF"]),
    ('"a" !~ /x/', ["REFERENCE", "REGEX_NE", "REGEX", "EOF"]),
    ("f(/x/, /y/)", ["IDENT", "LPAREN", "REGEX", "COMMA", "REGEX", "RPAREN", "EOF"]),
    ("var r = /x/", ["VAR", "IDENT", "ASSIGN", "REGEX", "EOF"]),
    ("10 / 2", ["NUMBER", "DIV", "NUMBER", "EOF"]),
    ("10m / 2", ["DURATION", "DIV", "NUMBER", "EOF"]),
    ('"v" / 2', ["REFERENCE", "DIV", "NUMBER", "EOF"]),
    ("(a) / 2", ["LPAREN", "IDENT", "RPAREN", "DIV", "NUMBER", "EOF"]),
    ("'s' / 2", ["STRING", "DIV", "NUMBER", "EOF"]),
    ("TRUE / x", ["TRUE", "DIV", "IDENT", "EOF"]),
    ("a\n/ 2", ["IDENT", "DIV", "NUMBER", "EOF"]),
    ("a // c\n/x/", ["IDENT", "COMMENT", "REGEX", "EOF"]),
    ("[*]", ["LBRACKET", "STAR", "RBRACKET", "EOF"]),
    ("f(*)", ["IDENT", "LPAREN", "STAR", "RPAREN", "EOF"]),
]


@pytest.mark.parametrize(("text", "expected"), CONTEXT_CASES, ids=[t for t, _ in CONTEXT_CASES])
def test_regex_division_and_star_context(text: str, expected: list[str]) -> None:
    assert [k for k, _ in kinds(text)] == expected


NUMBER_CASES = [
    ("0644", [("NUMBER", "0644")]),
    ("0", [("NUMBER", "0")]),
    (".5", [("NUMBER", ".5")]),
    ("10.", [("NUMBER", "10.")]),
    ("10.25", [("NUMBER", "10.25")]),
    ("1u", [("DURATION", "1u")]),
    ("1µ", [("DURATION", "1µ")]),
    ("1us", [("DURATION", "1us")]),
    ("1µs", [("DURATION", "1µs")]),
    ("5ms", [("DURATION", "5ms")]),
    ("10s", [("DURATION", "10s")]),
    ("1m", [("DURATION", "1m")]),
    ("2h", [("DURATION", "2h")]),
    ("3d", [("DURATION", "3d")]),
    ("4w", [("DURATION", "4w")]),
    ("10x", [("NUMBER", "10"), ("IDENT", "x")]),
    ("1e3", [("NUMBER", "1"), ("IDENT", "e3")]),
    ("1.5e3", [("NUMBER", "1.5"), ("IDENT", "e3")]),
    ("-5", [("MINUS", "-"), ("NUMBER", "5")]),
]


@pytest.mark.parametrize(("text", "expected"), NUMBER_CASES, ids=[t for t, _ in NUMBER_CASES])
def test_numbers_and_durations(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(text) == [*expected, ("EOF", "")]


ERROR_CASES = [
    ("1.5s", 'invalid duration "1.5s": a duration must be an integer followed by a unit', 1, 1),
    ("x == .5m", 'invalid duration ".5m": a duration must be an integer followed by a unit', 1, 6),
    ("1.2.3", "multiple decimals in number", 1, 1),
    ("'abc", "unterminated string", 1, 1),
    ("'''abc''", "unterminated string", 1, 1),
    ("'a\\'", "unterminated string", 1, 1),
    ('"host', "unterminated field reference", 1, 1),
    ("x =~ /abc", "unterminated regex", 1, 6),
    ("a\n  #", "unknown state, last char: '#'", 2, 3),
    ("_x", "unknown state, last char: '_'", 1, 1),
    ("a ; b", "unknown state, last char: ';'", 1, 3),
    ("lambda :", "unknown state, last char: ':'", 1, 8),
]


@pytest.mark.parametrize(("text", "message", "line", "column"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_error_token_ends_the_stream(text: str, message: str, line: int, column: int) -> None:
    last = tokenize(text)[-1]
    assert (last.kind, last.text, last.line, last.column) == (K.ERROR, message, line, column)
    assert last.describe() == message


def test_whole_tickscript() -> None:
    script = (
        "// cpu alert\n"
        'dbrp "telegraf"."autogen"\n'
        "var groupBy = ['host', *]\n"
        "var crit = 90\n"
        "stream\n"
        "    |from().measurement('cpu').groupBy(groupBy)\n"
        "    |window().period(10m)\n"
        "    @myUDF()\n"
        '    |alert().crit(lambda: "usage_idle" < crit AND "host" =~ /^web/)\n'
    )
    labels = " ".join(t.describe() for t in tokenize(script))
    assert labels == (
        "// dbrp reference . reference var identifier = [ string , * ] var identifier = number "
        "identifier | identifier ( ) . identifier ( string ) . identifier ( identifier ) "
        "| identifier ( ) . identifier ( duration ) @ identifier ( ) "
        "| identifier ( ) . identifier ( lambda reference < identifier AND reference =~ regex ) EOF"
    )


def test_positions_are_one_based_lines_and_columns() -> None:
    text = "var x = 1\n  |  'a'\n\n\t\"r\" // c\n"
    got = [(t.kind.name, t.line, t.column) for t in tokenize(text)]
    assert got == [
        ("VAR", 1, 1),
        ("IDENT", 1, 5),
        ("ASSIGN", 1, 7),
        ("NUMBER", 1, 9),
        ("PIPE", 2, 3),
        ("STRING", 2, 6),
        ("REFERENCE", 4, 2),
        ("COMMENT", 4, 6),
        ("EOF", 5, 1),
    ]
    assert tokenize(text)[6].pos.offset == 21


def test_positions_count_characters_not_bytes() -> None:
    tokens = tokenize("'é' == x")
    assert [(t.text, t.column) for t in tokens[:3]] == [("'é'", 1), ("==", 5), ("x", 8)]


def test_token_after_multiline_string_has_right_line() -> None:
    tokens = tokenize("'''a\nb\nc''' + x")
    assert [(t.kind.name, t.line, t.column) for t in tokens] == [
        ("STRING", 1, 1),
        ("PLUS", 3, 6),
        ("IDENT", 3, 8),
        ("EOF", 3, 9),
    ]


def test_comments_are_one_token_per_line() -> None:
    assert kinds("// one\n// two\nx") == [
        ("COMMENT", "// one"),
        ("COMMENT", "// two"),
        ("IDENT", "x"),
        ("EOF", ""),
    ]


def test_unicode_identifiers_and_spaces() -> None:
    assert kinds("ñame\u00a0\u3000x") == [("IDENT", "ñame"), ("IDENT", "x"), ("EOF", "")]


def test_description_of_tokens_uses_kapacitor_names() -> None:
    described = [t.describe() for t in tokenize("x \"r\" 1 's' 1s =~ /re/ lambda: AND * ")]
    assert described == [
        "identifier",
        "reference",
        "number",
        "string",
        "duration",
        "=~",
        "regex",
        "lambda",
        "AND",
        "*",
        "EOF",
    ]


UNQUOTE_CASES = [
    (unquote_string, "'it\\'s'", "it's"),
    (unquote_string, "'a\\nb'", "a\\nb"),
    (unquote_string, "''", ""),
    (unquote_string, "'''it's \\' raw'''", "it's \\' raw"),
    (unquote_reference, '"my \\"field\\""', 'my "field"'),
    (unquote_reference, '"a\\\\"', "a\\\\"),
    (unquote_regex, "/a\\/b/", "a/b"),
    (unquote_regex, "/\\d+\\.\\w/", "\\d+\\.\\w"),
]


@pytest.mark.parametrize(
    ("unquote", "raw", "value"), UNQUOTE_CASES, ids=[f"{f.__name__}:{r}" for f, r, _ in UNQUOTE_CASES]
)
def test_escapes(unquote: object, raw: str, value: str) -> None:
    assert callable(unquote)
    assert unquote(raw) == value


@pytest.mark.parametrize(
    ("raw", "token_text"),
    [("'it\\'s' x", "'it\\'s'"), ('"a\\"b" x', '"a\\"b"'), ("x =~ /a\\/b/ x", "/a\\/b/")],
    ids=["string", "reference", "regex"],
)
def test_escaped_quote_does_not_end_the_token(raw: str, token_text: str) -> None:
    texts = [t.text for t in tokenize(raw)]
    assert token_text in texts
    assert texts[-2] == "x"


@pytest.mark.parametrize(
    ("char", "quoted"),
    [("#", "'#'"), ("'", "'\\''"), ("\\", "'\\\\'"), ("\x00", "'\\x00'"), ("\u200b", "'\\u200b'")],
    ids=["hash", "quote", "backslash", "nul", "zero-width"],
)
def test_go_quote_rune(char: str, quoted: str) -> None:
    assert go_quote_rune(char) == quoted

"""Malformed TICKscripts: the exact error text, line and column for each (Kapacitor's parser wording)."""

from __future__ import annotations

import pytest

from tocsin.errors import ParseError
from tocsin.expr.parser import MAX_NESTING
from tocsin.tick.errors import TickParseError
from tocsin.tick.parser import MAX_SCRIPT_CHARS, parse_program

DECIMAL_DURATION = 'parser: unexpected invalid duration "{text}": a duration must be an integer followed by a unit'
PRIMARY = '"number","string","duration","identifier","TRUE","FALSE","==","(","-","!"'

MALFORMED = [
    pytest.param(
        "stream|from().measurement('cpu)",
        1,
        27,
        'parser: unexpected unterminated string line 1 char 27 in "asurement(\'cpu)". expected: ' + PRIMARY,
        id="unterminated_string",
    ),
    pytest.param(
        "var x = '''abc\nstream|from()",
        1,
        9,
        "parser: unexpected unterminated string line 1 char 9 in \"var x = '''abc\". expected: " + PRIMARY,
        id="unterminated_triple_string",
    ),
    pytest.param(
        "stream|from().where(lambda: \"host == 'a')",
        1,
        29,
        'parser: unexpected unterminated field reference line 1 char 29 in "e(lambda: "host == \'". expected: '
        + PRIMARY,
        id="unterminated_reference",
    ),
    pytest.param(
        "var r = /abc",
        1,
        9,
        'parser: unexpected unterminated regex line 1 char 9 in "var r = /abc". expected: ' + PRIMARY,
        id="unterminated_regex",
    ),
    pytest.param(
        "stream|from(",
        1,
        13,
        'parser: unexpected EOF line 1 char 13 in "ream|from(". expected: ' + PRIMARY,
        id="missing_paren_eof",
    ),
    pytest.param(
        "stream|from().measurement('cpu'",
        1,
        32,
        'parser: unexpected EOF line 1 char 32 in "ment(\'cpu\'". expected: ")"',
        id="missing_paren_after_arg",
    ),
    pytest.param(
        "stream|window().period(1.5s)",
        1,
        24,
        DECIMAL_DURATION.format(text="1.5s") + ' line 1 char 24 in "().period(1.5s)". expected: ' + PRIMARY,
        id="decimal_duration",
    ),
    pytest.param(
        "var d = 10.5ms",
        1,
        9,
        DECIMAL_DURATION.format(text="10.5ms") + ' line 1 char 9 in "var d = 10.5ms". expected: ' + PRIMARY,
        id="decimal_duration_ms",
    ),
    pytest.param(
        'stream|from().where(lambda: "a" > 1 and "b" < 2)',
        1,
        37,
        'parser: unexpected identifier line 1 char 37 in ": "a" > 1 and "b" < ". expected: ")"',
        id="lowercase_and",
    ),
    pytest.param(
        'stream\n    |from()\n        .where(lambda: "a" > 1 or "b" < 2)',
        3,
        32,
        'parser: unexpected identifier line 3 char 32 in ": "a" > 1 or "b" < 2". expected: ")"',
        id="lowercase_or",
    ),
    pytest.param(
        'stream|from().where(lambda "a" > 1)',
        1,
        28,
        'parser: unexpected reference line 1 char 28 in "re(lambda "a" > 1)". expected: ")"',
        id="lambda_without_colon",
    ),
    pytest.param(
        "stream|",
        1,
        8,
        'parser: unexpected EOF line 1 char 8 in "stream|". expected: "identifier"',
        id="dangling_pipe",
    ),
    pytest.param(
        "var x = stream|from()|",
        1,
        23,
        'parser: unexpected EOF line 1 char 23 in "am|from()|". expected: "identifier"',
        id="dangling_pipe_in_var",
    ),
    pytest.param(
        "stream|from().",
        1,
        15,
        'parser: unexpected EOF line 1 char 15 in "am|from().". expected: "identifier"',
        id="dangling_dot",
    ),
    pytest.param(
        "stream@",
        1,
        8,
        'parser: unexpected EOF line 1 char 8 in "stream@". expected: "identifier"',
        id="dangling_at",
    ),
    pytest.param(
        "var = 5",
        1,
        5,
        'parser: unexpected = line 1 char 5 in "var = 5". expected: "identifier"',
        id="var_without_name",
    ),
    pytest.param(
        "var",
        1,
        4,
        'parser: unexpected EOF line 1 char 4 in "var". expected: "identifier"',
        id="var_alone",
    ),
    pytest.param(
        "var 5 = x",
        1,
        5,
        'parser: unexpected number line 1 char 5 in "var 5 = x". expected: "identifier"',
        id="var_number_name",
    ),
    pytest.param(
        "var x =",
        1,
        8,
        'parser: unexpected EOF line 1 char 8 in "var x =". expected: ' + PRIMARY,
        id="var_missing_value",
    ),
    pytest.param(
        "var x 5",
        1,
        7,
        'parser: unexpected number line 1 char 7 in "var x 5". expected: "identifier"',
        id="var_type_not_identifier",
    ),
    pytest.param(
        "var x == 5",
        1,
        7,
        'parser: unexpected == line 1 char 7 in "var x == 5". expected: "identifier"',
        id="var_double_equals",
    ),
    pytest.param(
        "stream|from.measurement('cpu')",
        1,
        12,
        'parser: unexpected . line 1 char 12 in "tream|from.measureme". expected: "("',
        id="pipe_without_parens",
    ),
    pytest.param(
        "stream|from().('x')",
        1,
        15,
        'parser: unexpected ( line 1 char 15 in "am|from().(\'x\')". expected: "identifier"',
        id="property_without_name",
    ),
    pytest.param(
        'var x = lambda: "a" >',
        1,
        22,
        'parser: unexpected EOF line 1 char 22 in "bda: "a" >". expected: ' + PRIMARY,
        id="lambda_eof",
    ),
    pytest.param(
        "var x = lambda:",
        1,
        16,
        'parser: unexpected EOF line 1 char 16 in " = lambda:". expected: ' + PRIMARY,
        id="empty_lambda",
    ),
    pytest.param(
        'stream|from().where(lambda: "a" > )',
        1,
        35,
        'parser: unexpected ) line 1 char 35 in "da: "a" > )". expected: ' + PRIMARY,
        id="operand_missing",
    ),
    pytest.param(
        "stream|from() #",
        1,
        15,
        "parser: unexpected unknown state, last char: '#' line 1 char 15 in \"am|from() #\". expected: " + PRIMARY,
        id="stray_hash",
    ),
    pytest.param(
        'stream\n  |from()\n  .where(lambda: "a" > 5 && "b" < 2)',
        3,
        26,
        'parser: unexpected unknown state, last char: \'&\' line 3 char 26 in ": "a" > 5 && "b" < 2". expected: ")"',
        id="stray_ampersands",
    ),
    pytest.param(
        "stream|from().measurement($m)",
        1,
        27,
        "parser: unexpected unknown state, last char: '$' line 1 char 27 in \"asurement($m)\". expected: " + PRIMARY,
        id="stray_dollar_arg",
    ),
    pytest.param(
        'dbrp "db"',
        1,
        10,
        'parser: unexpected EOF line 1 char 10 in "dbrp "db"". expected: "."',
        id="dbrp_missing_rp",
    ),
    pytest.param(
        'dbrp "db".',
        1,
        11,
        'parser: unexpected EOF line 1 char 11 in "dbrp "db".". expected: "reference"',
        id="dbrp_dot_eof",
    ),
    pytest.param(
        "dbrp 'db'.'rp'",
        1,
        6,
        "parser: unexpected string line 1 char 6 in \"dbrp 'db'.'rp'\". expected: \"reference\"",
        id="dbrp_strings",
    ),
    pytest.param(
        "dbrp db.rp",
        1,
        6,
        'parser: unexpected identifier line 1 char 6 in "dbrp db.rp". expected: "reference"',
        id="dbrp_identifiers",
    ),
    pytest.param(
        "dbrp",
        1,
        5,
        'parser: unexpected EOF line 1 char 5 in "dbrp". expected: "reference"',
        id="dbrp_alone",
    ),
    pytest.param(
        'dbrp "a"."b"."c"',
        1,
        13,
        'parser: unexpected . line 1 char 13 in "rp "a"."b"."c"". expected: ' + PRIMARY,
        id="dbrp_three_parts",
    ),
    pytest.param(
        "var x = 1.2.3",
        1,
        9,
        'parser: unexpected multiple decimals in number line 1 char 9 in "var x = 1.2.3". expected: ' + PRIMARY,
        id="multiple_decimals",
    ),
    pytest.param(
        "stream|from())",
        1,
        14,
        'parser: unexpected ) line 1 char 14 in "eam|from())". expected: ' + PRIMARY,
        id="stray_close_paren",
    ),
    pytest.param(
        "var l = ['a', 1]",
        1,
        15,
        'parser: unexpected number line 1 char 15 in "l = [\'a\', 1]". expected: "identifier","string","*"',
        id="list_number_item",
    ),
    pytest.param(
        "var l = ['a', 'b'",
        1,
        18,
        "parser: unexpected EOF line 1 char 18 in \" ['a', 'b'\". expected: \"]\"",
        id="list_unterminated",
    ),
    pytest.param(
        "var l = ['a' 'b']",
        1,
        14,
        "parser: unexpected string line 1 char 14 in \" l = ['a' 'b']\". expected: \"]\"",
        id="list_missing_comma",
    ),
    pytest.param(
        "var l = ['a')",
        1,
        13,
        'parser: unexpected ) line 1 char 13 in "r l = [\'a\')". expected: "]"',
        id="list_wrong_close",
    ),
    pytest.param(
        "stream|from(,)",
        1,
        13,
        'parser: unexpected , line 1 char 13 in "ream|from(,)". expected: ' + PRIMARY,
        id="leading_comma_arg",
    ),
    pytest.param(
        "var x = -",
        1,
        10,
        'parser: unexpected EOF line 1 char 10 in "var x = -". expected: ' + PRIMARY,
        id="unary_minus_eof",
    ),
    pytest.param(
        "var x = !",
        1,
        10,
        'parser: unexpected EOF line 1 char 10 in "var x = !". expected: ' + PRIMARY,
        id="not_eof",
    ),
    pytest.param(
        "var x = 09",
        1,
        9,
        'parser: illegal number syntax: "09" line 1 char 9',
        id="octal_with_nine",
    ),
    pytest.param(
        "var x = 99999999999999999999",
        1,
        9,
        'parser: illegal number syntax: "99999999999999999999" line 1 char 9',
        id="int_overflow",
    ),
    pytest.param(
        "foo()|bar()",
        1,
        6,
        "parser: a chain must start with an identifier, not a function call line 1 char 6",
        id="call_chain_head",
    ),
    pytest.param(
        "var x = count(stream|from())",
        1,
        21,
        "parser: a chain cannot be an argument of a function call line 1 char 21",
        id="chain_in_call_argument",
    ),
    pytest.param(
        "// c\nstream\n  |from(\n",
        4,
        1,
        'parser: unexpected EOF line 4 char 1 in "". expected: ' + PRIMARY,
        id="error_after_comment_lines",
    ),
    pytest.param(
        "?",
        1,
        1,
        "parser: unexpected unknown state, last char: '?' line 1 char 1 in \"?\". expected: " + PRIMARY,
        id="unknown_char_statement",
    ),
    pytest.param(
        'stream|from().where(lambda: "host" =~ /x\\Z/)',
        1,
        39,
        "parser: error parsing regexp: invalid escape sequence: `\\Z` line 1 char 39",
        id="bad_regex_escape",
    ),
    pytest.param(
        "var r = /a(?=b)/",
        1,
        9,
        "parser: error parsing regexp: invalid or unsupported Perl syntax: `(?=` line 1 char 9",
        id="bad_regex_lookahead",
    ),
]


@pytest.mark.parametrize(("script", "line", "column", "message"), MALFORMED)
def test_malformed_script(script: str, line: int, column: int, message: str) -> None:
    with pytest.raises(TickParseError) as caught:
        parse_program(script)
    assert (str(caught.value), caught.value.line, caught.value.column) == (message, line, column)


def test_error_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_program("stream|")


def test_out_of_range_float() -> None:
    literal = "1" + "0" * 400 + ".5"
    with pytest.raises(TickParseError) as caught:
        parse_program("var x = " + literal)
    assert str(caught.value) == f'parser: illegal number syntax: "{literal}" line 1 char 9'


def test_too_long() -> None:
    script = "var x = 1\n" * (MAX_SCRIPT_CHARS // 10 + 1)
    with pytest.raises(TickParseError) as caught:
        parse_program(script)
    expected = f"parser: script too long: {len(script)} characters, the limit is {MAX_SCRIPT_CHARS} line 1 char 1"
    assert (str(caught.value), caught.value.line, caught.value.column) == (expected, 1, 1)


def test_parentheses_nested_too_deeply() -> None:
    depth = MAX_NESTING + 8
    with pytest.raises(TickParseError) as caught:
        parse_program("var x = " + "(" * depth + "1" + ")" * depth)
    assert str(caught.value) == f"parser: expression nested too deeply line 1 char {9 + MAX_NESTING}"


def test_chain_arguments_nested_too_deeply() -> None:
    script = "a" + "|f(a" * (MAX_NESTING + 8) + ")" * (MAX_NESTING + 8)
    with pytest.raises(TickParseError) as caught:
        parse_program(script)
    # The (MAX_NESTING + 1)th nested argument is the one refused: "a|f(" is 4 characters per level.
    assert str(caught.value) == f"parser: expression nested too deeply line 1 char {4 * MAX_NESTING + 1}"


@pytest.mark.parametrize(
    ("script", "statements"),
    [
        ("var x = 1\nvar x = 2", 2),
        ("var data = stream|from()\nvar data = 5", 2),
        ('var x = lambda: "a" > 1 and "b"', 3),
        ("var x int\nvar x = 5", 2),
    ],
    ids=["redefined-int", "redefined-chain", "lowercase-and-at-statement-level", "typed-then-assigned"],
)
def test_compile_time_errors_parse(script: str, statements: int) -> None:
    """Redefinitions and stray identifiers between statements are compile errors in Kapacitor, not parse errors."""
    assert len(parse_program(script).statements) == statements

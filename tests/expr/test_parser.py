from __future__ import annotations

import pytest

from tocsin.errors import ParseError
from tocsin.expr import ast
from tocsin.expr.errors import ExprParseError
from tocsin.expr.parser import MAX_NESTING, Parser, parse_expression
from tocsin.expr.tokens import TokenKind


def sexpr(node: ast.Node) -> str:
    if isinstance(node, ast.NumberNode):
        return repr(node.value)
    if isinstance(node, ast.StringNode):
        return f"'{node.value}'"
    if isinstance(node, ast.DurationNode):
        return f"{node.literal}={node.nanoseconds}"
    if isinstance(node, ast.BoolNode):
        return "TRUE" if node.value else "FALSE"
    if isinstance(node, ast.RegexNode):
        return f"/{node.literal}/"
    if isinstance(node, ast.ReferenceNode):
        return f'"{node.name}"'
    if isinstance(node, ast.IdentifierNode):
        return node.name
    if isinstance(node, ast.StarNode):
        return "*"
    if isinstance(node, ast.UnaryNode):
        return f"({node.op.label}{sexpr(node.operand)})"
    if isinstance(node, ast.BinaryNode):
        return f"({sexpr(node.left)} {node.op.label} {sexpr(node.right)})"
    if isinstance(node, ast.FunctionNode):
        return f"{node.name}({', '.join(sexpr(a) for a in node.args)})"
    if isinstance(node, ast.ListNode):
        return f"[{', '.join(sexpr(a) for a in node.items)}]"
    return f"lambda: {sexpr(node.expression)}"


TREES = [
    ("1 + 2 * 3", "(1 + (2 * 3))"),
    ("1 * 2 + 3", "((1 * 2) + 3)"),
    ("1 - 2 - 3", "((1 - 2) - 3)"),
    ("8 / 4 / 2", "((8 / 4) / 2)"),
    ("7 % 4 * 2", "((7 % 4) * 2)"),
    ("(1 - 2) - 3", "((1 - 2) - 3)"),
    ("1 - (2 - 3)", "(1 - (2 - 3))"),
    ("a OR b AND c", "(a OR (b AND c))"),
    ("a AND b OR c", "((a AND b) OR c)"),
    ("a OR b OR c", "((a OR b) OR c)"),
    ('"x" == 1 AND "y" != 2', '(("x" == 1) AND ("y" != 2))'),
    ("1 < 2 == TRUE", "((1 < 2) == TRUE)"),
    ("1 + 2 < 3 * 4", "((1 + 2) < (3 * 4))"),
    ("a == b == c", "((a == b) == c)"),
    ('"h" =~ /^a/ OR "h" !~ /b$/', '(("h" =~ /^a/) OR ("h" !~ /b$/))'),
    ("-1 * 2", "((-1) * 2)"),
    ("- - 1", "(-(-1))"),
    ("!TRUE AND FALSE", "((!TRUE) AND FALSE)"),
    ("!(TRUE AND FALSE)", "(!(TRUE AND FALSE))"),
    ("f(1, \"a\" + 'b', g())", "f(1, (\"a\" + 'b'), g())"),
    ("f(1, 2,)", "f(1, 2)"),
    ("f()", "f()"),
    ("level() >= WARNING", "(level() >= WARNING)"),
    ("alertDuration() > 5m", "(alertDuration() > 5m=300000000000)"),
    ("10u + 1µs + 2us + 3ms", "(((10u=10000 + 1µs=1000) + 2us=2000) + 3ms=3000000)"),
    ("1d + 1w", "(1d=86400000000000 + 1w=604800000000000)"),
    ("0644 + 0 + 10 + .5 + 2.", "((((420 + 0) + 10) + 0.5) + 2.0)"),
    ("'''it's'''", "'it's'"),
    ("'it\\'s'", "'it's'"),
    ('"my \\"field\\""', '"my "field""'),
    ('"p" =~ /a\\/b/', '("p" =~ /a\\/b/)'),
    ("*", "*"),
    ("a\n  AND\n  b // trailing comment", "(a AND b)"),
]


@pytest.mark.parametrize(("text", "tree"), TREES, ids=[t for t, _ in TREES])
def test_tree_shape(text: str, tree: str) -> None:
    assert sexpr(parse_expression(text)) == tree


def test_regex_literal_is_compiled_with_unescaped_slash() -> None:
    node = parse_expression("/a\\/b/")
    assert isinstance(node, ast.RegexNode)
    assert node.pattern.search("xa/by") is not None


def test_parens_are_recorded_and_positions_point_at_operators() -> None:
    node = parse_expression("(a OR b)\n  AND c")
    assert isinstance(node, ast.BinaryNode)
    assert (node.op, node.pos.line, node.pos.column, node.parens) == (TokenKind.AND, 2, 3, False)
    assert isinstance(node.left, ast.BinaryNode)
    assert (node.left.pos.column, node.left.parens) == (4, True)
    assert isinstance(node.right, ast.IdentifierNode)
    assert (node.right.pos.line, node.right.pos.column) == (2, 7)


_PRIMARY = '"number","string","duration","identifier","TRUE","FALSE","==","(","-","!"'
ERRORS = [
    ("", f'parser: unexpected EOF line 1 char 1 in "". expected: {_PRIMARY}', 1, 1),
    ("level() >= ", f'parser: unexpected EOF line 1 char 12 in "evel() >= ". expected: {_PRIMARY}', 1, 12),
    (
        "changed() == TRUE AND AND x",
        f'parser: unexpected AND line 1 char 23 in " TRUE AND AND x". expected: {_PRIMARY}',
        1,
        23,
    ),
    ("a b", 'parser: unexpected identifier line 1 char 3 in "a b". expected: "EOF"', 1, 3),
    ("(a", 'parser: unexpected EOF line 1 char 3 in "(a". expected: ")"', 1, 3),
    ("f(1 2)", 'parser: unexpected number line 1 char 5 in "f(1 2)". expected: ")"', 1, 5),
    (
        "x ==\n'abc",
        f'parser: unexpected unterminated string line 2 char 1 in "\'abc". expected: {_PRIMARY}',
        2,
        1,
    ),
    (
        "a == 1\n  AND b ==\n  ",
        f'parser: unexpected EOF line 3 char 3 in "  ". expected: {_PRIMARY}',
        3,
        3,
    ),
    ("09", 'parser: illegal number syntax: "09" line 1 char 1', 1, 1),
    ("9223372036854775808", 'parser: illegal number syntax: "9223372036854775808" line 1 char 1', 1, 1),
    (
        '"x" =~ /a(/',
        "parser: error parsing regexp: missing closing ): `a(` line 1 char 8",
        1,
        8,
    ),
    (
        "a.b",
        'parser: unexpected . line 1 char 2 in "a.b". expected: "EOF"',
        1,
        2,
    ),
    (
        "[1]",
        f'parser: unexpected [ line 1 char 1 in "[1]". expected: {_PRIMARY}',
        1,
        1,
    ),
]


@pytest.mark.parametrize(("text", "message", "line", "column"), ERRORS, ids=[e[0] or "empty" for e in ERRORS])
def test_errors(text: str, message: str, line: int, column: int) -> None:
    with pytest.raises(ExprParseError) as info:
        parse_expression(text)
    assert (str(info.value), info.value.line, info.value.column) == (message, line, column)
    assert isinstance(info.value, ParseError)


def test_context_is_cut_at_ten_characters_either_side() -> None:
    with pytest.raises(ExprParseError) as info:
        parse_expression("\"host\" == 'serverA' AND level( == CRITICAL")
    assert str(info.value) == ('parser: unexpected == line 1 char 32 in "ND level( == CRITICA". expected: ' + _PRIMARY)


def test_nesting_limit() -> None:
    deep = "(" * (MAX_NESTING + 1) + "1" + ")" * (MAX_NESTING + 1)
    with pytest.raises(ExprParseError) as info:
        parse_expression(deep)
    assert str(info.value) == f"parser: expression nested too deeply line 1 char {MAX_NESTING + 1}"
    shallow = "(" * (MAX_NESTING - 1) + "1" + ")" * (MAX_NESTING - 1)
    assert sexpr(parse_expression(shallow)) == "1"


def test_long_flat_chains_do_not_recurse() -> None:
    node = parse_expression(" OR ".join(f"\"h\" == '{i}'" for i in range(2000)))
    assert isinstance(node, ast.BinaryNode)
    assert len(ast.walk(node)) == 2000 * 3 + 1999


def test_list_and_lambda_for_statement_parsers() -> None:
    parser = Parser("['host', cpu, *] lambda: \"v\" > 1")
    assert sexpr(parser.list_literal()) == "['host', cpu, *]"
    assert sexpr(parser.lambda_expression()) == 'lambda: ("v" > 1)'
    assert parser.peek().kind is TokenKind.EOF


def test_list_rejects_other_items() -> None:
    with pytest.raises(ExprParseError) as info:
        Parser("[1]").list_literal()
    assert str(info.value) == 'parser: unexpected number line 1 char 2 in "[1]". expected: "identifier","string","*"'


def test_comments_are_kept_for_statement_parsers() -> None:
    parser = Parser("// first\nx // second")
    assert [c.text for c in parser.comments] == ["// first", "// second"]

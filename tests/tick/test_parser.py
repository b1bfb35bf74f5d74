"""Every valid TICKscript construct parses to the exact syntax tree, positions included."""

from __future__ import annotations

import pytest

from tocsin.expr import ast as e
from tocsin.expr.regex import compile_go_regex
from tocsin.expr.tokens import Position, TokenKind
from tocsin.tick.ast import Chain, ChainOp, Comment, Dbrp, ExpressionStatement, Link, Program, VarDecl
from tocsin.tick.parser import parse_program


def at(text: str, needle: str, occurrence: int = 0) -> Position:
    """The position of the `occurrence`th `needle` in `text`."""
    offset = -1
    for _ in range(occurrence + 1):
        offset = text.index(needle, offset + 1)
    line = text.count("\n", 0, offset) + 1
    return Position(offset, line, offset - (text.rfind("\n", 0, offset) + 1) + 1)


def single(text: str) -> object:
    statements = parse_program(text).statements
    assert len(statements) == 1
    return statements[0]


def test_empty_script() -> None:
    assert parse_program("") == Program(())
    assert parse_program("  \n\t\n") == Program(())


def test_stream_from_measurement() -> None:
    t = "stream|from().measurement('cpu')"
    head = e.IdentifierNode(at(t, "stream"), "stream")
    links = (
        Link(at(t, "|"), ChainOp.PIPE, "from", ()),
        Link(at(t, "."), ChainOp.DOT, "measurement", (e.StringNode(at(t, "'cpu'"), "cpu"),)),
    )
    assert single(t) == ExpressionStatement(at(t, "stream"), Chain(at(t, "stream"), head, links))


def test_var_chain_and_chain_from_var() -> None:
    t = "var data = stream\n    |from()\ndata|alert()@udf(1)"
    data = e.IdentifierNode(at(t, "stream"), "stream")
    first = VarDecl(at(t, "var"), "data", Chain(at(t, "stream"), data, (Link(at(t, "|"), ChainOp.PIPE, "from", ()),)))
    head = e.IdentifierNode(at(t, "data", 1), "data")
    links = (
        Link(at(t, "|", 1), ChainOp.PIPE, "alert", ()),
        Link(at(t, "@"), ChainOp.AT, "udf", (e.NumberNode(at(t, "1"), 1),)),
    )
    second = ExpressionStatement(at(t, "data", 1), Chain(at(t, "data", 1), head, links))
    assert parse_program(t) == Program((first, second))


@pytest.mark.parametrize(
    "type_name", ["int", "float", "bool", "string", "regex", "duration", "lambda", "list", "star"], ids=str
)
def test_typed_declaration(type_name: str) -> None:
    t = f"var x {type_name}"
    assert single(t) == VarDecl(at(t, "var"), "x", None, type_name)


def test_dbrp() -> None:
    t = 'dbrp "tele\\"graf"."autogen"'
    assert single(t) == Dbrp(at(t, "dbrp"), 'tele"graf', "autogen")


def test_literal_values() -> None:
    t = "var i = 10 var o = 0644 var f = 1.5 var g = .5 var s = 'it\\'s' var d = 5m var b = TRUE var n = FALSE"
    values = [s.value for s in parse_program(t).statements if isinstance(s, VarDecl)]
    assert values == [
        e.NumberNode(at(t, "10"), 10),
        e.NumberNode(at(t, "0644"), 0o644),
        e.NumberNode(at(t, "1.5"), 1.5),
        e.NumberNode(at(t, ".5", 1), 0.5),
        e.StringNode(at(t, "'it"), "it's"),
        e.DurationNode(at(t, "5m"), 300_000_000_000, "5m"),
        e.BoolNode(at(t, "TRUE"), True),
        e.BoolNode(at(t, "FALSE"), False),
    ]


def test_triple_quoted_string() -> None:
    t = "var m = '''line 'one'\nline two'''"
    assert single(t) == VarDecl(at(t, "var"), "m", e.StringNode(at(t, "'''"), "line 'one'\nline two", triple=True))


def test_lambda_with_precedence_and_parentheses() -> None:
    t = 'var w = lambda: ("cpu" == \'total\') AND "v" > -crit OR !TRUE'
    eq = e.BinaryNode(
        at(t, "=="), TokenKind.EQ, e.ReferenceNode(at(t, '"cpu"'), "cpu"), e.StringNode(at(t, "'total'"), "total"), True
    )
    gt = e.BinaryNode(
        at(t, ">"),
        TokenKind.GT,
        e.ReferenceNode(at(t, '"v"'), "v"),
        e.UnaryNode(at(t, "-"), TokenKind.MINUS, e.IdentifierNode(at(t, "crit"), "crit")),
    )
    conj = e.BinaryNode(at(t, "AND"), TokenKind.AND, eq, gt)
    neg = e.UnaryNode(at(t, "!"), TokenKind.NOT, e.BoolNode(at(t, "TRUE"), True))
    lam = e.LambdaNode(at(t, "lambda"), e.BinaryNode(at(t, "OR"), TokenKind.OR, conj, neg))
    assert single(t) == VarDecl(at(t, "var"), "w", lam)


def test_lambda_with_regex_and_call() -> None:
    t = 'stream|where(lambda: "host" =~ /^web\\/[0-9]+$/ AND strLength("host") > 3)'
    regex = e.RegexNode(at(t, "/^"), "^web\\/[0-9]+$", compile_go_regex("^web/[0-9]+$"))
    match = e.BinaryNode(at(t, "=~"), TokenKind.REGEX_EQ, e.ReferenceNode(at(t, '"host"'), "host"), regex)
    call = e.FunctionNode(at(t, "strLength"), "strLength", (e.ReferenceNode(at(t, '"host"', 1), "host"),))
    length = e.BinaryNode(at(t, "> 3"), TokenKind.GT, call, e.NumberNode(at(t, "3"), 3))
    lam = e.LambdaNode(at(t, "lambda"), e.BinaryNode(at(t, "AND"), TokenKind.AND, match, length))
    head = e.IdentifierNode(at(t, "stream"), "stream")
    chain = Chain(head.pos, head, (Link(at(t, "|"), ChainOp.PIPE, "where", (lam,)),))
    assert single(t) == ExpressionStatement(head.pos, chain)


def test_list_star_identifier_and_expression_arguments() -> None:
    t = "stream|from().groupBy(*).groupBy(tags).groupBy(['host', *, extra]).id(name + '-{{.Group}}')"
    lst = e.ListNode(
        at(t, "["),
        (e.StringNode(at(t, "'host'"), "host"), e.StarNode(at(t, "*", 1)), e.IdentifierNode(at(t, "extra"), "extra")),
    )
    concat = e.BinaryNode(
        at(t, "+"), TokenKind.PLUS, e.IdentifierNode(at(t, "name"), "name"), e.StringNode(at(t, "'-"), "-{{.Group}}")
    )
    chain = single(t)
    assert isinstance(chain, ExpressionStatement) and isinstance(chain.expression, Chain)
    assert [link.args for link in chain.expression.links] == [
        (),
        (e.StarNode(at(t, "*")),),
        (e.IdentifierNode(at(t, "tags"), "tags"),),
        (lst,),
        (concat,),
    ]


def test_list_var_and_expression_var() -> None:
    t = "var g = ['a', b]\nvar id = name + '-x'"
    lst = e.ListNode(at(t, "["), (e.StringNode(at(t, "'a'"), "a"), e.IdentifierNode(at(t, "b"), "b")))
    plus = e.BinaryNode(
        at(t, "+"), TokenKind.PLUS, e.IdentifierNode(at(t, "name"), "name"), e.StringNode(at(t, "'-x'"), "-x")
    )
    assert parse_program(t) == Program((VarDecl(at(t, "var"), "g", lst), VarDecl(at(t, "var", 1), "id", plus)))


def test_identifier_and_call_vars() -> None:
    t = "var a = b var c = d var f = count(x) + 1"
    call = e.FunctionNode(at(t, "count"), "count", (e.IdentifierNode(at(t, "x"), "x"),))
    plus = e.BinaryNode(at(t, "+"), TokenKind.PLUS, call, e.NumberNode(at(t, "1"), 1))
    assert parse_program(t) == Program(
        (
            VarDecl(at(t, "var"), "a", e.IdentifierNode(at(t, "b"), "b")),
            VarDecl(at(t, "var", 1), "c", e.IdentifierNode(at(t, "d"), "d")),
            VarDecl(at(t, "var", 2), "f", plus),
        )
    )


def test_chain_argument_and_trailing_comma() -> None:
    t = "a|join(b|from(), c,).as('x', 'y',)"
    b = e.IdentifierNode(at(t, "b"), "b")
    inner = Chain(b.pos, b, (Link(at(t, "|", 1), ChainOp.PIPE, "from", ()),))
    head = e.IdentifierNode(at(t, "a"), "a")
    links = (
        Link(at(t, "|"), ChainOp.PIPE, "join", (inner, e.IdentifierNode(at(t, "c"), "c"))),
        Link(at(t, ".as"), ChainOp.DOT, "as", (e.StringNode(at(t, "'x'"), "x"), e.StringNode(at(t, "'y'"), "y"))),
    )
    assert single(t) == ExpressionStatement(head.pos, Chain(head.pos, head, links))


def test_property_read_without_parentheses() -> None:
    t = "stream|from().align\n.quiet()"
    chain = single(t)
    assert isinstance(chain, ExpressionStatement) and isinstance(chain.expression, Chain)
    assert chain.expression.links[1:] == (
        Link(at(t, ".align"), ChainOp.DOT, "align", (), call=False),
        Link(at(t, ".quiet"), ChainOp.DOT, "quiet", ()),
    )


def test_lambda_as_identifier_without_colon() -> None:
    t = "var lambda = 1"
    assert single(t) == VarDecl(at(t, "var"), "lambda", e.NumberNode(at(t, "1"), 1))


def test_comments() -> None:
    t = (
        "// header\n\n"
        "// Threshold\n//\n//   in percent\n\n// more\nvar crit = 90\n"
        "stream // after head\n    // before from\n    |from()\n    .measurement('cpu') // trailing\n"
        'dbrp "a"."b" // end one\n// end two\n'
    )
    statements = parse_program(t).statements
    # Every comment block before `var` belongs to it; blank lines between blocks become "\n" entries.
    description = ("header", "\n", "Threshold", "", "  in percent", "\n", "more")
    text = "header\n\n\nThreshold\n\n  in percent\n\n\nmore"
    var = VarDecl(at(t, "var"), "crit", e.NumberNode(at(t, "90"), 90), None, text, description)
    assert statements[0] == var
    chain = statements[1]
    assert isinstance(chain, ExpressionStatement) and isinstance(chain.expression, Chain)
    assert [link.comments for link in chain.expression.links] == [("after head", "before from"), ()]
    assert statements[2:] == (
        Comment(at(t, "// trailing"), "trailing", ("trailing",)),
        Dbrp(at(t, "dbrp"), "a", "b"),
        Comment(at(t, "// end one"), "end one\nend two", ("end one", "end two")),
    )


def test_comments_inside_arguments_are_dropped() -> None:
    t = "stream|from(\n// dropped\n)"
    head = e.IdentifierNode(at(t, "stream"), "stream")
    assert single(t) == ExpressionStatement(
        head.pos, Chain(head.pos, head, (Link(at(t, "|"), ChainOp.PIPE, "from", ()),))
    )


def test_chronograf_threshold_rule() -> None:
    t = """var db = 'telegraf'
var rp = 'autogen'
var measurement = 'cpu'
var groupBy = ['host', 'cluster_id']
var whereFilter = lambda: ("cpu" == 'cpu_total') AND ("host" == 'a' OR "host" == 'b')
var period = 10m
var every = 30s
var name = 'name'
var idVar = name + '-{{.Group}}'
var crit = 90
var data = stream
    |from()
        .database(db)
        .retentionPolicy(rp)
        .measurement(measurement)
        .groupBy(groupBy)
        .where(whereFilter)
    |window()
        .period(period)
        .every(every)
        .align()
    |mean('usage_user')
        .as('value')
var trigger = data
    |alert()
        .crit(lambda: "value" > crit)
        .stateChangesOnly()
        .id(idVar)
        .email()
trigger
    |eval(lambda: float("value"))
        .as('value')
        .keep()
    |influxDBOut()
        .create()
        .tag('alertName', name)
trigger
    |httpOut('output')
"""
    statements = parse_program(t).statements
    assert [type(s).__name__ for s in statements] == ["VarDecl"] * 12 + ["ExpressionStatement"] * 2
    data = statements[10]
    assert isinstance(data, VarDecl) and isinstance(data.value, Chain)
    assert [(link.op.value, link.name, len(link.args)) for link in data.value.links] == [
        ("|", "from", 0),
        (".", "database", 1),
        (".", "retentionPolicy", 1),
        (".", "measurement", 1),
        (".", "groupBy", 1),
        (".", "where", 1),
        ("|", "window", 0),
        (".", "period", 1),
        (".", "every", 1),
        (".", "align", 0),
        ("|", "mean", 1),
        (".", "as", 1),
    ]

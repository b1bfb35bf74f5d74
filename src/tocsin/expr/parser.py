"""Precedence-climbing parser for TICKscript lambda expressions.

Grammar (Kapacitor's tick/ast/parser.go): binary operators, lowest first, `OR` < `AND` < `== != =~ !~`
< `< <= > >=` < `+ -` < `* / %`, all left-associative; unary `-`/`!` bind to the primary that follows
(`-a * b` is `(-a) * b`); primaries are numbers, strings, durations, TRUE/FALSE, regexes, `*`,
references, identifiers, calls `f(args...)` (a trailing comma is accepted) and parenthesised expressions.
Lists (`['a', *]`) are not part of the lambda grammar; `Parser.list_literal` parses them for statements.

Error format (Kapacitor's): `parser: unexpected <token> line L char C in "<context>". expected: "k1","k2"`,
where <token> is the token kind name (`EOF`, `identifier`, `AND`, ...) or the lexer's message, and
`<context>` is up to 10 characters either side of the token on its line. Other parse errors read
`parser: <message> line L char C`. Every error sets `.line` and `.column` (1-based, in characters).
"""

from __future__ import annotations

import math

from tocsin.expr.ast import (
    BinaryNode,
    BoolNode,
    DurationNode,
    FunctionNode,
    IdentifierNode,
    LambdaNode,
    ListNode,
    Node,
    NumberNode,
    ReferenceNode,
    RegexNode,
    StarNode,
    StringNode,
    UnaryNode,
)
from tocsin.expr.errors import ExprParseError
from tocsin.expr.gostrconv import INT64_MAX, parse_influx_duration
from tocsin.expr.lexer import tokenize, unquote_reference, unquote_regex, unquote_string
from tocsin.expr.regex import compile_go_regex
from tocsin.expr.tokens import Token, TokenKind

ERR_UNEXPECTED = 'parser: unexpected {token} line {line} char {char} in "{context}". expected: {expected}'
ERR_AT = "parser: {message} line {line} char {char}"
ERR_ILLEGAL_NUMBER = 'illegal number syntax: "{text}"'
ERR_INVALID_DURATION = "invalid duration"
ERR_TOO_DEEP = "expression nested too deeply"

MAX_NESTING = 32
PRECEDENCE = {
    TokenKind.OR: 0,
    TokenKind.AND: 1,
    TokenKind.EQ: 2,
    TokenKind.NE: 2,
    TokenKind.REGEX_EQ: 2,
    TokenKind.REGEX_NE: 2,
    TokenKind.GT: 3,
    TokenKind.GE: 3,
    TokenKind.LT: 3,
    TokenKind.LE: 3,
    TokenKind.PLUS: 4,
    TokenKind.MINUS: 4,
    TokenKind.MULT: 5,
    TokenKind.DIV: 5,
    TokenKind.MOD: 5,
}
_PRIMARY_EXPECTED = (
    TokenKind.NUMBER,
    TokenKind.STRING,
    TokenKind.DURATION,
    TokenKind.IDENT,
    TokenKind.TRUE,
    TokenKind.FALSE,
    TokenKind.EQ,
    TokenKind.LPAREN,
    TokenKind.MINUS,
    TokenKind.NOT,
)
_LIST_ITEMS = (TokenKind.IDENT, TokenKind.STRING, TokenKind.STAR)


def parse_expression(text: str) -> Node:
    """Parse a whole lambda body (the text after `lambda:`); raises ExprParseError."""
    parser = Parser(text)
    node = parser.expression()
    parser.expect(TokenKind.EOF)
    return node


class Parser:
    """Token cursor plus the expression grammar; the TICKscript statement parser builds on it."""

    def __init__(self, text: str) -> None:
        self.text = text
        all_tokens = tokenize(text)
        self.comments = [t for t in all_tokens if t.kind is TokenKind.COMMENT]
        self.tokens = [t for t in all_tokens if t.kind is not TokenKind.COMMENT]
        self.index = 0
        self._depth = 0

    def peek(self) -> Token:
        """The next token, not consumed."""
        return self.tokens[self.index]

    def next(self) -> Token:
        """Consume and return the next token (the final EOF/ERROR token is never passed)."""
        token = self.tokens[self.index]
        if self.index < len(self.tokens) - 1:
            self.index += 1
        return token

    def expect(self, kind: TokenKind) -> Token:
        """Consume a token of `kind` or raise the `unexpected` error."""
        token = self.next()
        if token.kind is not kind:
            raise self.unexpected(token, kind)
        return token

    def unexpected(self, token: Token, *expected: TokenKind) -> ExprParseError:
        """Kapacitor's `unexpected` error for `token`, listing the expected kinds."""
        offset = token.pos.offset
        start = max(offset - 10, 0)
        newline = self.text.rfind("\n", start, offset)
        if newline >= 0:
            start = newline + 1
        stop = min(offset + 10, len(self.text))
        newline = self.text.find("\n", offset, stop)
        if newline >= 0:
            stop = newline
        message = ERR_UNEXPECTED.format(
            token=token.describe(),
            line=token.line,
            char=token.column,
            context=self.text[start:stop],
            expected=",".join(f'"{kind.label}"' for kind in expected),
        )
        return ExprParseError(message, token.line, token.column)

    def fail(self, token: Token, message: str) -> ExprParseError:
        """A `parser: <message> line L char C` error at `token`."""
        text = ERR_AT.format(message=message, line=token.line, char=token.column)
        return ExprParseError(text, token.line, token.column)

    def expression(self) -> Node:
        """A full expression: a primary followed by any binary operators."""
        return self._climb(self.primary(), 0)

    def _climb(self, lhs: Node, min_precedence: int) -> Node:
        look = self.peek()
        while look.kind in PRECEDENCE and PRECEDENCE[look.kind] >= min_precedence:
            op = self.next()
            rhs = self.primary()
            look = self.peek()
            while look.kind in PRECEDENCE and PRECEDENCE[look.kind] > PRECEDENCE[op.kind]:
                rhs = self._climb(rhs, PRECEDENCE[look.kind])
                look = self.peek()
            lhs = BinaryNode(op.pos, op.kind, lhs, rhs)
        return lhs

    def primary(self) -> Node:
        """One operand: a literal, reference, identifier, call, unary operation or parenthesised expression."""
        token = self.peek()
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                raise self.fail(token, ERR_TOO_DEEP)
            return self._primary(token)
        finally:
            self._depth -= 1

    def _primary(self, token: Token) -> Node:
        kind = token.kind
        if kind is TokenKind.LPAREN:
            self.next()
            node = self.expression()
            if isinstance(node, BinaryNode):
                node = BinaryNode(node.pos, node.op, node.left, node.right, parens=True)
            self.expect(TokenKind.RPAREN)
            return node
        if kind in (TokenKind.MINUS, TokenKind.NOT):
            self.next()
            return UnaryNode(token.pos, kind, self.primary())
        if kind is TokenKind.IDENT:
            self.next()
            if self.peek().kind is TokenKind.LPAREN:
                return self._call(token)
            return IdentifierNode(token.pos, token.text)
        literal = self._literal(token)
        if literal is None:
            raise self.unexpected(token, *_PRIMARY_EXPECTED)
        self.next()
        return literal

    def _call(self, name: Token) -> FunctionNode:
        self.expect(TokenKind.LPAREN)
        args: list[Node] = []
        while self.peek().kind is not TokenKind.RPAREN:
            args.append(self.expression())
            if self.peek().kind is not TokenKind.COMMA:
                break
            self.next()
        self.expect(TokenKind.RPAREN)
        return FunctionNode(name.pos, name.text, tuple(args))

    def _literal(self, token: Token) -> Node | None:
        kind, pos, text = token.kind, token.pos, token.text
        if kind is TokenKind.NUMBER:
            return NumberNode(pos, self._number(token))
        if kind is TokenKind.STRING:
            return StringNode(pos, unquote_string(text), triple=text.startswith("'''") and len(text) >= 6)
        if kind is TokenKind.DURATION:
            try:
                return DurationNode(pos, parse_influx_duration(text.replace("us", "u").replace("µs", "u")), text)
            except ValueError:
                raise self.fail(token, ERR_INVALID_DURATION) from None
        if kind in (TokenKind.TRUE, TokenKind.FALSE):
            return BoolNode(pos, kind is TokenKind.TRUE)
        if kind is TokenKind.REGEX:
            literal = unquote_regex(text)
            try:
                return RegexNode(pos, text[1:-1], compile_go_regex(literal))
            except ValueError as exc:
                raise self.fail(token, str(exc)) from None
        if kind is TokenKind.REFERENCE:
            return ReferenceNode(pos, unquote_reference(text))
        if kind is TokenKind.STAR:
            return StarNode(pos)
        return None

    def _number(self, token: Token) -> int | float:
        text = token.text
        try:
            if not text.isascii():
                raise ValueError(text)
            if "." in text:
                number = float(text)
                if math.isinf(number):  # Go's ParseFloat rejects out-of-range literals
                    raise ValueError(text)
                return number
            value = int(text, 8 if text.startswith("0") and len(text) > 1 else 10)
            if value > INT64_MAX:
                raise ValueError(text)
            return value
        except ValueError:
            raise self.fail(token, ERR_ILLEGAL_NUMBER.format(text=text)) from None

    def list_literal(self) -> ListNode:
        """`[item, ...]` where items are identifiers, strings or `*` (TICKscript statements)."""
        open_token = self.expect(TokenKind.LBRACKET)
        items: list[Node] = []
        while self.peek().kind is not TokenKind.RBRACKET:
            token = self.peek()
            if token.kind not in _LIST_ITEMS:
                raise self.unexpected(token, *_LIST_ITEMS)
            self.next()
            item = IdentifierNode(token.pos, token.text) if token.kind is TokenKind.IDENT else self._literal(token)
            assert item is not None
            items.append(item)
            if self.peek().kind is not TokenKind.COMMA:
                break
            self.next()
        self.expect(TokenKind.RBRACKET)
        return ListNode(open_token.pos, tuple(items))

    def lambda_expression(self) -> LambdaNode:
        """`lambda: expr` (the LAMBDA token includes the colon)."""
        token = self.expect(TokenKind.LAMBDA)
        return LambdaNode(token.pos, self.expression())

"""TICKscript statement parser: `var`, `dbrp`, chains and comments, on top of the expression parser.

Grammar (Kapacitor's tick/ast/parser.go): a program is statements until EOF, with no separators.
`var name = value` or `var name type`; `dbrp "db"."rp"`; otherwise an expression. At statement level an
expression is a chain (`ident` followed by `|`, `.` or `@` links), a lambda `lambda: expr`, a list
`[a, 'b', *]`, or a lambda-grammar expression (`name + '-{{.Group}}'`, `5m`, `'text'`). A `|` link is
always a call `name(args)`; `.`/`@` links are calls, or a bare `name` when no `(` follows. Arguments of
links are statement-level expressions, so they may be lambdas, lists or chains.

Comments: the block before `var` is its description, the block before a link operator goes on the Link,
a block before any other statement or at the end becomes a Comment statement; comments anywhere else
(inside argument lists or expressions) are dropped, as Kapacitor drops most of them.

Errors are `TickParseError`s with Kapacitor's texts (see `tocsin.expr.parser`): `parser: unexpected
<token> line L char C in "<context>". expected: "k1","k2"` or `parser: <message> line L char C`.
"""

from __future__ import annotations

from tocsin.expr import ast as expr_ast
from tocsin.expr.errors import ExprParseError
from tocsin.expr.lexer import unquote_reference
from tocsin.expr.parser import ERR_AT, ERR_TOO_DEEP, MAX_NESTING, Parser
from tocsin.expr.tokens import Token, TokenKind
from tocsin.tick.ast import (
    Chain,
    ChainOp,
    Comment,
    Dbrp,
    Expression,
    ExpressionStatement,
    Link,
    Program,
    Statement,
    VarDecl,
)
from tocsin.tick.comments import comment_text, group_comments
from tocsin.tick.errors import ERR_CALL_CHAIN, ERR_CHAIN_ARGUMENT, ERR_TOO_LONG, TickParseError

MAX_SCRIPT_CHARS = 1 << 20

_CHAIN_OPS = {TokenKind.PIPE: ChainOp.PIPE, TokenKind.DOT: ChainOp.DOT, TokenKind.AT: ChainOp.AT}
# After an identifier, these make Kapacitor read it as a chain head rather than an operand.
_CHAIN_FOLLOW = frozenset({TokenKind.DOT, TokenKind.PIPE, TokenKind.AT, TokenKind.VAR, TokenKind.IDENT})


def parse_program(text: str) -> Program:
    """Parse a whole TICKscript; raises TickParseError (never anything else) on invalid input."""
    if len(text) > MAX_SCRIPT_CHARS:
        message = ERR_AT.format(message=ERR_TOO_LONG.format(length=len(text), limit=MAX_SCRIPT_CHARS), line=1, char=1)
        raise TickParseError(message, 1, 1)
    try:
        return _ScriptParser(text).program()
    except ExprParseError as exc:
        raise TickParseError(str(exc), exc.line, exc.column) from None
    except RecursionError:
        # A last resort: nesting limits keep every script this parser accepts far below the recursion limit.
        raise TickParseError(ERR_AT.format(message=ERR_TOO_DEEP, line=1, char=1), 1, 1) from None


class _ScriptParser(Parser):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._comment_groups = group_comments(self.comments, self.tokens)
        self._nesting = 0

    def _comments_before(self, index: int) -> tuple[Token | None, tuple[str, ...]]:
        first, lines = self._comment_groups.get(index, (None, ()))
        return first, lines

    def _peek_second(self) -> Token:
        return self.tokens[min(self.index + 1, len(self.tokens) - 1)]

    def program(self) -> Program:
        """All statements up to EOF."""
        statements: list[Statement] = []
        while True:
            token = self.peek()
            first_comment, lines = self._comments_before(self.index)
            if token.kind is TokenKind.VAR:
                statements.append(self._declaration(lines))
                continue
            if first_comment is not None:
                statements.append(Comment(first_comment.pos, comment_text(lines), lines))
            if token.kind is TokenKind.EOF:
                return Program(tuple(statements))
            if token.kind is TokenKind.DBRP:
                statements.append(self._dbrp())
            else:
                statements.append(ExpressionStatement(token.pos, self._statement_expression()))

    def _declaration(self, lines: tuple[str, ...]) -> VarDecl:
        var_token = self.expect(TokenKind.VAR)
        name = self.expect(TokenKind.IDENT)
        description = comment_text(lines)
        if self.peek().kind is TokenKind.ASSIGN:
            self.next()
            value = self._statement_expression()
            return VarDecl(var_token.pos, name.text, value, None, description, lines)
        type_name = self.expect(TokenKind.IDENT)
        return VarDecl(var_token.pos, name.text, None, type_name.text, description, lines)

    def _dbrp(self) -> Dbrp:
        dbrp_token = self.expect(TokenKind.DBRP)
        database = self.expect(TokenKind.REFERENCE)
        self.expect(TokenKind.DOT)
        retention_policy = self.expect(TokenKind.REFERENCE)
        return Dbrp(dbrp_token.pos, unquote_reference(database.text), unquote_reference(retention_policy.text))

    def _statement_expression(self) -> Expression:
        token = self.peek()
        self._nesting += 1
        try:
            if self._nesting > MAX_NESTING:
                raise self.fail(token, ERR_TOO_DEEP)
            return self._statement_expression_at(token)
        finally:
            self._nesting -= 1

    def _statement_expression_at(self, token: Token) -> Expression:
        if token.kind is TokenKind.IDENT:
            follower = self._peek_second().kind
            if follower is TokenKind.LPAREN:
                call = self._global_call()
                if self.peek().kind in _CHAIN_OPS:
                    raise self.fail(self.peek(), ERR_CALL_CHAIN)
                return self._climb(call, 0)
            if follower in _CHAIN_FOLLOW:
                self.next()
                return self._chain(expr_ast.IdentifierNode(token.pos, token.text))
            return self.expression()
        if token.kind is TokenKind.LAMBDA:
            return self.lambda_expression()
        if token.kind is TokenKind.LBRACKET:
            return self.list_literal()
        return self.expression()

    def _global_call(self) -> expr_ast.FunctionNode:
        name = self.expect(TokenKind.IDENT)
        args: list[expr_ast.Node] = []
        for arg in self._arguments():
            if isinstance(arg, Chain):
                raise self.fail(Token(TokenKind.PIPE, "", arg.links[0].pos), ERR_CHAIN_ARGUMENT)
            args.append(arg)
        return expr_ast.FunctionNode(name.pos, name.text, tuple(args))

    def _arguments(self) -> tuple[Expression, ...]:
        """`(arg, ...)`: statement-level expressions, a trailing comma allowed, as Kapacitor's parameters()."""
        self.expect(TokenKind.LPAREN)
        args: list[Expression] = []
        while self.peek().kind is not TokenKind.RPAREN:
            args.append(self._statement_expression())
            if self.peek().kind is not TokenKind.COMMA:
                break
            self.next()
        self.expect(TokenKind.RPAREN)
        return tuple(args)

    def _chain(self, head: expr_ast.IdentifierNode) -> Expression:
        links: list[Link] = []
        while self.peek().kind in _CHAIN_OPS:
            _, comments = self._comments_before(self.index)
            operator = self.next()
            op = _CHAIN_OPS[operator.kind]
            if op is ChainOp.PIPE or self._peek_second().kind is TokenKind.LPAREN:
                name = self.expect(TokenKind.IDENT)
                links.append(Link(operator.pos, op, name.text, self._arguments(), comments))
            else:
                name = self.expect(TokenKind.IDENT)
                links.append(Link(operator.pos, op, name.text, (), comments, call=False))
        if not links:
            return head
        return Chain(head.pos, head, tuple(links))

"""The expression half of the parser: token stream, pipelines, commands, operands and constants."""

from __future__ import annotations

import re
from typing import NoReturn

from tocsin.gocompat.quoting import go_quote, unquote, unquote_rune
from tocsin.gotemplate.errors import TemplateError, line_and_column
from tocsin.gotemplate.lexer import lex
from tocsin.gotemplate.nodes import (
    BoolNode,
    ChainNode,
    CommandNode,
    DotNode,
    FieldNode,
    IdentifierNode,
    NilNode,
    Node,
    NumberNode,
    PipeNode,
    StringNode,
    VariableNode,
)
from tocsin.gotemplate.tokens import Kind, Token

_OPERAND_START = frozenset(
    {
        Kind.BOOL,
        Kind.CHAR_CONSTANT,
        Kind.DOT,
        Kind.FIELD,
        Kind.IDENTIFIER,
        Kind.NUMBER,
        Kind.NIL,
        Kind.RAW_STRING,
        Kind.STRING,
        Kind.VARIABLE,
        Kind.LEFT_PAREN,
    }
)
_NOT_EXECUTABLE = (BoolNode, DotNode, NilNode, NumberNode, StringNode)
_OCTAL = re.compile(r"[+-]?0[0-7_]+$")
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


class PipelineParser:
    """Reads tokens and parses pipelines; `Parser` adds the control structures on top."""

    def __init__(self, name: str, text: str, funcs: frozenset[str]) -> None:
        self.name = name
        self.text = text
        self.funcs = funcs
        self.tokens = lex(text, funcs & {"break", "continue"})
        self.last = len(self.tokens) - 1
        self.i = 0
        self.hi = 0  # the furthest token read: Go reports parse errors at the line of the last token lexed
        self.vars = ["$"]
        self.action_line = 0  # line of the `{{` being parsed, for "unclosed action started at" errors

    # token stream ---------------------------------------------------------------------------------
    def next(self) -> Token:
        i = self.i
        if i > self.last:
            i = self.last
        if i > self.hi:
            self.hi = i
        self.i = i + 1
        return self.tokens[i]

    def peek(self) -> Token:
        tok = self.next()
        self.i -= 1
        return tok

    def next_non_space(self) -> Token:
        tok = self.next()
        while tok.kind is Kind.SPACE:
            tok = self.next()
        return tok

    def peek_non_space(self) -> Token:
        tok = self.next_non_space()
        self.i -= 1
        return tok

    def expect(self, kind: Kind, context: str) -> Token:
        tok = self.next_non_space()
        if tok.kind is not kind:
            self.unexpected(tok, context)
        return tok

    def errorf(self, message: str) -> TemplateError:
        tok = self.tokens[self.hi]
        _, column = line_and_column(self.text, tok.pos)
        return TemplateError(f"template: {self.name}:{tok.line}: {message}", tok.line, column)

    def unexpected(self, tok: Token, context: str) -> NoReturn:
        if tok.kind is Kind.ERROR:
            extra = ""
            if self.action_line and self.action_line != tok.line:
                extra = f" in action started at {self.name}:{self.action_line}"
                if tok.val.endswith(" action"):
                    extra = extra[len(" in action") :]
            raise self.errorf(tok.val + extra)
        raise self.errorf(f"unexpected {tok.describe()} in {context}")

    # pipelines ------------------------------------------------------------------------------------
    def pipeline(self, context: str, end: Kind) -> PipeNode:
        start = self.peek_non_space()
        pipe = PipeNode(start.pos, start.line)
        self.declarations(pipe, context)
        while True:
            tok = self.next_non_space()
            if tok.kind is end:
                self.check_pipeline(pipe, context)
                return pipe
            if tok.kind not in _OPERAND_START:
                self.unexpected(tok, context)
            self.i -= 1
            pipe.cmds.append(self.command())

    def declarations(self, pipe: PipeNode, context: str) -> None:
        while (var := self.peek_non_space()).kind is Kind.VARIABLE:
            mark = self.i
            self.next()
            nxt = self.peek_non_space()
            if nxt.kind in (Kind.ASSIGN, Kind.DECLARE):
                pipe.is_assign = nxt.kind is Kind.ASSIGN
                self.next_non_space()
                pipe.decl.append(VariableNode(var.pos, (var.val,)))
                self.vars.append(var.val)
                return
            if nxt.kind is Kind.CHAR and nxt.val == ",":
                self.next_non_space()
                pipe.decl.append(VariableNode(var.pos, (var.val,)))
                self.vars.append(var.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().kind in (Kind.VARIABLE, Kind.RIGHT_DELIM, Kind.RIGHT_PAREN):
                        continue
                    raise self.errorf("range can only initialize variables")
                raise self.errorf(f"too many declarations in {context}")
            self.i = mark
            return

    def check_pipeline(self, pipe: PipeNode, context: str) -> None:
        if not pipe.cmds:
            raise self.errorf(f"missing value for {context}")
        for i, cmd in enumerate(pipe.cmds[1:]):
            if isinstance(cmd.args[0], _NOT_EXECUTABLE):
                raise self.errorf(f"non executable command in pipeline stage {i + 2}")

    def command(self) -> CommandNode:
        cmd = CommandNode(self.peek_non_space().pos)
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            tok = self.next()
            if tok.kind is Kind.SPACE:
                continue
            if tok.kind in (Kind.RIGHT_DELIM, Kind.RIGHT_PAREN):
                self.i -= 1
            elif tok.kind is not Kind.PIPE:
                self.unexpected(tok, "operand")
            break
        if not cmd.args:
            raise self.errorf("empty command")
        return cmd

    def operand(self) -> Node | None:
        node = self.term()
        if node is None or self.peek().kind is not Kind.FIELD:
            return node
        chain = ChainNode(self.peek().pos, node)
        while self.peek().kind is Kind.FIELD:
            chain.fields.append(self.next().val[1:])
        if isinstance(node, FieldNode):
            return FieldNode(chain.pos, node.ident + tuple(chain.fields))
        if isinstance(node, VariableNode):
            return VariableNode(chain.pos, node.ident + tuple(chain.fields))
        if isinstance(node, _NOT_EXECUTABLE):
            raise self.errorf(f"unexpected . after term {go_quote(str(node))}")
        return chain

    def term(self) -> Node | None:
        tok = self.next_non_space()
        kind = tok.kind
        if kind is Kind.FIELD:
            return FieldNode(tok.pos, (tok.val[1:],))
        if kind is Kind.IDENTIFIER:
            if tok.val not in self.funcs:
                raise self.errorf(f"function {go_quote(tok.val)} not defined")
            return IdentifierNode(tok.pos, tok.val)
        if kind is Kind.VARIABLE:
            if tok.val not in self.vars:
                raise self.errorf(f"undefined variable {go_quote(tok.val)}")
            return VariableNode(tok.pos, (tok.val,))
        if kind is Kind.DOT:
            return DotNode(tok.pos)
        if kind is Kind.NIL:
            return NilNode(tok.pos)
        if kind is Kind.BOOL:
            return BoolNode(tok.pos, tok.val == "true")
        if kind in (Kind.NUMBER, Kind.CHAR_CONSTANT):
            return NumberNode(tok.pos, tok.val, self.number(tok))
        if kind in (Kind.STRING, Kind.RAW_STRING):
            return StringNode(tok.pos, tok.val, self.unquote(tok.val))
        if kind is Kind.LEFT_PAREN:
            return self.pipeline("parenthesized pipeline", Kind.RIGHT_PAREN)
        self.i -= 1
        return None

    def unquote(self, literal: str) -> str:
        try:
            return unquote(literal)
        except ValueError as exc:
            raise self.errorf(str(exc)) from None

    def number(self, tok: Token) -> int | float | None:
        """Go's ideal constant for a number token: int, float, or None for an int that overflows int64."""
        text = tok.val
        if tok.kind is Kind.CHAR_CONSTANT:
            try:
                return unquote_rune(text)
            except ValueError as exc:
                raise self.errorf(str(exc)) from None
        as_int = _parse_int(text)
        if as_int is not None and not _looks_float(text):
            if _INT64_MIN <= as_int <= _INT64_MAX:
                return as_int
            if 0 <= as_int < 1 << 64:
                return None
            raise self.errorf(f"integer overflow: {go_quote(text)}")
        try:
            plain = text.replace("_", "")
            if plain.lstrip("+-")[:2].lower() == "0x":
                return float.fromhex(plain)
            value = float(plain)
        except ValueError:
            raise self.errorf(f"illegal number syntax: {go_quote(text)}") from None
        if not any(c in text for c in ".eEpP"):
            raise self.errorf(f"integer overflow: {go_quote(text)}")
        return value


def _parse_int(text: str) -> int | None:
    try:
        if _OCTAL.match(text):
            return int(text.replace("_", ""), 8)
        return int(text, 0)
    except ValueError:
        return None


def _looks_float(text: str) -> bool:
    """Go's idealConstant test: float syntax unless the text is a hex integer."""
    is_hex_int = len(text) > 2 and text[0] == "0" and text[1] in "xX" and not any(c in text for c in "pP")
    return not is_hex_int and any(c in text for c in ".eEpP")

"""Go text/template parser: same grammar, same checks and same error texts as text/template/parse."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import NoReturn

from tocsin.gotemplate.errors import TemplateError, line_and_column
from tocsin.gotemplate.lexer import Kind, Token, lex
from tocsin.gotemplate.nodes import (
    ActionNode,
    BoolNode,
    BranchNode,
    BreakNode,
    ChainNode,
    CommandNode,
    ContinueNode,
    DotNode,
    ElseNode,
    EndNode,
    FieldNode,
    IdentifierNode,
    ListNode,
    NilNode,
    Node,
    NumberNode,
    PipeNode,
    StringNode,
    TemplateNode,
    TextNode,
    VariableNode,
)
from tocsin.gotemplate.quoting import go_quote, unquote, unquote_rune

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


class Parser:
    """Parses one template text into its main tree and the trees of its `define`/`block` clauses."""

    def __init__(self, name: str, text: str, funcs: Collection[str]) -> None:
        self.name = name
        self.text = text
        self.funcs = funcs
        self.tokens = lex(text, frozenset({"break", "continue"}.intersection(funcs)))
        self.i = 0
        self.hi = 0
        self.vars = ["$"]
        self.range_depth = 0
        self.action_line = 0
        self.trees: dict[str, ListNode] = {}

    # token stream ---------------------------------------------------------------------------------
    def next(self) -> Token:
        i = min(self.i, len(self.tokens) - 1)
        self.hi = max(self.hi, i)
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
        tok = self.tokens[min(self.hi, len(self.tokens) - 1)]
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

    # top level ------------------------------------------------------------------------------------
    def parse(self) -> dict[str, ListNode]:
        """All trees by template name; the main tree is under the parser's name."""
        root = ListNode(self.peek().pos)
        while self.peek().kind is not Kind.EOF:
            if self.peek().kind is Kind.LEFT_DELIM:
                mark = self.i
                self.next()
                if self.next_non_space().kind is Kind.DEFINE:
                    self.parse_definition()
                    continue
                self.i = mark
            node = self.text_or_action()
            if isinstance(node, (EndNode, ElseNode)):
                raise self.errorf(f"unexpected {node}")
            root.nodes.append(node)
        self.add(self.name, root)
        return self.trees

    def add(self, name: str, root: ListNode) -> None:
        existing = self.trees.get(name)
        if existing is None or _is_empty(existing):
            self.trees[name] = root
        elif not _is_empty(root):
            raise self.errorf(f"template: multiple definition of template {go_quote(name)}")

    def sub_tree(self) -> tuple[ListNode, Node]:
        """An item list parsed with fresh variables, as Go parses define and block bodies."""
        saved = (self.vars, self.range_depth)
        self.vars, self.range_depth = ["$"], 0
        try:
            return self.item_list()
        finally:
            self.vars, self.range_depth = saved

    def parse_definition(self) -> None:
        context = "define clause"
        tok = self.next_non_space()
        if tok.kind not in (Kind.STRING, Kind.RAW_STRING):
            self.unexpected(tok, context)
        name = self.unquote(tok.val)
        self.expect(Kind.RIGHT_DELIM, context)
        root, end = self.sub_tree()
        if not isinstance(end, EndNode):
            raise self.errorf(f"unexpected {end} in {context}")
        self.add(name, root)

    def item_list(self) -> tuple[ListNode, Node]:
        lst = ListNode(self.peek_non_space().pos)
        while self.peek_non_space().kind is not Kind.EOF:
            node = self.text_or_action()
            if isinstance(node, (EndNode, ElseNode)):
                return lst, node
            lst.nodes.append(node)
        raise self.errorf("unexpected EOF")

    def text_or_action(self) -> Node:
        tok = self.next_non_space()
        if tok.kind is Kind.TEXT:
            return TextNode(tok.pos, tok.val)
        if tok.kind is Kind.LEFT_DELIM:
            self.action_line = tok.line
            try:
                return self.action()
            finally:
                self.action_line = 0
        self.unexpected(tok, "input")

    def action(self) -> Node:
        tok = self.next_non_space()
        kind = tok.kind
        if kind in (Kind.IF, Kind.RANGE, Kind.WITH):
            return self.branch(tok.val)
        if kind is Kind.END:
            return EndNode(self.expect(Kind.RIGHT_DELIM, "end").pos)
        if kind is Kind.ELSE:
            nxt = self.peek_non_space()
            if nxt.kind in (Kind.IF, Kind.WITH):
                return ElseNode(nxt.pos, nxt.line)
            end = self.expect(Kind.RIGHT_DELIM, "else")
            return ElseNode(end.pos, end.line)
        if kind in (Kind.BREAK, Kind.CONTINUE):
            return self.loop_control(tok)
        if kind is Kind.TEMPLATE:
            return self.template_control()
        if kind is Kind.BLOCK:
            return self.block_control()
        self.i -= 1
        start = self.peek()
        return ActionNode(start.pos, start.line, self.pipeline("command", Kind.RIGHT_DELIM))

    def loop_control(self, tok: Token) -> Node:
        word = "{{" + tok.val + "}}"
        end = self.next_non_space()
        if end.kind is not Kind.RIGHT_DELIM:
            self.unexpected(end, word)
        if self.range_depth == 0:
            raise self.errorf(f"{word} outside {{{{range}}}}")
        return BreakNode(tok.pos) if tok.kind is Kind.BREAK else ContinueNode(tok.pos)

    def branch(self, keyword: str) -> BranchNode:
        saved = len(self.vars)
        try:
            pipe = self.pipeline(keyword, Kind.RIGHT_DELIM)
            if keyword == "range":
                self.range_depth += 1
            body, nxt = self.item_list()
            if keyword == "range":
                self.range_depth -= 1
            else_list = None
            if isinstance(nxt, ElseNode):
                follow = self.peek().kind
                if keyword in ("if", "with") and follow is (Kind.IF if keyword == "if" else Kind.WITH):
                    self.next()
                    else_list = ListNode(nxt.pos, [self.branch(keyword)])
                else:
                    else_list, end = self.item_list()
                    if not isinstance(end, EndNode):
                        raise self.errorf(f"expected end; found {end}")
            return BranchNode(pipe.pos, keyword, pipe.line, pipe, body, else_list)
        finally:
            del self.vars[saved:]

    def template_name(self, tok: Token, context: str) -> str:
        if tok.kind not in (Kind.STRING, Kind.RAW_STRING):
            self.unexpected(tok, context)
        return self.unquote(tok.val)

    def template_control(self) -> Node:
        context = "template clause"
        tok = self.next_non_space()
        name = self.template_name(tok, context)
        pipe = None
        if self.next_non_space().kind is not Kind.RIGHT_DELIM:
            self.i -= 1
            pipe = self.pipeline(context, Kind.RIGHT_DELIM)
        return TemplateNode(tok.pos, tok.line, name, pipe)

    def block_control(self) -> Node:
        context = "block clause"
        tok = self.next_non_space()
        name = self.template_name(tok, context)
        pipe = self.pipeline(context, Kind.RIGHT_DELIM)
        root, end = self.sub_tree()
        if not isinstance(end, EndNode):
            raise self.errorf(f"unexpected {end} in {context}")
        self.add(name, root)
        return TemplateNode(tok.pos, tok.line, name, pipe)

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


def _is_empty(root: ListNode) -> bool:
    return all(isinstance(n, TextNode) and not n.text.strip() for n in root.nodes)


def parse(name: str, text: str, funcs: Collection[str]) -> dict[str, ListNode]:
    """Parse `text`; returns the trees by name (the main one under `name`). Raises TemplateError."""
    return Parser(name, text, funcs).parse()

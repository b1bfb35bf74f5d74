"""Go text/template parser: same grammar, same checks and same error texts as text/template/parse."""

from __future__ import annotations

from collections.abc import Collection

from tocsin.gocompat.quoting import go_quote
from tocsin.gotemplate.nodes import (
    ActionNode,
    BranchNode,
    BreakNode,
    ContinueNode,
    ElseNode,
    EndNode,
    ListNode,
    Node,
    TemplateNode,
    TextNode,
)
from tocsin.gotemplate.pipeline import PipelineParser
from tocsin.gotemplate.tokens import Kind, Token


class Parser(PipelineParser):
    """Parses one template text into its main tree and the trees of its `define`/`block` clauses."""

    def __init__(self, name: str, text: str, funcs: frozenset[str]) -> None:
        super().__init__(name, text, funcs)
        self.range_depth = 0
        self.trees: dict[str, ListNode] = {}

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


def _is_empty(root: ListNode) -> bool:
    return all(isinstance(n, TextNode) and not n.text.strip() for n in root.nodes)


def parse(name: str, text: str, funcs: Collection[str]) -> dict[str, ListNode]:
    """Parse `text`; returns the trees by name (the main one under `name`). Raises TemplateError."""
    return Parser(name, text, frozenset(funcs)).parse()

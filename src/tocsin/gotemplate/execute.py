"""Executes a parsed template: walks the tree, printing actions and running if, range, with and template."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from tocsin.gocompat.quoting import go_quote
from tocsin.gotemplate.budget import COURTESY_SECONDS, LOOP_SECONDS, NeedsThread, limits
from tocsin.gotemplate.builtins import FuncSpec
from tocsin.gotemplate.errors import NO_VALUE, TemplateError
from tocsin.gotemplate.escape import html_text_escape
from tocsin.gotemplate.evaluate import Evaluator
from tocsin.gotemplate.gofmt import format_value
from tocsin.gotemplate.nodes import (
    ActionNode,
    BranchNode,
    BreakNode,
    ContinueNode,
    IdentifierNode,
    ListNode,
    Node,
    TemplateNode,
    TextNode,
)
from tocsin.gotemplate.values import go_type_name, is_true, sorted_items, struct_fields

# Go allows 100000 nested template calls; Python's stack does not, so the limit is lower here.
MAX_EXEC_DEPTH = 100


MAX_STEPS = 20_000
MAX_OUTPUT = 1 << 20
TOO_MANY_STEPS = "template run stopped after {limit} steps (a range over too much data?)"
TOO_SLOW = "template run stopped after {limit} ms (a range over too much data?)"
OUTPUT_TOO_LARGE = "template output is larger than {limit} characters"


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class State(Evaluator):
    """One execution of a template: the evaluator plus tree walking and output, within budgets.

    Go runs templates to the end however long they take; an alert template is user input here, so a run
    stops with a TemplateError after MAX_STEPS nodes (three nested `range` over 150 series took 1.2 s of the
    event loop), MAX_OUTPUT characters of output, or its time budget from its first loop iteration or
    template call (`budget.limits`: a `printf` of a 50-key map inside two ranges took 626 ms within the other
    two budgets). Steps alone do not bound time, since one step can format a large map; loops and template
    calls are what multiply the work, so the clock is read there."""

    steps = 0
    size = 0
    deadline = 0.0
    seconds = 0.0
    movable = False
    courtesy = 0.0

    def tick(self) -> None:
        """One loop iteration or template call: within the time budget of the run."""
        now = time.perf_counter()
        if not self.deadline:
            self.seconds, self.movable = limits()
            self.deadline = now + self.seconds
            self.courtesy = now + COURTESY_SECONDS if self.seconds > LOOP_SECONDS else 0.0
        elif now > self.deadline:
            if self.movable:
                raise NeedsThread
            self.errorf(TOO_SLOW.format(limit=round(self.seconds * 1000)))
        elif self.courtesy and now > self.courtesy:
            # in a worker thread: hand the GIL to the event loop now rather than at the interpreter's switch
            # interval, so a request waiting on the loop is not held up for 5 ms at each of its steps
            time.sleep(0)
            self.courtesy = time.perf_counter() + COURTESY_SECONDS

    def emit(self, text: str) -> None:
        self.size += len(text)
        if self.size > MAX_OUTPUT:
            self.errorf(OUTPUT_TOO_LARGE.format(limit=MAX_OUTPUT))
        self.out.append(text)

    def walk(self, dot: Any, node: Node) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            self.errorf(TOO_MANY_STEPS.format(limit=MAX_STEPS))
        if isinstance(node, TextNode):
            self.emit(node.text)
        elif isinstance(node, ActionNode):
            self.node = node
            value = self.eval_pipeline(dot, node.pipe)
            if not node.pipe.decl:
                self.print_value(node, value)
        elif isinstance(node, ListNode):
            for child in node.nodes:
                self.walk(dot, child)
        elif isinstance(node, BranchNode):
            self.node = node
            if node.keyword == "range":
                self.walk_range(dot, node)
            else:
                self.walk_if_or_with(dot, node)
        elif isinstance(node, TemplateNode):
            self.walk_template(dot, node)
        elif isinstance(node, BreakNode):
            raise _Break
        elif isinstance(node, ContinueNode):
            raise _Continue
        else:
            self.node = node
            self.errorf(f"unknown node: {node}")

    def print_value(self, node: ActionNode, value: Any) -> None:
        self.node = node
        if self.html:
            cmds = node.pipe.cmds
            last = cmds[-1].args[0]
            if isinstance(last, IdentifierNode) and last.ident == "html" and "html" not in self.funcs:
                self.emit(value if isinstance(value, str) else format_value(value))
            else:
                self.emit(html_text_escape(value))
            return
        if type(value) is str:
            self.emit(value)
        elif value is None:
            self.emit(NO_VALUE)
        elif callable(value) and struct_fields(value) is None:
            self.errorf(f"can't print {node} of type {go_type_name(value)}")
        else:
            self.emit(format_value(value))

    def walk_if_or_with(self, dot: Any, node: BranchNode) -> None:
        mark = len(self.vars)
        try:
            value = self.eval_pipeline(dot, node.pipe)
            if is_true(value):
                self.walk(value if node.keyword == "with" else dot, node.list)
            elif node.else_list is not None:
                self.walk(dot, node.else_list)
        finally:
            del self.vars[mark:]

    def walk_range(self, dot: Any, node: BranchNode) -> None:
        mark = len(self.vars)
        try:
            value = self.eval_pipeline(dot, node.pipe)
            inner = len(self.vars)
            items: Any
            if isinstance(value, (list, tuple)):
                items = enumerate(value)
            elif isinstance(value, Mapping):
                items = sorted_items(value)
            elif isinstance(value, int) and not isinstance(value, bool):
                if len(node.pipe.decl) > 1:
                    self.errorf(f"can't use {format_value(value)} to iterate over more than one variable")
                items = ((None, i) for i in range(value))
            elif value is None:
                items = ()
            else:
                self.errorf(f"range can't iterate over {format_value(value)}")
            ran = False
            for key, elem in items:
                ran = True
                if self.one_iteration(node, inner, key, elem):
                    break
            if not ran and node.else_list is not None:
                self.walk(dot, node.else_list)
        finally:
            del self.vars[mark:]

    def one_iteration(self, node: BranchNode, mark: int, key: Any, elem: Any) -> bool:
        """Run the range body once; True when it executed {{break}}."""
        self.tick()
        decl, assign = node.pipe.decl, node.pipe.is_assign
        if decl:
            if assign:
                self.set_var(decl[0].ident[0], key if len(decl) > 1 else elem)
            else:
                self.vars[-1][1] = elem
        if len(decl) > 1:
            if assign:
                self.set_var(decl[1].ident[0], elem)
            else:
                self.vars[-2][1] = key
        try:
            self.walk(elem, node.list)
        except _Continue:
            pass
        except _Break:
            return True
        finally:
            del self.vars[mark:]
        return False

    def walk_template(self, dot: Any, node: TemplateNode) -> None:
        self.node = node
        tree = self.trees.get(node.name)
        if tree is None:
            self.errorf(f"template {go_quote(node.name)} not defined")
        if self.depth >= MAX_EXEC_DEPTH:
            self.errorf(f"exceeded maximum template depth ({MAX_EXEC_DEPTH})")
        self.tick()
        dot = self.eval_pipeline(dot, node.pipe) if node.pipe is not None else None
        saved = (self.name, self.vars)
        self.name, self.vars = node.name, [["$", dot]]
        self.depth += 1
        try:
            self.walk(dot, tree)
        finally:
            self.name, self.vars = saved
            self.depth -= 1


def execute(
    top_name: str,
    text: str,
    trees: Mapping[str, ListNode],
    funcs: Mapping[str, FuncSpec],
    html: bool,
    data: Any,
    *,
    partial: bool = False,
) -> str:
    """Run the tree named `top_name` with `data` as dot; raises TemplateError as Go would.

    With `partial`, an error ends the run instead of failing it: the output written before the failing
    action is returned, as Go's Execute has already written it to its writer.
    """
    state = State(top_name, text, trees, funcs, html)
    state.vars.append(["$", data])
    try:
        state.walk(data, trees[top_name])
    except RecursionError:
        if not partial:
            raise TemplateError(f"template: {top_name}: recursion too deep") from None
    except TemplateError:
        if not partial:
            raise
    return "".join(state.out)

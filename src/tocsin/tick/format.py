"""Kapacitor's TICKscript formatter (`script-format=formatted`, `kapacitor show`), from node.go's Format methods.

Layout: statements are separated by one blank line and each ends with a newline. A chain prints its head,
then every link on its own line: `|` and `@` links one indent step deeper than the chain, `.` links two.
A call whose last argument starts on a later line than the call prints one argument per line; a binary
operator whose right operand started on a later line than its left one breaks the line after the operator.
Strings use single quotes (triple quotes kept), references double quotes, numbers Go's shortest form
(floats always with a `.`), durations and regexes as written, lambdas `lambda: expr`, lists `[a, 'b', *]`.
Comments print as `// text` lines above what they belong to.

Known differences: an int literal written in octal (`0644`) prints in decimal, since the syntax tree keeps
only the value; a call's line is taken from its link operator (`|`, `.`), not from its name.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from tocsin.expr import ast as expr_ast
from tocsin.expr.tokens import Position
from tocsin.tick.ast import (
    Chain,
    ChainOp,
    Comment,
    Dbrp,
    Expression,
    ExpressionStatement,
    Program,
    Statement,
    VarDecl,
)
from tocsin.tick.comments import BLOCK_BREAK
from tocsin.tick.parser import parse_program

INDENT_STEP = "    "  # Kapacitor's tick/ast indentStep


def format_script(text: str) -> str:
    """Parse `text` and format it; raises TickParseError when it does not parse."""
    return format_program(parse_program(text))


def format_program(program: Program) -> str:
    """The formatted text of `program`."""
    out: list[str] = []
    pending: list[Comment] = []
    units = 0
    for statement in program.statements:
        if isinstance(statement, Comment):
            pending.append(statement)
            continue
        if units:
            out.append("\n")
        for comment in pending:
            _comment(out, _comment_lines(comment), "")
        pending.clear()
        _statement(out, statement)
        out.append("\n")
        units += 1
    for comment in pending:
        # A comment after the last statement stands alone, and Kapacitor ends it with an extra newline.
        if units:
            out.append("\n")
        _comment(out, _comment_lines(comment), "")
        out.append("\n")
        units += 1
    return "".join(out)


def _comment_lines(comment: Comment) -> tuple[str, ...]:
    return comment.lines or tuple(comment.text.split("\n"))


def _statement(out: list[str], statement: Statement) -> None:
    if isinstance(statement, VarDecl):
        _comment(out, statement.comments or _lines(statement.description), "")
        out.append(f"var {statement.name}")
        if statement.value is None:
            out.append(f" {statement.type_name}")
        else:
            out.append(" = ")
            _expression(out, statement.value, "", False)
    elif isinstance(statement, Dbrp):
        out.append(f'dbrp "{statement.database}"."{statement.retention_policy}"')
    elif isinstance(statement, ExpressionStatement):
        _expression(out, statement.expression, "", True)


def _lines(description: str) -> tuple[str, ...]:
    return tuple(description.split("\n")) if description else ()


def _comment(out: list[str], lines: Sequence[str], indent: str) -> None:
    for line in lines:
        if line == BLOCK_BREAK:
            out.append("\n")
        else:
            out.append(f"{indent}//{' ' + line if line else ''}\n")


def _expression(out: list[str], node: Expression, indent: str, on_new_line: bool) -> None:
    if isinstance(node, Chain):
        _chain(out, node, indent, on_new_line)
        return
    if on_new_line:
        out.append(indent)
    if isinstance(node, expr_ast.BinaryNode):
        _binary(out, node, indent)
    elif isinstance(node, expr_ast.FunctionNode):
        _call(out, node.name, node.args, node.pos, indent)
    elif isinstance(node, expr_ast.UnaryNode):
        out.append(node.op.label)
        _expression(out, node.operand, indent, False)
    elif isinstance(node, expr_ast.LambdaNode):
        out.append("lambda: ")
        _expression(out, node.expression, indent, False)
    elif isinstance(node, expr_ast.ListNode):
        out.append("[")
        for index, item in enumerate(node.items):
            if index:
                out.append(", ")
            # Kapacitor passes the list's own "on a new line" flag to every item, indenting each of them.
            _expression(out, item, indent, on_new_line)
        out.append("]")
    else:
        out.append(_literal(node))


def _literal(node: expr_ast.Node) -> str:
    if isinstance(node, expr_ast.NumberNode):
        return _number(node.value)
    if isinstance(node, expr_ast.StringNode):
        return f"'''{node.value}'''" if node.triple else "'" + node.value.replace("'", "\\'") + "'"
    if isinstance(node, expr_ast.ReferenceNode):
        return '"' + node.name.replace('"', '\\"') + '"'
    if isinstance(node, expr_ast.DurationNode):
        return node.literal
    if isinstance(node, expr_ast.RegexNode):
        return f"/{node.literal}/"
    if isinstance(node, expr_ast.BoolNode):
        return "TRUE" if node.value else "FALSE"
    if isinstance(node, expr_ast.StarNode):
        return "*"
    if isinstance(node, expr_ast.IdentifierNode):
        return node.name
    raise TypeError(f"cannot format {type(node).__name__}")


def _number(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    text = format(Decimal(repr(value)), "f")
    return text if "." in text else text + ".0"


def _binary(out: list[str], node: expr_ast.BinaryNode, indent: str) -> None:
    # Left spines (`a OR b OR c ...`) can be long: walk them iteratively, printing the innermost first.
    spine: list[expr_ast.BinaryNode] = [node]
    while isinstance(spine[-1].left, expr_ast.BinaryNode) and not spine[-1].left.parens:
        spine.append(spine[-1].left)
    inner_indent = indent + INDENT_STEP if node.parens else indent
    if node.parens:
        out.append("(")
    _expression(out, spine[-1].left, inner_indent, False)
    for current in reversed(spine):
        multi_line = _line(current.right) > _line(current.left)
        out.append(f" {current.op.label}")
        out.append("\n" if multi_line else " ")
        _expression(out, current.right, inner_indent, multi_line)
    if node.parens:
        out.append(")")


def _chain(out: list[str], chain: Chain, indent: str, on_new_line: bool) -> None:
    _expression(out, chain.head, indent, on_new_line)
    for link in chain.links:
        out.append("\n")
        link_indent = indent + INDENT_STEP * (2 if link.op is ChainOp.DOT else 1)
        _comment(out, link.comments, link_indent)
        out.append(link_indent + link.op.value)
        if link.call:
            _call(out, link.name, link.args, link.pos, link_indent)
        else:
            out.append(link.name)


def _call(out: list[str], name: str, args: Sequence[Expression], pos: Position, indent: str) -> None:
    multi_line = bool(args) and _line(args[-1]) > pos.line
    out.append(name + "(")
    arg_indent = indent + INDENT_STEP
    for index, arg in enumerate(args):
        if index:
            out.append("," if multi_line else ", ")
        if multi_line:
            out.append("\n")
        _expression(out, arg, arg_indent, multi_line)
    if multi_line:
        out.append("\n" + indent)
    out.append(")")


def _line(node: Expression) -> int:
    """The line Kapacitor takes as a node's position: a chain's is its last link operator's."""
    if isinstance(node, Chain):
        return node.links[-1].pos.line if node.links else node.pos.line
    return node.pos.line

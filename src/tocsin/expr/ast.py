"""Expression syntax tree; every node records the position of the token it starts at."""

from __future__ import annotations

from dataclasses import dataclass

from tocsin.expr.regex import GoRegex
from tocsin.expr.tokens import Position, TokenKind


@dataclass(frozen=True, slots=True)
class NumberNode:
    """An int (`10`, octal `0644`) or float (`1.5`, `.5`) literal; never negative (minus is unary)."""

    pos: Position
    value: int | float


@dataclass(frozen=True, slots=True)
class StringNode:
    """A single- or triple-quoted string literal, unescaped."""

    pos: Position
    value: str
    triple: bool = False


@dataclass(frozen=True, slots=True)
class DurationNode:
    """A duration literal such as `5m`, in nanoseconds, with its source text."""

    pos: Position
    nanoseconds: int
    literal: str


@dataclass(frozen=True, slots=True)
class BoolNode:
    """`TRUE` or `FALSE`."""

    pos: Position
    value: bool


@dataclass(frozen=True, slots=True)
class RegexNode:
    """A `/.../` literal: the pattern as written (with `\\/` unescaped) and its compiled form."""

    pos: Position
    literal: str
    pattern: GoRegex


@dataclass(frozen=True, slots=True)
class ReferenceNode:
    """A double-quoted field or tag reference such as `"host"`."""

    pos: Position
    name: str


@dataclass(frozen=True, slots=True)
class IdentifierNode:
    """A bare identifier (a var name in TICKscript; OK/INFO/WARNING/CRITICAL in match expressions)."""

    pos: Position
    name: str


@dataclass(frozen=True, slots=True)
class StarNode:
    """A standalone `*`."""

    pos: Position


@dataclass(frozen=True, slots=True)
class ListNode:
    """A `[a, 'b', *]` list (TICKscript statements only; not part of the lambda grammar)."""

    pos: Position
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class UnaryNode:
    """`-x` or `!x`; the operator binds to the primary expression that follows it."""

    pos: Position
    op: TokenKind
    operand: Node


@dataclass(frozen=True, slots=True)
class BinaryNode:
    """`left op right`; `pos` is the operator's position, `parens` records explicit parentheses."""

    pos: Position
    op: TokenKind
    left: Node
    right: Node
    parens: bool = False


@dataclass(frozen=True, slots=True)
class FunctionNode:
    """A call `name(args...)` inside an expression."""

    pos: Position
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class LambdaNode:
    """`lambda: expr`."""

    pos: Position
    expression: Node


Node = (
    NumberNode
    | StringNode
    | DurationNode
    | BoolNode
    | RegexNode
    | ReferenceNode
    | IdentifierNode
    | StarNode
    | ListNode
    | UnaryNode
    | BinaryNode
    | FunctionNode
    | LambdaNode
)


def walk(node: Node) -> list[Node]:
    """All nodes of the tree in pre-order (node, then its children left to right)."""
    out: list[Node] = []
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        children: tuple[Node, ...] = ()
        if isinstance(current, BinaryNode):
            children = (current.left, current.right)
        elif isinstance(current, UnaryNode):
            children = (current.operand,)
        elif isinstance(current, FunctionNode):
            children = current.args
        elif isinstance(current, ListNode):
            children = current.items
        elif isinstance(current, LambdaNode):
            children = (current.expression,)
        stack.extend(reversed(children))
    return out

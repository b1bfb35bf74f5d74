"""TICKscript program syntax tree: statements and chains around `tocsin.expr` expression nodes.

Lambdas, literals, lists, references and operators are the `tocsin.expr.ast` nodes (one grammar for
`match` and TICKscript). This module adds what only scripts have: `var` and `dbrp` statements, comments,
and chains such as `stream|from().measurement('cpu')`. Every node records the position where it starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from tocsin.expr import ast as expr_ast
from tocsin.expr.tokens import Position


class ChainOp(Enum):
    """How a link attaches to what precedes it."""

    PIPE = "|"  # a chaining method: creates a child node
    DOT = "."  # a property method: sets a property of the node (or of the handler just added)
    AT = "@"  # a user-defined function


@dataclass(frozen=True, slots=True)
class Link:
    """One `|name(args)`, `.name(args)` or `@name(args)`; `comments` are `//` lines just before it.

    Comment lines are stored without `//` and one following space; an entry "\n" stands for the blank
    line between two comment blocks. `call` is False for a bare `.name` (a property read, no parentheses).
    """

    pos: Position
    op: ChainOp
    name: str
    args: tuple[Expression, ...]
    comments: tuple[str, ...] = ()
    call: bool = True


@dataclass(frozen=True, slots=True)
class Chain:
    """`head` followed by links: `head` is an identifier (`stream`, `batch` or a var holding a node)."""

    pos: Position
    head: expr_ast.IdentifierNode
    links: tuple[Link, ...]


Expression = expr_ast.Node | Chain


@dataclass(frozen=True, slots=True)
class VarDecl:
    """`var name = value` or the typed declaration `var name type` (value None, for templates).

    `description` is the text of the `//` comment lines right before the `var` (without `//`, joined by
    newlines), which Kapacitor shows as the var's description; `comments` holds those lines as `Link.comments`
    does, for the formatter.
    """

    pos: Position
    name: str
    value: Expression | None
    type_name: str | None = None
    description: str = ""
    comments: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Dbrp:
    """`dbrp "db"."rp"`: an implicit database/retention policy of the task."""

    pos: Position
    database: str
    retention_policy: str


@dataclass(frozen=True, slots=True)
class ExpressionStatement:
    """A chain (or other expression) standing alone as a statement."""

    pos: Position
    expression: Expression


@dataclass(frozen=True, slots=True)
class Comment:
    """A `//` comment that is not attached to a var or a link (kept so the formatter can print it).

    `text` is the lines joined by newlines; `lines` holds them as `Link.comments` does. A Comment followed by
    another statement is the comment just before that statement.
    """

    pos: Position
    text: str
    lines: tuple[str, ...] = ()


Statement = VarDecl | Dbrp | ExpressionStatement | Comment


@dataclass(frozen=True, slots=True)
class Program:
    """A whole script: its statements in source order."""

    statements: tuple[Statement, ...]

"""The parse tree of a template; `str()` of every node is Go's `Node.String()` (used in error contexts)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tocsin.gocompat.quoting import go_quote


@dataclass(slots=True, eq=False)
class Node:
    """Base of all nodes; `pos` is the character offset of the node in the template text."""

    pos: int


@dataclass(slots=True, eq=False)
class TextNode(Node):
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(slots=True, eq=False)
class DotNode(Node):
    def __str__(self) -> str:
        return "."


@dataclass(slots=True, eq=False)
class NilNode(Node):
    def __str__(self) -> str:
        return "nil"


@dataclass(slots=True, eq=False)
class BoolNode(Node):
    value: bool

    def __str__(self) -> str:
        return "true" if self.value else "false"


@dataclass(slots=True, eq=False)
class NumberNode(Node):
    """A numeric constant; `value` is what Go's idealConstant yields (None: an int too big for int64)."""

    text: str
    value: int | float | None

    def __str__(self) -> str:
        return self.text


@dataclass(slots=True, eq=False)
class StringNode(Node):
    quoted: str
    text: str

    def __str__(self) -> str:
        return self.quoted


@dataclass(slots=True, eq=False)
class IdentifierNode(Node):
    """A function name."""

    ident: str

    def __str__(self) -> str:
        return self.ident


@dataclass(slots=True, eq=False)
class FieldNode(Node):
    """`.A.B`: `ident` holds ("A", "B")."""

    ident: tuple[str, ...]

    def __str__(self) -> str:
        return "".join("." + i for i in self.ident)


@dataclass(slots=True, eq=False)
class VariableNode(Node):
    """`$x.A`: `ident` holds ("$x", "A")."""

    ident: tuple[str, ...]

    def __str__(self) -> str:
        return ".".join(self.ident)


@dataclass(slots=True, eq=False)
class CommandNode(Node):
    args: list[Node] = field(default_factory=list)

    def __str__(self) -> str:
        return " ".join(f"({a})" if isinstance(a, PipeNode) else str(a) for a in self.args)


@dataclass(slots=True, eq=False)
class PipeNode(Node):
    line: int
    decl: list[VariableNode] = field(default_factory=list)
    is_assign: bool = False
    cmds: list[CommandNode] = field(default_factory=list)

    def __str__(self) -> str:
        out = ""
        if self.decl:
            out = ", ".join(str(v) for v in self.decl) + (" = " if self.is_assign else " := ")
        return out + " | ".join(str(c) for c in self.cmds)


@dataclass(slots=True, eq=False)
class ChainNode(Node):
    """`(pipeline).A.B` or another term followed by fields."""

    node: Node
    fields: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        base = f"({self.node})" if isinstance(self.node, PipeNode) else str(self.node)
        return base + "".join("." + f for f in self.fields)


@dataclass(slots=True, eq=False)
class ListNode(Node):
    nodes: list[Node] = field(default_factory=list)

    def __str__(self) -> str:
        return "".join(str(n) for n in self.nodes)


@dataclass(slots=True, eq=False)
class ActionNode(Node):
    line: int
    pipe: PipeNode

    def __str__(self) -> str:
        return f"{{{{{self.pipe}}}}}"


@dataclass(slots=True, eq=False)
class BranchNode(Node):
    """if, range and with: `keyword` names which."""

    keyword: str
    line: int
    pipe: PipeNode
    list: ListNode
    else_list: ListNode | None

    def __str__(self) -> str:
        out = f"{{{{{self.keyword} {self.pipe}}}}}{self.list}"
        if self.else_list is not None:
            out += f"{{{{else}}}}{self.else_list}"
        return out + "{{end}}"


@dataclass(slots=True, eq=False)
class BreakNode(Node):
    def __str__(self) -> str:
        return "{{break}}"


@dataclass(slots=True, eq=False)
class ContinueNode(Node):
    def __str__(self) -> str:
        return "{{continue}}"


@dataclass(slots=True, eq=False)
class TemplateNode(Node):
    """`{{template "name" pipeline}}`."""

    line: int
    name: str
    pipe: PipeNode | None

    def __str__(self) -> str:
        if self.pipe is None:
            return f"{{{{template {go_quote(self.name)}}}}}"
        return f"{{{{template {go_quote(self.name)} {self.pipe}}}}}"


# Markers returned by the item-list parser for `{{end}}` and `{{else}}`; never part of a tree.
@dataclass(slots=True, eq=False)
class EndNode(Node):
    def __str__(self) -> str:
        return "{{end}}"


@dataclass(slots=True, eq=False)
class ElseNode(Node):
    line: int

    def __str__(self) -> str:
        return "{{else}}"

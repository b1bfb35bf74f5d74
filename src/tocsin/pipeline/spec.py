"""The compiled form of a TICKscript: a graph of node specs with their evaluated properties.

This is the boundary between the compiler (`tocsin.pipeline.compile`) and the runtime (`tocsin.tasks`):
the compiler resolves vars, expands lists into variadic arguments, substitutes var values into lambdas
and checks every property against the node definitions; the runtime only reads `NodeSpec`s.

Property values are plain Python: `str`, `int`, `float`, `bool`, `Duration` (from `tocsin.expr.values`),
a compiled regex (`GoRegex`), `STAR` for `*`, or a `LambdaNode` (from `tocsin.expr.ast`) whose
identifiers have already been replaced by the vars' literal values, ready for `compile_expression`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Star:
    """The `*` argument (`groupBy(*)`)."""

    _instance: Star | None = None

    def __new__(cls) -> Star:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "*"


STAR = Star()


@dataclass(frozen=True, slots=True)
class TimeDimension:
    """`time(1m)` or `time(1m, 10s)` in a batch query's `.groupBy()`: InfluxQL's GROUP BY time, in ns."""

    length: int
    offset: int = 0


class EdgeType(StrEnum):
    """What flows out of a node: single points or batches."""

    STREAM = "stream"
    BATCH = "batch"


@dataclass(slots=True)
class HandlerCall:
    """A handler chained on an alert node (`.slack().channel('#ops')`).

    `kind` is the handler kind name (`slack`, `smtp` for `.email()`); `options` are handler-file options
    (`{"channel": "#ops"}`) mapped from the TICKscript properties through each option's `tick` name, ready
    for `tocsin.handlers.options.normalize`.
    """

    kind: str
    method: str  # the TICKscript method as written in the definitions (`email`, `victorOps`)
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class NodeSpec:
    """One node of a pipeline.

    `desc` is Kapacitor's node description (`stream`, `from`, `window`, `mean`, `alert`, ...) and `name`
    is `desc` + `id` (`from1`). `args` are the arguments of the chaining method that created the node
    (`window()` has none, `mean('usage')` has one). `properties` maps each property method called on the
    node, by its canonical name (`measurement`, `groupBy`, `where`), to the list of calls in order, each
    call being the tuple of its evaluated arguments; a property never called is absent.
    """

    id: int
    desc: str
    args: tuple[Any, ...] = ()
    properties: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    parents: list[int] = field(default_factory=list)
    children: list[int] = field(default_factory=list)
    handlers: list[HandlerCall] = field(default_factory=list)  # alert nodes only
    provides: EdgeType = EdgeType.STREAM
    wants: EdgeType = EdgeType.STREAM
    # `stats` nodes only: the node whose counts they report (a stats node is a source, with no parent)
    watches: int | None = None

    @property
    def name(self) -> str:
        return f"{self.desc}{self.id}"

    def last(self, prop: str, default: Any = None) -> Any:
        """The single argument of the last call of a one-argument property, or `default`."""
        calls = self.properties.get(prop)
        if not calls:
            return default
        args = calls[-1]
        return args[0] if args else True

    def has(self, prop: str) -> bool:
        """Whether the property was called at least once (flags such as `.align()`)."""
        return prop in self.properties


@dataclass(slots=True)
class DeclaredVar:
    """A `var` of the script as the tasks and templates APIs list it."""

    name: str
    type: str  # bool int float string regex duration lambda list star
    # JSON form: duration as int ns, regex as its pattern, lambda as its text, list of {type, value};
    # None for a typed declaration without a value
    value: Any
    description: str = ""


@dataclass(slots=True)
class Pipeline:
    """A compiled script: nodes by id (0 is `stream` or `batch`), its type and implicit dbrps."""

    type: EdgeType
    nodes: list[NodeSpec]
    dbrps: list[tuple[str, str]] = field(default_factory=list)
    vars: dict[str, DeclaredVar] = field(default_factory=dict)

    def sources(self) -> list[NodeSpec]:
        """Nodes with no parent (the `stream`/`batch` roots)."""
        return [n for n in self.nodes if not n.parents]

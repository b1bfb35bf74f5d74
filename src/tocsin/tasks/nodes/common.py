"""What the processing nodes share: reading NodeSpec properties, Go time rounding, soft error reporting."""

from __future__ import annotations

from typing import Any

from tocsin.expr import ast
from tocsin.expr.values import Duration
from tocsin.pipeline.spec import STAR, NodeSpec
from tocsin.points import Batch, BatchPoint, FieldValue, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.lambdas import PointLambda
from tocsin.tasks.node import NodeError, RuntimeNode

# Returned by nodes that drop an item; the executor never mutates what a node returns.
NOTHING: list[Item] = []

SECOND = 1_000_000_000
# Go rounds times relative to its zero time (January 1, year 1 UTC), not to the Unix epoch.
_GO_ZERO_OFFSET = 62135596800 * SECOND


class ProcessingNode(RuntimeNode):
    """A node that can report an error without dropping the whole item (one bad row of a batch)."""

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        self.soft_errors = 0

    def error(self, message: str) -> None:
        """Count an error in the node's `errors` stat and log it unless the node is quiet."""
        self.soft_errors += 1
        if not self.quiet:
            self.ctx.log.error("task=%s node=%s %s", self.ctx.task_id, self.spec.name, message)


def duration_ns(value: Any, where: str) -> int:
    """A Duration (or plain int ns) argument as nanoseconds."""
    if isinstance(value, Duration):
        return value.ns
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise NodeError(f"{where}: expected a duration, got {value!r}")


def last_duration(spec: NodeSpec, prop: str, default: int) -> int:
    """The last call of a one-duration property, in ns."""
    value = spec.last(prop)
    if value is None:
        return default
    return duration_ns(value, f"{spec.name}.{prop}")


def last_args(spec: NodeSpec, prop: str) -> tuple[Any, ...]:
    """The arguments of the last call of a property (list properties replace on each call)."""
    calls = spec.properties.get(prop)
    return calls[-1] if calls else ()


def last_text(spec: NodeSpec, prop: str) -> str:
    """The last call of a one-string property ("" when never called)."""
    value = spec.last(prop, "")
    if not isinstance(value, str):
        raise NodeError(f"{spec.name}.{prop}: expected a string, got {value!r}")
    return value


def string_pairs(spec: NodeSpec, prop: str) -> dict[str, str]:
    """Every call of a `(name, value)` property such as `.tag('k', 'v')`, later calls winning."""
    return {str(call[0]): str(call[1]) for call in spec.properties.get(prop, ()) if len(call) == 2}


def all_args(spec: NodeSpec, prop: str) -> list[Any]:
    """The arguments of every call of a property, in order."""
    return [arg for call in spec.properties.get(prop, ()) for arg in call]


def strings(values: Any, where: str) -> list[str]:
    """Check that every argument is a string."""
    out = []
    for value in values:
        if not isinstance(value, str):
            raise NodeError(f"{where}: expected a string, got {value!r}")
        out.append(value)
    return out


def lambda_of(value: Any, where: str) -> PointLambda:
    """Compile a lambda argument (CompileError surfaces at task start)."""
    if not isinstance(value, ast.LambdaNode):
        raise NodeError(f"{where}: expected a lambda expression, got {value!r}")
    return PointLambda(value)


def group_spec(args: Any, where: str) -> tuple[bool, tuple[str, ...]]:
    """A group-by argument list: (star, sorted tag names)."""
    star = False
    names = []
    for arg in args:
        if arg is STAR:
            star = True
        elif isinstance(arg, str):
            names.append(arg)
        else:
            raise NodeError(f"{where}: expected a tag name or *, got {arg!r}")
    return star, tuple(sorted(names))


def go_truncate(t: int, d: int) -> int:
    """Go's Time.Truncate for a positive duration."""
    if d <= 0:
        return t
    return t - (t + _GO_ZERO_OFFSET) % d


def go_round(t: int, d: int) -> int:
    """Go's Time.Round (halfway values round up) for a positive duration."""
    if d <= 0:
        return t
    r = (t + _GO_ZERO_OFFSET) % d
    return t - r + d if r + r >= d else t - r


def is_number(value: object) -> bool:
    """Whether a field value is an int64 or float64 (bools excluded)."""
    kind = type(value)
    return kind is float or kind is int


def with_fields(item: Point, fields: dict[str, FieldValue]) -> Point:
    """A copy of a point with other fields."""
    return Point(
        item.name, item.tags, fields, item.time, item.database, item.retention_policy, item.group, item.dimensions
    )


def with_rows(batch: Batch, rows: list[BatchPoint]) -> Batch:
    """A copy of a batch with other rows."""
    return Batch(
        batch.name,
        batch.time,
        batch.tags,
        rows,
        batch.database,
        batch.retention_policy,
        batch.group,
        batch.dimensions,
        batch.by_name,
    )

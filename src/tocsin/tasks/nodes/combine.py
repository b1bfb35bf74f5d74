"""`|combine(lambda...)`: pair up points of one group and time into every combination that the lambdas match.

Points are buffered per group while their time, rounded to `.tolerance()`, stays the same; a point of
another time combines the buffer and starts a new one. For each combination of k points out of the n
buffered (k = one lambda per `.as()` name, in index order), each lambda in turn takes the first point of
the combination it matches that no earlier lambda took; if every lambda finds one, a point is emitted with
fields `<as><delimiter><field>` and tags likewise prefixed, except the group's own tags. A batch's rows are
combined the same way, run by run of equal rounded times, into points. Combinations are
never computed when n choose k exceeds `.max()` (an error instead). A lambda failing to evaluate counts as
no match.
"""

from __future__ import annotations

from itertools import combinations

from tocsin.expr.errors import EvalError
from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, Dimensions, FieldValue, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import NodeError
from tocsin.tasks.nodes.common import (
    NOTHING,
    ProcessingNode,
    go_round,
    lambda_of,
    last_args,
    last_duration,
    strings,
)

DEFAULT_DELIMITER = "."
# Kapacitor's default (its docs say 10,000; pipeline/combine.go sets 1e6)
DEFAULT_MAX = 1_000_000

ERR_AS_REQUIRED = "a call to combine.as() is required to specify the output stream prefixes."
ERR_AS_COUNT = "number of prefixes specified by combine.as() must match the number of combine expressions"
ERR_EMPTY_NAME = "must provide a prefix name for the combine node, see .as() property method"
ERR_NAME_DELIMITER = "cannot use name {name} as field prefix, it contains the delimiter character {delimiter}"
ERR_DUPLICATE_NAME = "cannot use the same prefix name see .as() property method"
ERR_MAX = "refusing to perform combination as total combinations {count} exceeds max combinations {max}"
ERR_EVALUATING = "error evaluating lambda expression: {error}"


class _Buffer:
    """The points of one group sharing one rounded time."""

    __slots__ = ("dimensions", "name", "points", "time")

    def __init__(self, name: str, time: int, dimensions: Dimensions) -> None:
        self.name = name
        self.time = time
        self.dimensions = dimensions
        self.points: list[Point] = []


def combination_count(n: int, k: int) -> int:
    """n choose k as Kapacitor counts it; -1 when n < k."""
    if n < k:
        return -1
    count = 1
    for i in range(k):
        count = count * (n - i) // (i + 1)
    return count


class CombineNode(ProcessingNode):
    """Combines each group's points of the same time (`.as`, `.delimiter`, `.tolerance`, `.max`)."""

    point_yields_points = True

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        self._lambdas = [lambda_of(arg, spec.name) for arg in spec.args]
        self._names = strings(last_args(spec, "as"), f"{spec.name}.as")
        delimiter = spec.last("delimiter", DEFAULT_DELIMITER)
        if not isinstance(delimiter, str):
            raise NodeError(f"{spec.name}.delimiter: expected a string, got {delimiter!r}")
        self._delimiter = delimiter
        self._tolerance = last_duration(spec, "tolerance", 0)
        limit = spec.last("max", DEFAULT_MAX)
        if isinstance(limit, bool) or not isinstance(limit, int):
            raise NodeError(f"{spec.name}.max: expected an integer, got {limit!r}")
        self._max = limit
        _validate(self._names, len(self._lambdas), delimiter)
        self._buffers: dict[str, _Buffer] = {}

    def point(self, point: Point) -> list[Item]:
        """The combinations of the buffered points, once a point of another time arrives."""
        t = go_round(point.time, self._tolerance)
        if t != point.time:
            # lambdas see the rounded time, as Kapacitor's do
            point = Point(
                point.name,
                point.tags,
                point.fields,
                t,
                point.database,
                point.retention_policy,
                point.group,
                point.dimensions,
            )
        buffer = self._buffers.get(point.group)
        if buffer is None:
            buffer = self._buffers[point.group] = _Buffer(point.name, t, point.dimensions)
        if t == buffer.time:
            buffer.points.append(point)
            return NOTHING
        done, time = buffer.points, buffer.time
        # Kapacitor keeps a buffer it refused to combine and drops the new point; starting over drops only
        # the refused points, so one over-full time does not stall the group.
        buffer.time, buffer.points = t, [point]
        return self._combine(point.group, buffer, time, done)

    def batch(self, batch: Batch) -> list[Item]:
        """Points combining the batch's rows of each run of equal rounded times (Kapacitor's combine takes
        batches too, though Tocsin's compiler lets it follow only a stream edge)."""
        buffer = _Buffer(batch.name, 0, batch.dimensions)
        out: list[Item] = []
        for row in batch.points:
            t = go_round(row.time, self._tolerance)
            point = Point(
                batch.name,
                row.tags,
                row.fields,
                t,
                batch.database,
                batch.retention_policy,
                batch.group,
                batch.dimensions,
            )
            if buffer.points and t != buffer.time:
                out += self._combine(batch.group, buffer, buffer.time, buffer.points)
                buffer.points = []
            buffer.time = t
            buffer.points.append(point)
        if buffer.points:
            out += self._combine(batch.group, buffer, buffer.time, buffer.points)
        return out

    def barrier(self, group: str, time: int, delete: bool) -> list[Item]:
        """A deleted group loses its buffered points and its lambdas' state."""
        if delete and self._buffers.pop(group, None) is not None:
            for lam in self._lambdas:
                lam.forget(group)
        return NOTHING

    def cardinality(self) -> int:
        return len(self._buffers)

    def _combine(self, group: str, buffer: _Buffer, time: int, points: list[Point]) -> list[Item]:
        """Emitted under the name of the group's first point, as Kapacitor names a group's output."""
        k = len(self._lambdas)
        count = combination_count(len(points), k)
        if count > self._max:
            raise NodeError(ERR_MAX.format(count=count, max=self._max))
        if count == -1:
            return NOTHING
        matches = [[False] * len(points) for _ in range(k)]
        for index, point in enumerate(points):
            for which, lam in enumerate(self._lambdas):
                try:
                    matches[which][index] = lam.test_row(group, point)
                except EvalError as exc:
                    self.error(ERR_EVALUATING.format(error=exc))
        out: list[Item] = []
        for combo in combinations(range(len(points)), k):
            free = list(combo)
            chosen: list[Point] = []
            for row in matches:
                taken = next((i for i in free if row[i]), None)
                if taken is None:
                    break
                free.remove(taken)
                chosen.append(points[taken])
            else:
                fields, tags = self._merge(chosen, buffer.dimensions)
                out.append(Point(buffer.name, tags, fields, time, "", "", group, buffer.dimensions))
        return out

    def _merge(self, points: list[Point], dimensions: Dimensions) -> tuple[dict[str, FieldValue], dict[str, str]]:
        fields: dict[str, FieldValue] = {}
        tags: dict[str, str] = {}
        group_tags = dimensions.tag_names
        for prefix, point in zip(self._names, points, strict=True):
            prefix += self._delimiter
            for key, value in point.fields.items():
                fields[prefix + key] = value
            for key, tag in point.tags.items():
                tags[key if key in group_tags else prefix + key] = tag
        return fields, tags


def _validate(names: list[str], lambdas: int, delimiter: str) -> None:
    """Kapacitor's checks of `.as()`, in its order (so an empty delimiter is always refused, as there)."""
    if not names:
        raise NodeError(ERR_AS_REQUIRED)
    if len(names) != lambdas:
        raise NodeError(ERR_AS_COUNT)
    for name in names:
        if not name:
            raise NodeError(ERR_EMPTY_NAME)
        if delimiter in name:
            raise NodeError(ERR_NAME_DELIMITER.format(name=name, delimiter=delimiter))
    if len(set(names)) != len(names):
        raise NodeError(ERR_DUPLICATE_NAME)

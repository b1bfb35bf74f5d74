"""`|flatten()`: merge the points of one group and time into one point, naming fields by the `.on()` tags.

A point's fields are renamed `<tag values joined by the delimiter><delimiter><field>` (just the tag values
with `.dropOriginalFieldName()`); a point missing one of the tags is left out, with an error. Stream points
are buffered per group while their time, rounded to `.tolerance()`, stays the same; a point of another time
emits the merged point, timed by the buffer, with only the group's tags. A batch becomes a batch of one
merged row per run of equal rounded times. Later points win when two give the same field name.
"""

from __future__ import annotations

from collections.abc import Sequence

from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, BatchPoint, FieldValue, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import NodeError
from tocsin.tasks.nodes.common import (
    NOTHING,
    ProcessingNode,
    go_round,
    last_args,
    last_duration,
    strings,
    with_rows,
)

DEFAULT_DELIMITER = "."
ERR_MISSING_TAG = "point missing tag for flatten operation: tag {tag} is missing from point"

Row = Point | BatchPoint
Fields = dict[str, FieldValue]


class _Buffer:
    """The points of one group sharing one rounded time, and the header of what the group emits."""

    __slots__ = ("dimensions", "name", "points", "tags", "time")

    def __init__(self, first: Point, time: int) -> None:
        self.name = first.name
        self.time = time
        self.dimensions = first.dimensions
        self.tags = {k: first.tags.get(k, "") for k in first.dimensions.tag_names}
        self.points: list[Point] = []


class FlattenNode(ProcessingNode):
    """Flattens each group's points of the same time (`.on`, `.delimiter`, `.tolerance`,
    `.dropOriginalFieldName`)."""

    point_yields_points = True

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        self._on = strings(last_args(spec, "on"), f"{spec.name}.on")
        delimiter = spec.last("delimiter", DEFAULT_DELIMITER)
        if not isinstance(delimiter, str):
            raise NodeError(f"{spec.name}.delimiter: expected a string, got {delimiter!r}")
        self._delimiter = delimiter
        self._tolerance = last_duration(spec, "tolerance", 0)
        self._drop = _drop_flag(spec)
        self._buffers: dict[str, _Buffer] = {}
        self._batch_groups: set[str] = set()

    def point(self, point: Point) -> list[Item]:
        """The merged point of the previous time, once a point of another time arrives."""
        t = go_round(point.time, self._tolerance)
        buffer = self._buffers.get(point.group)
        if buffer is None:
            buffer = self._buffers[point.group] = _Buffer(point, t)
        out = NOTHING
        if t != buffer.time:
            if buffer.points:
                fields = self._flatten(buffer.points)
                if fields:
                    out = [
                        Point(
                            buffer.name, dict(buffer.tags), fields, buffer.time, "", "", point.group, buffer.dimensions
                        )
                    ]
                buffer.points = []
            buffer.time = t
        buffer.points.append(point)
        return out

    def batch(self, batch: Batch) -> list[Item]:
        """The batch with one merged row per run of rows of equal rounded time."""
        self._batch_groups.add(batch.group)
        rows: list[BatchPoint] = []
        pending: list[BatchPoint] = []
        time = 0
        for row in batch.points:
            t = go_round(row.time, self._tolerance)
            if pending and t != time:
                fields = self._flatten(pending)
                if fields:
                    rows.append(BatchPoint(time, fields, dict(batch.tags)))
                pending = []
            time = t
            pending.append(row)
        if pending:
            # Kapacitor emits the batch's last row even when every point in it lacked a tag
            rows.append(BatchPoint(time, self._flatten(pending), dict(batch.tags)))
        return [with_rows(batch, rows)]

    def barrier(self, group: str, time: int, delete: bool) -> list[Item]:
        """A deleted group loses its buffered points."""
        if delete:
            self._buffers.pop(group, None)
            self._batch_groups.discard(group)
        return NOTHING

    def cardinality(self) -> int:
        return len(self._buffers) + len(self._batch_groups)

    def _flatten(self, points: Sequence[Row]) -> Fields:
        fields: Fields = {}
        delimiter = self._delimiter
        for point in points:
            tags = point.tags
            values = []
            for tag in self._on:
                found = tags.get(tag)
                if found is None:
                    self.error(ERR_MISSING_TAG.format(tag=tag))
                    break
                values.append(found)
            else:
                prefix = delimiter.join(values)
                if self._drop:
                    for value in point.fields.values():
                        fields[prefix] = value
                else:
                    head = prefix + delimiter if prefix else ""
                    for key, value in point.fields.items():
                        fields[head + key] = value
        return fields


def _drop_flag(spec: NodeSpec) -> bool:
    """`.dropOriginalFieldName()` or `(TRUE)` or `(FALSE)`; with other than one argument it means true."""
    calls = spec.properties.get("dropOriginalFieldName")
    if not calls:
        return False
    args = calls[-1]
    if len(args) != 1:
        return True
    flag = args[0]
    if not isinstance(flag, bool):
        raise NodeError(f"{spec.name}.dropOriginalFieldName: expected a boolean, got {flag!r}")
    return flag

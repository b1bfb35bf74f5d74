"""Data points and batches as they flow from `/write` through TICKscript tasks.

A `Point` is one line of line protocol after parsing, tagged with the database and retention policy it
was written to. Inside a task, points carry the group they belong to: the group-by dimensions chosen by
`from().groupBy()`/`|groupBy()` and the group id derived from them. A `Batch` is what windows and
queries emit: several points of one group sharing a name and a batch time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from tocsin.gocompat.timefmt import format_rfc3339nano

FieldValue = float | int | str | bool  # int is int64 (line protocol `i` suffix); `u` suffix also maps to int


@dataclass(frozen=True, slots=True)
class Dimensions:
    """The group-by of a point: tag names (sorted) and whether the measurement name is part of the group."""

    tag_names: tuple[str, ...] = ()
    by_name: bool = False

    def group_id(self, name: str, tags: dict[str, str]) -> str:
        """Kapacitor's group id: `name\\n` when by name (just `name` without tags), then sorted `k=v` pairs.

        An empty string means no group (templates show `nil`).
        """
        if not self.tag_names:
            return name if self.by_name else ""
        parts = ",".join(f"{k}={tags.get(k, '')}" for k in self.tag_names)
        if self.by_name:
            return f"{name}\n{parts}"
        return parts


NO_DIMENSIONS = Dimensions()


@dataclass(slots=True)
class Point:
    """One point: `time` in integer nanoseconds since the epoch (UTC)."""

    name: str
    tags: dict[str, str]
    fields: dict[str, FieldValue]
    time: int
    database: str = ""
    retention_policy: str = ""
    group: str = ""
    dimensions: Dimensions = NO_DIMENSIONS


@dataclass(slots=True)
class BatchPoint:
    """One row of a batch: its own time, fields and tags (tags repeat the group's and may add others)."""

    time: int
    fields: dict[str, FieldValue]
    tags: dict[str, str]


@dataclass(slots=True)
class Batch:
    """Points of one group emitted together (by a window, a query, or a selector/aggregate).

    `time` is the batch time (a window's end); `tags` are the group's tags.
    """

    name: str
    time: int
    tags: dict[str, str]
    points: list[BatchPoint] = field(default_factory=list)
    database: str = ""
    retention_policy: str = ""
    group: str = ""
    dimensions: Dimensions = NO_DIMENSIONS
    by_name: bool = False


Item = Point | Batch


def result_of(item: Item) -> dict[str, Any]:
    """The InfluxQL result (`{"series": [...]}`) of a point or batch, as alert `data` and httpOut show it.

    Times are RFC 3339 strings. A point's columns are `time` then its field names, sorted. A batch follows
    Kapacitor's BatchToRow: `time`, then the first row's field names and its tags that are not the batch's
    (a window's ungrouped tags), sorted; a later row's value for a column it lacks is null. An empty batch
    has neither columns nor values.
    """
    series: dict[str, Any] = {"name": item.name}
    if item.tags:
        # a Go map: keys sorted (annotated levelTag/idTag tags come last in `item.tags`)
        series["tags"] = {k: item.tags[k] for k in sorted(item.tags)}
    if isinstance(item, Point):
        names = sorted(item.fields)
        series["columns"] = ["time", *names]
        series["values"] = [[format_rfc3339nano(item.time), *(item.fields.get(n) for n in names)]]
        return {"series": [series]}
    if not item.points:
        return {"series": [series]}
    first = item.points[0]
    # a tag named like a field is listed twice, both holding the field, as BatchToRow does
    names = sorted([*first.fields, *(t for t in first.tags if t not in item.tags)])
    series["columns"] = ["time", *names]
    series["values"] = [[format_rfc3339nano(p.time), *(_cell(p, n) for n in names)] for p in item.points]
    return {"series": [series]}


def _cell(row: BatchPoint, column: str) -> FieldValue | None:
    value = row.fields.get(column)
    if value is None:
        return row.tags.get(column)
    return value


class PointSink(Protocol):
    """Where written points go (the running tasks)."""

    async def write(self, points: list[Point]) -> None:
        """Process the points through every task subscribed to their (database, retention policy)."""
        ...

"""`|groupBy(tags...)`: regroup points by tags (`*` for all), minus `.exclude()`d ones, optionally by name.

Batches are split into one batch per new group; as in Kapacitor, the groups of a batch time are emitted
when the first batch of a later time arrives.
"""

from __future__ import annotations

from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, BatchPoint, Dimensions, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import RuntimeNode
from tocsin.tasks.nodes.common import all_args, group_spec, strings


class GroupByNode(RuntimeNode):
    """Sets each point's dimensions and group id."""

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        self._star, names = group_spec(spec.args, spec.name)
        self._excluded = set(strings(all_args(spec, "exclude"), f"{spec.name}.exclude"))
        self._names = tuple(n for n in names if n not in self._excluded)
        self._by_name = spec.has("byMeasurement")
        self._last_time: int | None = None
        self._pending: dict[str, Batch] = {}

    def _dimensions(self, tags: dict[str, str], by_name: bool) -> Dimensions:
        names = self._names
        if self._star:
            names = tuple(sorted(t for t in tags if t not in self._excluded))
        return Dimensions(names, by_name or self._by_name)

    def point(self, point: Point) -> list[Item]:
        """The point in its new group."""
        dims = self._dimensions(point.tags, point.dimensions.by_name)
        return [
            Point(
                point.name,
                point.tags,
                point.fields,
                point.time,
                point.database,
                point.retention_policy,
                dims.group_id(point.name, point.tags),
                dims,
            )
        ]

    def batch(self, batch: Batch) -> list[Item]:
        """The regrouped batches of the previous batch time, once this batch starts a new time."""
        out: list[Item] = []
        if batch.time != self._last_time:
            self._last_time = batch.time
            for pending in self._pending.values():
                pending.points.sort(key=_row_time)
                out.append(pending)
            self._pending = {}
        by_name = batch.dimensions.by_name or batch.by_name
        for row in batch.points:
            dims = self._dimensions(row.tags, by_name)
            group = dims.group_id(batch.name, row.tags)
            target = self._pending.get(group)
            if target is None:
                tags = {name: row.tags.get(name, "") for name in dims.tag_names}
                target = Batch(
                    batch.name, batch.time, tags, [], batch.database, batch.retention_policy, group, dims, dims.by_name
                )
                self._pending[group] = target
            target.points.append(row)
        return out

    def cardinality(self) -> int:
        """Groups waiting to be emitted."""
        return len(self._pending)


def _row_time(row: BatchPoint) -> int:
    return row.time

"""`|delete()`: `.field(name)` and `.tag(name)` remove fields and tags (and deleted tags from the group)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, BatchPoint, Dimensions, FieldValue, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import RuntimeNode
from tocsin.tasks.nodes.common import all_args, strings, with_rows

V = TypeVar("V")


class DeleteNode(RuntimeNode):
    """Removes fields and tags; counts how many it removed."""

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        self._fields = strings(all_args(spec, "field"), f"{spec.name}.field")
        self._tags = strings(all_args(spec, "tag"), f"{spec.name}.tag")
        self._tag_set = set(self._tags)
        self.fields_deleted = 0
        self.tags_deleted = 0

    def point(self, point: Point) -> list[Item]:
        """The point without the deleted names; regrouped when a group tag went away."""
        fields = self._delete_fields(point.fields)
        tags = self._delete_tags(point.tags)
        dims, group = self._regroup(point.name, tags, point.dimensions, point.group)
        return [Point(point.name, tags, fields, point.time, point.database, point.retention_policy, group, dims)]

    def batch(self, batch: Batch) -> list[Item]:
        """The batch without the deleted names, in every row and in its tags."""
        rows = [BatchPoint(r.time, self._delete_fields(r.fields), self._delete_tags(r.tags)) for r in batch.points]
        out = with_rows(batch, rows)
        out.tags = self._delete_tags(batch.tags)
        out.dimensions, out.group = self._regroup(batch.name, out.tags, batch.dimensions, batch.group)
        return [out]

    def stats(self) -> dict[str, Any]:
        """Kapacitor's `fields_deleted` and `tags_deleted`."""
        return {"fields_deleted": self.fields_deleted, "tags_deleted": self.tags_deleted}

    def _regroup(self, name: str, tags: dict[str, str], dims: Dimensions, group: str) -> tuple[Dimensions, str]:
        if not any(t in self._tag_set for t in dims.tag_names):
            return dims, group
        new = Dimensions(tuple(t for t in dims.tag_names if t not in self._tag_set), dims.by_name)
        return new, new.group_id(name, tags)

    def _delete_fields(self, fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
        out, gone = _without(fields, self._fields)
        self.fields_deleted += gone
        return out

    def _delete_tags(self, tags: dict[str, str]) -> dict[str, str]:
        out, gone = _without(tags, self._tags)
        self.tags_deleted += gone
        return out


def _without(values: dict[str, V], names: Iterable[str]) -> tuple[dict[str, V], int]:
    """`values` without `names` (a copy only when one is there), and how many were removed."""
    present = [name for name in names if name in values]
    if not present:
        return values, 0
    out = dict(values)
    for name in present:
        del out[name]
    return out, len(present)

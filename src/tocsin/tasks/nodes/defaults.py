"""`|default()`: `.field(name, value)` and `.tag(name, value)` fill in what a point lacks.

A field is missing when the point has none of that name; a tag also when its value is empty, as Kapacitor
reads a missing tag as "" (so `.tag('host', 'x')` fills `host=""` too). A batch's own tags are defaulted
as well as each row's, and both count in `tags_defaulted`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, BatchPoint, FieldValue, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import NodeError, RuntimeNode
from tocsin.tasks.nodes.common import with_fields, with_rows

V = TypeVar("V")


class DefaultNode(RuntimeNode):
    """Adds missing fields and tags; counts how many it added."""

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        self._fields: dict[str, FieldValue] = {}
        for call in spec.properties.get("field", ()):
            name, value = _pair(spec, "field", call)
            if not isinstance(value, (bool, int, float, str)):
                raise NodeError(f"{spec.name}.field: unsupported default value {value!r} for {name}")
            self._fields[name] = value
        self._tags: dict[str, str] = {}
        for call in spec.properties.get("tag", ()):
            name, value = _pair(spec, "tag", call)
            if not isinstance(value, str):
                raise NodeError(f"{spec.name}.tag: the default of tag {name} must be a string")
            self._tags[name] = value
        self.fields_defaulted = 0
        self.tags_defaulted = 0

    def point(self, point: Point) -> list[Item]:
        """The point with defaults applied."""
        fields = self._default_fields(point.fields)
        tags = self._default_tags(point.tags)
        if fields is point.fields and tags is point.tags:
            return [point]
        out = with_fields(point, fields)
        out.tags = tags
        return [out]

    def batch(self, batch: Batch) -> list[Item]:
        """The batch with defaults applied to its tags and to every row."""
        rows = [BatchPoint(r.time, self._default_fields(r.fields), self._default_tags(r.tags)) for r in batch.points]
        out = with_rows(batch, rows)
        out.tags = self._default_tags(batch.tags)
        return [out]

    def stats(self) -> dict[str, Any]:
        """Kapacitor's `fields_defaulted` and `tags_defaulted`."""
        return {"fields_defaulted": self.fields_defaulted, "tags_defaulted": self.tags_defaulted}

    def _default_fields(self, fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
        out, added = _with_defaults(fields, self._fields, lambda v: v is None)
        self.fields_defaulted += added
        return out

    def _default_tags(self, tags: dict[str, str]) -> dict[str, str]:
        out, added = _with_defaults(tags, self._tags, lambda v: not v)
        self.tags_defaulted += added
        return out


def _with_defaults(
    values: dict[str, V], defaults: dict[str, V], unset: Callable[[V | None], bool]
) -> tuple[dict[str, V], int]:
    """`values` with the defaults of the unset names added (a copy only when one is), and how many were."""
    missing = [name for name in defaults if unset(values.get(name))]
    if not missing:
        return values, 0
    out = dict(values)
    for name in missing:
        out[name] = defaults[name]
    return out, len(missing)


def _pair(spec: NodeSpec, prop: str, call: tuple[Any, ...]) -> tuple[str, Any]:
    if len(call) != 2 or not isinstance(call[0], str):
        raise NodeError(f"{spec.name}.{prop}: expected a name and a value")
    return call[0], call[1]

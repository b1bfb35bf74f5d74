"""`|eval(lambda...)`: compute new fields (or tags) from each point or batch row.

Each lambda's result is named by `.as()`; a later lambda sees an earlier result under its name when no
field or tag has that name. Without `.keep()` only the results remain as fields; `.keep()` keeps every
existing field too; `.keep('a', 'b')` keeps just those names (results first, then existing fields).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tocsin.expr.errors import EvalError
from tocsin.expr.regex import GoRegex
from tocsin.expr.values import Duration, Missing, Time, Value, go_type_name
from tocsin.gocompat.timefmt import format_rfc3339nano
from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, BatchPoint, FieldValue, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import NodeError
from tocsin.tasks.nodes.common import ProcessingNode, lambda_of, last_args, strings, with_rows

ERR_AS_COUNT = "must provide one name per expression via the 'As' property"
ERR_TAG_TYPE = "result of a tag expression must be of type string, got {type}"
ERR_KEEP_MISSING = 'cannot keep field "{name}", field does not exist'
ERR_UNDEFINED = 'name "{name}" is undefined. Names in scope: {names}'
ERR_MISSING_RESULT = 'missing value returned by expression for "{name}"'
ERR_EVALUATING = "error evaluating expression: {error}"

Fields = dict[str, FieldValue]
Tags = dict[str, str]


class EvalNode(ProcessingNode):
    """Evaluates its lambdas per group and rewrites fields and tags."""

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        self._lambdas = [lambda_of(arg, spec.name) for arg in spec.args]
        self._names = strings(last_args(spec, "as"), f"{spec.name}.as")
        if len(self._names) != len(self._lambdas):
            raise NodeError(ERR_AS_COUNT)
        self._tags = strings(last_args(spec, "tags"), f"{spec.name}.tags")
        self._tag_set = set(self._tags)
        self._keep = spec.has("keep")
        self._keep_list = strings(last_args(spec, "keep"), f"{spec.name}.keep")
        self._groups: set[str] = set()

    def point(self, point: Point) -> list[Item]:
        """The point with the evaluated fields and tags."""
        self._groups.add(point.group)
        try:
            fields, tags = self._evaluate(point.group, point.fields, point.tags, point.time)
        except EvalError as exc:
            raise NodeError(ERR_EVALUATING.format(error=exc)) from exc
        return [
            Point(
                point.name,
                tags,
                fields,
                point.time,
                point.database,
                point.retention_policy,
                point.group,
                point.dimensions,
            )
        ]

    def batch(self, batch: Batch) -> list[Item]:
        """The batch with every row evaluated; rows that fail are dropped."""
        self._groups.add(batch.group)
        rows = []
        for row in batch.points:
            try:
                fields, tags = self._evaluate(batch.group, row.fields, row.tags, row.time)
            except (EvalError, NodeError) as exc:
                self.error(ERR_EVALUATING.format(error=exc))
                continue
            rows.append(BatchPoint(row.time, fields, tags))
        return [with_rows(batch, rows)]

    def cardinality(self) -> int:
        """Groups seen."""
        return len(self._groups)

    def _evaluate(self, group: str, fields: Mapping[str, FieldValue], tags: Tags, time: int) -> tuple[Fields, Tags]:
        results: dict[str, Value] = {}
        scope_fields: Mapping[str, Any] = fields
        for index, (lam, name) in enumerate(zip(self._lambdas, self._names, strict=True)):
            if index and results:
                # earlier results are visible only where no field or tag has their name
                scope_fields = {**{k: v for k, v in results.items() if k not in tags}, **fields}
            results[name] = lam.value(group, scope_fields, tags, time)
        new_tags = tags
        if self._tags:
            new_tags = dict(tags)
            for tag in self._tags:
                if tag not in results:
                    raise NodeError(ERR_UNDEFINED.format(name=tag, names=sorted(results)))
                value = results[tag]
                if not isinstance(value, str):
                    raise NodeError(ERR_TAG_TYPE.format(type=go_type_name(value)))
                new_tags[tag] = value
        new_fields: Fields
        if self._keep and self._keep_list:
            new_fields = {}
            for name in self._keep_list:
                if name in results:
                    new_fields[name] = _field_value(name, results[name])
                elif name in fields:
                    new_fields[name] = fields[name]
                else:
                    raise NodeError(ERR_KEEP_MISSING.format(name=name))
        elif self._keep:
            new_fields = dict(fields)
            for name in self._names:
                new_fields[name] = _field_value(name, results[name])
        else:
            new_fields = {name: _field_value(name, results[name]) for name in self._names if name not in self._tag_set}
        return new_fields, new_tags


def _field_value(name: str, value: Value) -> FieldValue:
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Duration):
        return value.ns
    if isinstance(value, Time):
        return format_rfc3339nano(value.ns)
    if isinstance(value, GoRegex):
        return value.pattern
    if isinstance(value, Missing):
        raise NodeError(ERR_MISSING_RESULT.format(name=name))
    raise NodeError(f"unsupported result type {type(value).__name__} for {name}")

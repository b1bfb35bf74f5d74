"""The task roots: `stream` passes every written point on; `from()` filters and groups them."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from tocsin.expr.errors import EvalError
from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, Dimensions, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import NodeError, RuntimeNode
from tocsin.tasks.nodes.common import (
    NOTHING,
    all_args,
    go_round,
    go_truncate,
    group_spec,
    lambda_of,
    last_args,
    last_duration,
    last_text,
)

ERR_WHERE = "failed to evaluate WHERE expression: {error}"
GROUP_CACHE_MAX = 100_000


class StreamNode(RuntimeNode):
    """`stream`: every point written to the task's dbrps."""

    # the executor may skip calling `point`/`batch`: they return the item as it is
    passes_items = True
    point_yields_points = True

    def point(self, point: Point) -> list[Item]:
        """Pass the point on."""
        return [point]

    def points(self, points: list[Point], failed: Callable[[Exception], None]) -> list[Item]:
        """Pass the points on."""
        return list(points)

    def batch(self, batch: Batch) -> list[Item]:
        """Pass the batch on."""
        return [batch]


class FromNode(RuntimeNode):
    """`stream|from()`: database, retention policy and measurement filters, where lambdas, group by."""

    point_yields_points = True

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        self._database = last_text(spec, "database")
        self._retention_policy = last_text(spec, "retentionPolicy")
        self._measurement = last_text(spec, "measurement")
        self._wheres = [lambda_of(arg, f"{spec.name}.where") for arg in all_args(spec, "where")]
        self._star, tag_names = group_spec(last_args(spec, "groupBy"), f"{spec.name}.groupBy")
        self._by_name = spec.has("groupByMeasurement")
        self._dimensions = Dimensions(tag_names, self._by_name)
        self._grouped = self._star or bool(tag_names) or self._by_name
        self._truncate = last_duration(spec, "truncate", 0)
        self._round = last_duration(spec, "round", 0)
        self._plain = not self._grouped and not self._truncate and not self._round
        self._group_key = _group_key(tag_names, self._by_name)
        self._group_ids: dict[object, str] = {}

    def point(self, point: Point) -> list[Item]:
        """The point, grouped, when it passes every filter; nothing otherwise."""
        if self._database and point.database != self._database:
            return NOTHING
        if self._retention_policy and point.retention_policy != self._retention_policy:
            return NOTHING
        if self._measurement and point.name != self._measurement:
            return NOTHING
        for where in self._wheres:
            try:
                if not where.test_row("", point):
                    return NOTHING
            except EvalError as exc:
                raise NodeError(ERR_WHERE.format(error=exc)) from exc
        if self._plain:
            return [point]
        t = point.time
        if self._truncate:
            t = go_truncate(t, self._truncate)
        if self._round:
            t = go_round(t, self._round)
        dims = self._dimensions
        if self._star:
            dims = Dimensions(tuple(sorted(point.tags)), self._by_name)
            group = dims.group_id(point.name, point.tags)
        elif self._grouped:
            # group ids cached by the grouped tags' values (and the name when grouped by it)
            key = self._group_key(point)
            cached = self._group_ids.get(key)
            if cached is None:
                cached = dims.group_id(point.name, point.tags)
                if len(self._group_ids) >= GROUP_CACHE_MAX:
                    self._group_ids.clear()
                self._group_ids[key] = cached
            group = cached
        else:
            group, dims = point.group, point.dimensions
        return [Point(point.name, point.tags, point.fields, t, point.database, point.retention_policy, group, dims)]

    def points(self, points: list[Point], failed: Callable[[Exception], None]) -> list[Item]:
        """`point` on each point; the usual case (no where, grouped by fixed tags or not at all) inlined."""
        if self._wheres or self._star or self._truncate or self._round:
            return super().points(points, failed)
        try:
            return self._filter_and_group(points)
        except Exception:
            # only the group id cache changed (it is pure memoisation): redo point by point to report the failure
            return super().points(points, failed)

    def _filter_and_group(self, points: list[Point]) -> list[Item]:
        database, retention_policy, measurement = self._database, self._retention_policy, self._measurement
        kept: list[Item] = [
            p
            for p in points
            if (not database or p.database == database)
            and (not retention_policy or p.retention_policy == retention_policy)
            and (not measurement or p.name == measurement)
        ]
        if self._plain:
            return kept
        dims, group_key, group_ids = self._dimensions, self._group_key, self._group_ids
        out: list[Item] = []
        append = out.append
        for p in cast(list[Point], kept):
            key = group_key(p)
            group = group_ids.get(key)
            if group is None:
                group = dims.group_id(p.name, p.tags)
                if len(group_ids) >= GROUP_CACHE_MAX:
                    group_ids.clear()
                group_ids[key] = group
            append(Point(p.name, p.tags, p.fields, p.time, p.database, p.retention_policy, group, dims))
        return out


def _group_key(tag_names: tuple[str, ...], by_name: bool) -> Callable[[Point], object]:
    """What identifies a point's group: the grouped tags' values (and the name when grouped by it)."""
    if len(tag_names) == 1 and not by_name:
        (only,) = tag_names
        return lambda point: point.tags.get(only, "")
    if len(tag_names) == 2 and not by_name:
        first, second = tag_names
        return lambda point: (point.tags.get(first, ""), point.tags.get(second, ""))
    blanks = ("",) * len(tag_names)
    if by_name:
        return lambda point: (point.name, *map(point.tags.get, tag_names, blanks))
    return lambda point: tuple(map(point.tags.get, tag_names, blanks))

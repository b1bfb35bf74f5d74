"""The InfluxQL function nodes (`|mean('usage')`, `|top(3, 'v')`, ...): one class for every function.

On a batch edge the whole batch is reduced (a transformation is applied row by row and keeps the batch).
On a stream edge the points of a group that share a time are reduced together, and the result is sent
when a point with another time arrives; transformations emit for every point. The field type of the
first row that has the field picks the reducer; rows without the field or of another type are counted
as errors and skipped. `.as(name)` names the output field (default: the function name) and
`.usePointTimes()` gives selector results their row's time instead of the batch time.
"""

from __future__ import annotations

from dataclasses import dataclass

from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, BatchPoint, Dimensions, FieldValue, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import NodeError
from tocsin.tasks.nodes.common import NOTHING, ProcessingNode
from tocsin.tasks.nodes.influxql_funcs import (
    ERR_CANNOT_AGGREGATE,
    ERR_CANNOT_APPLY,
    ERR_FIELD_MISSING,
    ERR_WRONG_TYPE,
    Output,
    parse_call,
)
from tocsin.tasks.nodes.reducing import FLOAT, Reducer, Result, Sample, kind_of


@dataclass(slots=True)
class _Reduction:
    """A reducer and the field type it was created for."""

    reducer: Reducer
    kind: str


@dataclass(slots=True)
class _Group:
    """Per group: the header of what is emitted and, on a stream edge, the reduction in progress."""

    name: str
    time: int
    tags: dict[str, str]
    dimensions: Dimensions
    group: str
    reduction: _Reduction | None = None


class AggregateNode(ProcessingNode):
    """Runs one InfluxQL function (`spec.desc`) over batches or over same-time points of a stream."""

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        self.function, self.call = parse_call(spec)
        as_name = spec.last("as", spec.desc)
        if not isinstance(as_name, str):
            raise NodeError(f"{spec.name}.as: expected a string, got {as_name!r}")
        self.as_name = as_name
        self.transform = self.function.output is Output.SAME
        self.point_times = spec.has("usePointTimes") or self.transform or self.function.point_times
        self._groups: dict[str, _Group] = {}

    def cardinality(self) -> int:
        return len(self._groups)

    # -- input ---------------------------------------------------------------------------------

    def batch(self, batch: Batch) -> list[Item]:
        group = self._group(batch)
        group.time = batch.time
        if self.transform:
            return [self._transform_batch(group, batch)]
        reduction = None
        size = 0
        for row in batch.points:
            if reduction is None:
                reduction = self._realize(row.fields)
                if reduction is None:
                    continue
            size += 1
            self._feed(reduction, row.time, row.fields, row.tags)
        if size == 0 and not self.function.empty_ok:
            return NOTHING
        if reduction is None:
            # InfluxQL assumes a float field when nothing says otherwise
            reduction = _Reduction(self.function.make(self.call, FLOAT), FLOAT)
        return self._emit(group, reduction)

    def point(self, point: Point) -> list[Item]:
        group = self._group(point)
        if self.transform:
            if group.reduction is None:
                group.reduction = self._realize(point.fields)
                if group.reduction is None:
                    return NOTHING
            self._feed(group.reduction, point.time, point.fields, point.tags)
            out = self._point(group, group.reduction.reducer.emit())
            return NOTHING if out is None else [out]
        if point.time == group.time:
            self._add(group, point)
            return NOTHING
        emitted = NOTHING if group.reduction is None else self._emit(group, group.reduction)
        group.name = point.name
        group.time = point.time
        group.reduction = None
        self._add(group, point)
        return emitted

    def _group(self, item: Item) -> _Group:
        group = self._groups.get(item.group)
        if group is None:
            dims = item.dimensions
            tags = dict(item.tags) if isinstance(item, Batch) else {k: item.tags.get(k, "") for k in dims.tag_names}
            group = self._groups[item.group] = _Group(item.name, item.time, tags, dims, item.group)
        return group

    def _add(self, group: _Group, point: Point) -> None:
        if group.reduction is None:
            group.reduction = self._realize(point.fields)
            if group.reduction is None:
                return
        self._feed(group.reduction, point.time, point.fields, point.tags)

    def _realize(self, fields: dict[str, FieldValue]) -> _Reduction | None:
        field = self.call.field
        if field not in fields:
            self.error(ERR_FIELD_MISSING.format(field=field))
            return None
        kind = kind_of(fields[field])
        if kind not in self.function.kinds:
            self.error(ERR_CANNOT_APPLY.format(method=self.call.method, field=field, kind=kind))
            return None
        return _Reduction(self.function.make(self.call, kind), kind)

    def _feed(self, reduction: _Reduction, time: int, fields: dict[str, FieldValue], tags: dict[str, str]) -> None:
        field = self.call.field
        if field not in fields:
            self.error(ERR_CANNOT_AGGREGATE.format(field=field))
            return
        value = fields[field]
        kind = kind_of(value)
        if kind != reduction.kind:
            self.error(ERR_WRONG_TYPE.format(field=field, got=kind, want=reduction.kind))
            return
        reduction.reducer.aggregate(Sample(time, value, tags, fields))

    # -- output --------------------------------------------------------------------------------

    def _emit(self, group: _Group, reduction: _Reduction) -> list[Item]:
        results = reduction.reducer.emit()
        if self.function.output is Output.BATCH:
            return [self._batch(group, results)]
        out = self._point(group, results)
        return NOTHING if out is None else [out]

    def _time(self, result: Result, default: int) -> int:
        if self.point_times and result.time is not None:
            return result.time
        return default

    def _point(self, group: _Group, results: list[Result]) -> Point | None:
        if len(results) != 1:
            return None
        result = results[0]
        source = result.source
        if self.function.keeps_row and source is not None:
            tags = dict(source.tags)
            fields = dict(source.fields)
            if self.as_name != self.call.field:
                fields[self.as_name] = fields.pop(self.call.field)
        else:
            tags = dict(group.tags)
            fields = {self.as_name: result.value}
        return Point(group.name, tags, fields, self._time(result, group.time), "", "", group.group, group.dimensions)

    def _batch(self, group: _Group, results: list[Result]) -> Batch:
        batch_time = group.time
        rows = []
        for result in results:
            time = self._time(result, group.time)
            tags = dict(group.tags)
            if result.source is not None:
                tags.update(result.source.tags)
            rows.append(BatchPoint(time, {self.as_name: result.value}, tags))
            batch_time = max(batch_time, time)
        return Batch(
            group.name,
            batch_time,
            dict(group.tags),
            rows,
            "",
            "",
            group.group,
            group.dimensions,
            group.dimensions.by_name,
        )

    def _transform_batch(self, group: _Group, batch: Batch) -> Batch:
        reduction = None
        rows = []
        for row in batch.points:
            if reduction is None:
                reduction = self._realize(row.fields)
                if reduction is None:
                    continue
            # a row that fails to aggregate still re-emits the current result, as Kapacitor does
            self._feed(reduction, row.time, row.fields, row.tags)
            results = reduction.reducer.emit()
            if len(results) == 1:
                result = results[0]
                rows.append(BatchPoint(self._time(result, group.time), {self.as_name: result.value}, dict(group.tags)))
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

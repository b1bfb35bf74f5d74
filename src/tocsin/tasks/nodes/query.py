"""`batch|query('SELECT ...')`: the batch task's source, querying InfluxDB on a schedule (Kapacitor's QueryNode).

Each run has a stop time (the tick, less `.offset()`) and a start time (stop less `.period()`); the query runs
bounded to `start <= time < stop`, with the `.groupBy()` dimensions and `.fill()` in place, and each series of
the answer becomes one batch. Ticks come every `.every()` from the task's start, or on multiples of it with
`.align()`, or at the times of `.cron()`. As in Kapacitor, field numbers arrive as floats, a null is no field, a
batch's time is the stop time unless the query groups by time (then its last row's), and rows keep their
series' tags. A failed query counts in `query_errors` (`connect_errors` when no URL answered) and is logged;
the next tick tries again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from croniter import croniter

from tocsin.expr.gostrconv import format_influx_duration
from tocsin.expr.values import Duration
from tocsin.influxdb.client import InfluxDBError, Result
from tocsin.influxdb.clusters import NO_CLUSTER, Clusters
from tocsin.influxdb.querytext import QueryError, SelectQuery, parse_select, quote_ident
from tocsin.pipeline.spec import NodeSpec, Star, TimeDimension
from tocsin.points import Batch, BatchPoint, Dimensions, FieldValue, Item
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import NodeError, RuntimeNode
from tocsin.tasks.nodes.common import last_args, last_duration, last_text

FILL_WORDS = ("null", "none", "previous", "linear")
MIN_RUN_LIMIT = 10.0  # seconds a run may take at least, without a cluster timeout
CRON_LIMIT = 60.0  # seconds a cron-scheduled run may take, without a cluster timeout


class BatchNode(RuntimeNode):
    """`batch`: the root of a batch task; its query children produce the data."""

    passes_items = True

    def batch(self, batch: Batch) -> list[Item]:
        return [batch]


class QueryNode(RuntimeNode):
    """Runs the query on its schedule and emits one batch per series of each answer."""

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        where = spec.name
        text = spec.args[0] if spec.args else ""
        try:
            self.query: SelectQuery = parse_select(str(text))
        except QueryError as exc:
            raise NodeError(f"failed to parse InfluxQL query: {exc}") from None
        if self.query.group_by:
            raise NodeError(
                f"{where}: the query's GROUP BY {self.query.group_by} would be replaced by .groupBy(): "
                "move its dimensions into .groupBy() (time(...) for GROUP BY time)"
            )
        self.period = last_duration(spec, "period", 0)
        self.every = last_duration(spec, "every", 0)
        self.offset = last_duration(spec, "offset", 0)
        self.align = spec.has("align")
        self.align_group = spec.has("alignGroup")
        cron = spec.last("cron", "")
        self.cron = _cron(str(cron), where) if cron else ""
        if self.every and self.cron:
            raise NodeError(f"{where}: must not set both 'every' and 'cron' properties")
        if not self.every and not self.cron:
            raise NodeError(f"{where}: must set either 'every' or 'cron' property")
        if self.every < 0 or self.period < 0:
            raise NodeError(f"{where}: 'every' and 'period' must not be negative")
        if self.period == 0:
            self.period = self.every  # Kapacitor's default: each run covers the time since the last
        self.time_dim, self.tag_dims, self.star = _dimensions(last_args(spec, "groupBy"), where)
        self.by_name = spec.has("groupByMeasurement")
        fill = spec.last("fill")
        self.fill = None if fill is None else _fill(fill, where)
        self.cluster = last_text(spec, "cluster")
        clusters = ctx.influxdb
        if clusters is None:
            raise NodeError(NO_CLUSTER)
        try:
            clusters.client(self.cluster)  # refuse to start for a cluster that is not enabled
        except InfluxDBError as exc:
            raise NodeError(str(exc)) from None
        self._clusters: Clusters = clusters
        self._emit: Callable[[list[Item]], None] | None = None
        self.batches_queried = 0
        self.points_queried = 0
        self.query_errors = 0
        self.connect_errors = 0
        self.last_error = ""

    def attach_emitter(self, emit: Callable[[list[Item]], None]) -> None:
        self._emit = emit

    # -- schedule ---------------------------------------------------------------------------------

    def next_tick(self, now_ns: int, started_ns: int, previous_ns: int | None) -> int:
        """The wall-clock time (ns) of the run after `previous_ns` (the first after `now_ns` when None)."""
        if self.cron:
            base = dt.datetime.fromtimestamp(now_ns / 1e9, tz=dt.UTC)
            following = croniter(self.cron, base).get_next(dt.datetime)
            return int(following.timestamp() * 1e9)
        every = self.every
        if self.align:
            return (now_ns // every + 1) * every
        if previous_ns is None:
            return started_ns + every
        # skip the ticks a slow query made us miss
        missed = max(0, (now_ns - previous_ns) // every)
        return previous_ns + (missed + 1) * every

    async def run(self) -> None:
        """Query at every tick until the task stops."""
        started = time.time_ns()
        previous: int | None = None
        while True:
            now = time.time_ns()
            tick = self.next_tick(now, started, previous)
            await asyncio.sleep(max(0.0, (tick - now) / 1e9))
            previous = tick
            try:
                await self.query_once(tick)
            except Exception as exc:  # a bug downstream must not end the schedule: counted, logged, next tick
                self.query_errors += 1
                self.last_error = str(exc) or type(exc).__name__
                self.ctx.log.exception("task=%s node=%s run failed", self.ctx.task_id, self.spec.name)

    # -- one run ----------------------------------------------------------------------------------

    def statement(self, tick_ns: int) -> tuple[str, int, int]:
        """The bounded statement for the run at `tick_ns`, with its start and stop times."""
        stop = tick_ns - self.offset
        start = stop - self.period
        dims: list[str] = []
        if self.time_dim is not None:
            offset = start % self.time_dim.length if self.align_group else self.time_dim.offset
            dims.append(f"time({format_influx_duration(self.time_dim.length)}, {format_influx_duration(offset)})")
        if self.star:
            dims.append("*")
        dims.extend(quote_ident(tag) for tag in self.tag_dims)
        return self.query.bounded(start, stop, ", ".join(dims), self.fill), start, stop

    async def query_once(self, tick_ns: int) -> None:
        """Run the query for the tick and emit its batches; a failure is counted and logged."""
        text, _start, stop = self.statement(tick_ns)
        client = self._clusters.client(self.cluster)
        # A cluster with `timeout = 0` (Kapacitor's default) waits as long as InfluxDB takes; a run still ends by
        # the next tick, so that a connection that died silently does not stop the schedule for good.
        limit = None if client.settings.timeout else max(self.every / 1e9, MIN_RUN_LIMIT) if self.every else CRON_LIMIT
        try:
            results = await asyncio.wait_for(client.query(text, epoch="ns"), limit)
        except TimeoutError:
            self._failed(InfluxDBError(f"no answer within {limit:g}s", retryable=True), connect=False)
            return
        except InfluxDBError as exc:
            self._failed(exc, connect=exc.status is None)
            return
        batches: list[Item] = []
        for result in results:
            if result.error:
                self._failed(InfluxDBError(result.error, retryable=False, status=200), connect=False)
                continue
            batches.extend(self.batches(result, stop))
        self.last_error = ""
        self.batches_queried += len(batches)
        self.points_queried += sum(len(b.points) for b in batches if isinstance(b, Batch))
        if batches and self._emit is not None:
            self._emit(batches)

    def batches(self, result: Result, stop_ns: int) -> list[Batch]:
        """One batch per series: Kapacitor's conversion of a query answer."""
        out: list[Batch] = []
        grouped_by_time = self.time_dim is not None
        for series in result.series:
            tags = dict(series.tags)
            names = tuple(sorted(tags))
            dims = Dimensions(names, self.by_name)
            columns = series.columns
            time_at = columns.index("time") if "time" in columns else -1
            field_at = [(i, c) for i, c in enumerate(columns) if i != time_at]
            rows: list[BatchPoint] = []
            last_time = 0
            for values in series.values:
                # one pass per row: the hot loop of a batch task, whose answers often hold tens of thousands of rows
                fields: dict[str, FieldValue] = {
                    c: (float(v) if type(v) is int else v) for i, c in field_at if (v := values[i]) is not None
                }
                if fields:
                    row_time = int(values[time_at]) if time_at >= 0 else 0
                    rows.append(BatchPoint(row_time, fields, tags))
                    if row_time > last_time:
                        last_time = row_time
            batch_time = last_time if grouped_by_time and rows else stop_ns
            out.append(
                Batch(
                    series.name,
                    batch_time,
                    tags,
                    rows,
                    group=dims.group_id(series.name, tags),
                    dimensions=dims,
                    by_name=self.by_name,
                )
            )
        return out

    def _failed(self, exc: InfluxDBError, *, connect: bool) -> None:
        self.query_errors += 1
        if connect:
            self.connect_errors += 1
        self.last_error = str(exc)
        if not self.quiet:
            self.ctx.log.error("task=%s node=%s query failed: %s", self.ctx.task_id, self.spec.name, exc)

    def stats(self) -> dict[str, Any]:
        """Kapacitor's query node counters."""
        return {
            "batches_queried": self.batches_queried,
            "connect_errors": self.connect_errors,
            "points_queried": self.points_queried,
            "query_errors": self.query_errors,
        }


def _dimensions(args: tuple[Any, ...], where: str) -> tuple[TimeDimension | None, list[str], bool]:
    time_dim: TimeDimension | None = None
    tags: list[str] = []
    star = False
    for arg in args:
        if isinstance(arg, TimeDimension):
            if time_dim is not None:
                raise NodeError(f"{where}.groupBy: groupBy cannot have more than one time dimension")
            time_dim = arg
        elif isinstance(arg, Duration):
            if time_dim is not None:
                raise NodeError(f"{where}.groupBy: groupBy cannot have more than one time dimension")
            time_dim = TimeDimension(arg.ns)
        elif isinstance(arg, Star):
            star = True
        elif isinstance(arg, str):
            tags.append(arg)
        else:
            raise NodeError(f"{where}.groupBy: invalid dimension {arg!r}, must be a tag name, * or time(...)")
    return time_dim, tags, star


def _fill(value: Any, where: str) -> str:
    if isinstance(value, str):
        if value in FILL_WORDS:
            return value
        raise NodeError(f"{where}.fill: unexpected value {value!r}, must be null, none, previous, linear or a number")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise NodeError(f"{where}.fill: unexpected value {value!r}, must be null, none, previous, linear or a number")
    return repr(value) if isinstance(value, float) else str(value)


def _cron(text: str, where: str) -> str:
    """croniter's form of a Kapacitor cron expression (5 fields, or 6 with seconds first)."""
    fields = text.split()
    if len(fields) == 6:
        fields = [*fields[1:], fields[0]]  # croniter takes the seconds last
    elif len(fields) != 5:
        raise NodeError(f"{where}.cron: {text!r} must have 5 fields (or 6, seconds first)")
    expression = " ".join(fields)
    if not croniter.is_valid(expression):
        raise NodeError(f"{where}.cron: invalid cron expression {text!r}")
    return expression

"""`|influxDBOut()`: points and batch rows written to an InfluxDB cluster, buffered (tocsin.influxdb.writer).

As in Kapacitor: the measurement defaults to the point's name, `.tag()` tags are added to (and win over) the
point's, `.buffer()` lines (1000) or `.flushInterval()` (10s) trigger a write, `.create()` creates the database
(and the retention policy) before the first write. A task with influxDBOut does not start without an enabled
`[[influxdb]]` cluster of that name, rather than drop what it would write.
"""

from __future__ import annotations

from typing import Any

from tocsin.influxdb.client import InfluxClient, InfluxDBError
from tocsin.influxdb.clusters import NO_CLUSTER
from tocsin.influxdb.databases import create_database
from tocsin.influxdb.writer import BufferedWriter, Target
from tocsin.lineprotocol.encode import PRECISIONS, line
from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, FieldValue, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import NodeError, RuntimeNode
from tocsin.tasks.nodes.common import last_duration, last_text, string_pairs

DEFAULT_BUFFER = 1000
DEFAULT_FLUSH_INTERVAL = 10_000_000_000
CONSISTENCIES = ("", "any", "one", "quorum", "all")


class InfluxDBOutNode(RuntimeNode):
    """Writes what it gets; Kapacitor's `points_written` and `write_errors` count InfluxDB's answers."""

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        where = spec.name
        self.cluster = last_text(spec, "cluster")
        self.database = last_text(spec, "database")
        self.retention_policy = last_text(spec, "retentionPolicy")
        self.measurement = last_text(spec, "measurement")
        self.precision = last_text(spec, "precision")
        consistency = last_text(spec, "writeConsistency")
        if self.precision not in PRECISIONS:
            raise NodeError(
                f"{where}.precision: invalid precision {self.precision!r}, must be one of n, u, ms, s, m, h"
            )
        if consistency not in CONSISTENCIES:
            raise NodeError(f"{where}.writeConsistency: {consistency!r} is not one of any, one, quorum, all")
        if not self.database:
            raise NodeError(f"{where}: .database() is required")
        self.tags = string_pairs(spec, "tag")
        buffer = spec.last("buffer", DEFAULT_BUFFER)
        if not isinstance(buffer, int) or buffer < 1:
            raise NodeError(f"{where}.buffer: must be a positive number of points, got {buffer!r}")
        interval = last_duration(spec, "flushInterval", DEFAULT_FLUSH_INTERVAL)
        if interval <= 0:
            raise NodeError(f"{where}.flushInterval: must be positive")
        clusters = ctx.influxdb
        if clusters is None:
            raise NodeError(NO_CLUSTER)
        try:
            clusters.client(self.cluster)  # refuse to start for a cluster that is not enabled
        except InfluxDBError as exc:
            raise NodeError(str(exc)) from None
        self.writer = BufferedWriter(
            lambda: clusters.client(self.cluster),
            buffer_size=buffer,
            flush_interval=interval / 1e9,
            label=f"task={ctx.task_id} node={where} write",
            prepare=self._create_database if spec.has("create") else None,
        )
        self._target = Target(self.database, self.retention_policy, self.precision, consistency)

    def point(self, point: Point) -> list[Item]:
        """Queue the point for writing."""
        self._add(point.name, point.tags, point.fields, point.time)
        return []

    def batch(self, batch: Batch) -> list[Item]:
        """Queue each row of the batch."""
        for row in batch.points:
            self._add(batch.name, row.tags or batch.tags, row.fields, row.time)
        return []

    def _add(self, name: str, tags: dict[str, str], fields: dict[str, FieldValue], time_ns: int) -> None:
        text = line(self.measurement or name, {**tags, **self.tags}, fields, time_ns, self.precision)
        if text is not None:
            self.writer.add(self._target, text)

    async def _create_database(self, client: InfluxClient) -> None:
        """`.create()`, before the first write."""
        await create_database(client, self.database, self.retention_policy)

    async def finish(self) -> None:
        """Write what is still buffered when the task stops."""
        await self.writer.close()

    def stats(self) -> dict[str, Any]:
        """Kapacitor's `points_written` and `write_errors`, from InfluxDB's answers."""
        counts = self.writer.counts
        return {"points_written": counts.points_written, "write_errors": counts.write_errors}

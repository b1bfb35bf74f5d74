"""Running recorded data through a copy of a task, isolated from everything the live task reaches.

The copy is compiled again from the task's script and runs in an executor of its own (as the runtime builds
one), with a context whose `emit` keeps each alert event in the replay's result, derived against a topic table
of the copy's own (previousLevel, duration), instead of handing it to the engine: no handler is attached, so
no alert of a replay reaches a real endpoint. The rest of the outside world is cut off too: httpPost may
connect nowhere (an address policy that denies every network), influxDBOut and the query nodes get clients
that send nothing, kapacitorLoopback points are dropped, inhibitions stay inside the copy. Timer-driven nodes
(stats, deadman) do not tick: the copy is driven by the data alone.

Clocks as Kapacitor's: `fast` sends the data without waiting, `real` waits between items as long as the
recorded times are apart. Unless `recording-time` is set, times are shifted so that the first item of the
recording (of each batch source) lands at the replay's start, keeping the spacing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tocsin.alert.event import Event, alert_json_line
from tocsin.alert.topics import Derive, EventState, TopicTable
from tocsin.config.networks import parse_networks
from tocsin.handlers.base import ConfigView
from tocsin.influxdb.client import InfluxClient, InfluxDBError
from tocsin.influxdb.clusters import Clusters
from tocsin.influxdb.settings import ClusterSettings
from tocsin.loopslice import Slicer
from tocsin.pipeline.spec import Pipeline
from tocsin.points import Batch, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.executor import TaskExecutor
from tocsin.tasks.inhibit import Inhibitors
from tocsin.transports.netpolicy import AddressPolicy

log = logging.getLogger(__name__)

# Alerts a replay keeps in its result; beyond this they are counted, not kept (a result lives in the store).
MAX_ALERTS = 10_000
OFFLINE = "a replay sends nothing to InfluxDB"
WRONG_SOURCES = "unexpected number of batch collectors. exp {exp} got {got}"  # Kapacitor's text
NOWHERE = AddressPolicy(deny=parse_networks(["0.0.0.0/0", "::/0"]))


class _OfflineClient(InfluxClient):
    """A cluster client that refuses every request: what a replay's influxDBOut writes goes nowhere."""

    async def _request(
        self, method: str, path: str, params: dict[str, str], data: bytes | None, headers: dict[str, str]
    ) -> tuple[int, Mapping[str, str], bytes]:
        raise InfluxDBError(OFFLINE, retryable=False)


class OfflineClusters(Clusters):
    """The live clusters' names and checks (a node of an unknown cluster fails as it would live), no I/O."""

    def client(self, name: str = "") -> InfluxClient:
        return _OfflineClient(ClusterSettings.of(self.element(name)))


@dataclass(slots=True)
class ReplayResult:
    """What the copy produced: alert events (as handlers get them, with their topic), httpOut results, stats."""

    alerts: list[dict[str, Any]] = field(default_factory=list)
    alerts_dropped: int = 0
    http_out: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)

    def to_doc(self) -> dict[str, Any]:
        return {
            "alerts": self.alerts,
            "alerts-dropped": self.alerts_dropped,
            "http-out": self.http_out,
        }


Progress = Callable[[float], None]


class ReplayCopy:
    """One replay's copy of a task: feed it points or batches, then `finish` for the result."""

    def __init__(
        self,
        task_id: str,
        pipeline: Pipeline,
        dbrps: list[tuple[str, str]],
        config: ConfigView,
        *,
        hostname: str,
        cluster_id: str = "",
        server_id: str = "",
    ) -> None:
        self.result = ReplayResult()
        self._topics = TopicTable()
        self._dbrps = frozenset(dbrps)
        self.ctx = TaskContext(
            task_id=task_id,
            hostname=hostname,
            cluster_id=cluster_id,
            server_id=server_id,
            config=config,
            emit=self._emit,
            last_event=self._last_event,
            inhibitors=Inhibitors(),
            address_policy=NOWHERE,
            influxdb=OfflineClusters(config),
            dbrps=tuple(dbrps),
            loopback=lambda points: None,
        )
        self.pipeline = pipeline
        self.executor = TaskExecutor(task_id, pipeline, self.ctx, _nothing_to_flush)

    def _emit(self, event: Event, derive: Derive) -> None:
        self._topics.collect(event, derive)
        if len(self.result.alerts) >= MAX_ALERTS:
            self.result.alerts_dropped += 1
            return
        self.result.alerts.append({"topic": event.topic, "alert": json.loads(alert_json_line(event))})

    def _last_event(self, topic_id: str, alert_id: str) -> EventState | None:
        topic = self._topics.get(topic_id)
        return topic.events.get(alert_id) if topic is not None else None

    async def stream(self, points: list[Point], *, real: bool, rec_time: bool, progress: Progress) -> None:
        """Write the points of the task's dbrps to the copy, in order, on the chosen clock."""
        clock = _Clock(real)
        slicer = Slicer()
        diff: int | None = None
        total = max(1, len(points))
        for index, point in enumerate(points):
            if (point.database, point.retention_policy) not in self._dbrps:
                continue
            if diff is None:
                diff = clock.zero - point.time
            due = point.time + diff
            if not rec_time:
                point.time = due
            await clock.until(due)
            try:
                self.executor.write(point)
            except Exception:
                log.exception("replay of task %s failed to process a point", self.ctx.task_id)
            progress(index / total)
            await slicer.pause()

    async def batches(self, sources: list[list[Batch]], *, real: bool, rec_time: bool, progress: Progress) -> None:
        """Hand each source's batches to the matching query node's children, merged by due time."""
        nodes = [self.executor.node(spec.name) for spec in self.pipeline.nodes if spec.desc == "query"]
        if len(sources) != len(nodes):
            raise ValueError(WRONG_SOURCES.format(exp=len(sources), got=len(nodes)))
        clock = _Clock(real)
        due: list[tuple[int, int, Batch]] = []
        for index, batches in enumerate(sources):
            diff: int | None = None
            for batch in batches:
                if not batch.points:
                    continue
                if diff is None:
                    diff = clock.zero - batch.points[0].time
                if not rec_time:
                    for row in batch.points:
                        row.time += diff
                    last = batch.points[-1].time
                else:
                    last = batch.points[-1].time + diff
                batch.time = max(batch.time, batch.points[-1].time)
                due.append((last, index, batch))
        due.sort(key=lambda entry: (entry[0], entry[1]))
        slicer = Slicer()
        total = max(1, len(due))
        for count, (when, index, batch) in enumerate(due):
            await clock.until(when)
            # the executor's emitter of that query node: what the node hands on after a query of its own
            emit: Callable[[list[Item]], None] | None = getattr(nodes[index], "_emit", None)
            if emit is not None:
                try:
                    emit([batch])
                except Exception:
                    log.exception("replay of task %s failed to process a batch", self.ctx.task_id)
            progress(count / total)
            await slicer.pause()

    async def finish(self) -> ReplayResult:
        """Stop the copy; the result with its stats and httpOut results."""
        self.result.stats = self.executor.stats()
        self.result.http_out = dict(self.ctx.http_outputs)  # before stop: stopped httpOut nodes drop theirs
        await self.executor.stop()
        for task in list(self.ctx.pending):
            task.cancel()
        return self.result


async def _nothing_to_flush() -> None:
    return None


class _Clock:
    """Kapacitor's replay clocks: `zero` is the replay's start; `until` waits on the real clock only."""

    def __init__(self, real: bool) -> None:
        self.real = real
        self.zero = time.time_ns()
        self._loop_zero = asyncio.get_running_loop().time()

    async def until(self, due_ns: int) -> None:
        if not self.real:
            return
        loop = asyncio.get_running_loop()
        delay = self._loop_zero + (due_ns - self.zero) / 1e9 - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)

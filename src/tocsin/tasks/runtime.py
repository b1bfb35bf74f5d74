"""Running tasks: starting and stopping executors, and routing written points to them.

Points of one write go through every subscribed task in order; the alert events they produce are
gathered in one buffer and collected by the engine once, so the write is answered after the deliveries
are durably queued. One lock serialises writes (and timer flushes), so a task never sees two writes
interleaved; a long write hands the event loop back every few milliseconds (`tocsin.loopslice`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from tocsin.alert.event import Event
from tocsin.alert.topics import Derive, EventState
from tocsin.influxdb.clusters import Clusters
from tocsin.loopslice import SLICE_SECONDS, Slicer
from tocsin.pipeline.spec import EdgeType, Pipeline
from tocsin.points import Point
from tocsin.stats.ingress import Ingress
from tocsin.tasks.context import TaskContext
from tocsin.tasks.executor import TaskExecutor
from tocsin.tasks.inhibit import Inhibitors
from tocsin.tasks.records import Dbrp

log = logging.getLogger(__name__)

# A task's list path takes its points in chunks of at most LIST_CHUNK, so that a write can yield between them.
LIST_CHUNK = 1024
LOOPBACK_MAX = 100_000  # kapacitorLoopback points waiting to be written back

if TYPE_CHECKING:
    from tocsin.engine.engine import Engine


def anonymous_topic(task_id: str, node_name: str) -> str:
    """The topic an alert node with TICKscript handlers publishes to."""
    return f"main:{task_id}:{node_name}"


class PointCapture(Protocol):
    """A stream recording under way (tasks/recordings.py): it sees every written point."""

    def take(self, points: list[Point]) -> None: ...


@dataclass(slots=True)
class RunningTask:
    """An executing task: its compiled pipeline, context and executor."""

    id: str
    pipeline: Pipeline
    ctx: TaskContext
    executor: TaskExecutor
    dbrps: frozenset[Dbrp]


class TaskRuntime:
    """Every executing task of the server, and the write path into them."""

    def __init__(self, engine: Engine, clusters: Clusters | None = None) -> None:
        self.engine = engine
        self.clusters = clusters
        # scale-out: inhibitions are published through the store and read back from the other instances
        self.inhibitors = Inhibitors(shared=engine.cluster is not None)
        self.running: dict[str, RunningTask] = {}
        self._routes: dict[Dbrp, list[RunningTask]] = {}
        self._pending: list[tuple[Event, Derive]] = []
        self._lock = asyncio.Lock()
        self.ingress = Ingress()
        self._looped: list[Point] = []
        self._looping: asyncio.Task[None] | None = None
        self.captures: set[PointCapture] = set()  # empty unless a stream recording runs: one test per write

    def is_executing(self, task_id: str) -> bool:
        """Whether the task is executing."""
        return task_id in self.running

    async def start(self, task_id: str, pipeline: Pipeline, dbrps: list[Dbrp]) -> None:
        """Attach the alert nodes' handlers and start the executor; on failure nothing stays attached."""
        engine = self.engine
        ctx = TaskContext(
            task_id=task_id,
            hostname=_hostname(engine),
            config=engine.config,
            emit=self._emit,
            last_event=self._last_event,
            inhibitors=self.inhibitors,
            cluster_id=engine.identity.cluster_id,
            server_id=engine.identity.server_id,
            address_policy=engine.transports.policy,
            influxdb=self.clusters,
            dbrps=tuple(dbrps),
            loopback=self._loopback,
        )
        try:
            attach_handlers(engine, task_id, pipeline)
            executor = TaskExecutor(task_id, pipeline, ctx, self.flush)
            await executor.start()
        except BaseException:
            engine.detach_task_handlers(task_id)
            raise
        # a batch task queries its data: written points never go to it
        routed = frozenset(dbrps) if pipeline.type is EdgeType.STREAM else frozenset()
        self.running[task_id] = RunningTask(task_id, pipeline, ctx, executor, routed)
        self._reroute()
        self.inhibitors.claim_task(task_id)

    async def stop(self, task_id: str) -> None:
        """Stop an executing task (no-op when it is not executing) and detach its handlers."""
        running = self.running.pop(task_id, None)
        if running is None:
            return
        self._reroute()
        try:
            await running.executor.stop()
        except Exception:
            log.exception("stopping task %s failed", task_id)
        finally:
            self.engine.detach_task_handlers(task_id)
        await self._publish_inhibitions()  # what the stopped task inhibited ends on the other instances too

    async def close(self) -> None:
        """Stop every executing task."""
        for task_id in list(self.running):
            await self.stop(task_id)

    def _reroute(self) -> None:
        routes: dict[Dbrp, list[RunningTask]] = {}
        for running in sorted(self.running.values(), key=lambda r: r.id):
            for dbrp in running.dbrps:
                routes.setdefault(dbrp, []).append(running)
        self._routes = routes

    async def write(self, points: list[Point]) -> None:
        """Run the points through every subscribed task, then collect the events they raised.

        When the tasks of the write cannot affect one another (none uses inhibition, no two publish to one
        topic), each takes its points at once (`TaskExecutor.write_all`); otherwise each point goes through
        every task before the next point."""
        self.ingress.count(points)
        if self.captures:
            for capture in list(self.captures):
                capture.take(points)
        async with self._lock:
            plan = self._plan(points)
            slicer = Slicer()
            if plan is None:
                await self._interleave(points, slicer)
            else:
                for running, subset in plan:
                    await self._write_task(running, subset, slicer)
            await self._collect()

    def _plan(self, points: list[Point]) -> list[tuple[RunningTask, list[Point]]] | None:
        """Each task with the points routed to it, in order; None when the tasks are not independent."""
        if not points:
            return []
        routes = self._routes
        first = points[0]
        database, retention_policy = first.database, first.retention_policy
        if all(p.database == database and p.retention_policy == retention_policy for p in points):
            targets = routes.get((database, retention_policy), [])
            return [(running, points) for running in targets] if _independent(targets) else None
        subsets: dict[str, tuple[RunningTask, list[Point]]] = {}
        for point in points:
            for running in routes.get((point.database, point.retention_policy), ()):
                subsets.setdefault(running.id, (running, []))[1].append(point)
        plan = list(subsets.values())
        return plan if _independent(running for running, _ in plan) else None

    async def _write_task(self, running: RunningTask, points: list[Point], slicer: Slicer) -> None:
        executor = running.executor
        if executor.takes_lists:
            # chunks grow from one point while they are quick, so a slow chain (a costly alert template)
            # cannot hold the loop for a whole chunk
            start, size = 0, 1
            while start < len(points):
                began = time.perf_counter()
                try:
                    executor.write_all(points[start : start + size])
                except Exception:
                    log.exception("task %s failed to process points", running.id)
                start += size
                took = time.perf_counter() - began
                size = min(size * 2, LIST_CHUNK) if took < SLICE_SECONDS / 2 else max(1, size // 2)
                await slicer.pause()
            return
        for point in points:
            try:
                executor.write(point)
            except Exception:
                log.exception("task %s failed to process a point", running.id)
            await slicer.pause()

    async def _interleave(self, points: list[Point], slicer: Slicer) -> None:
        routes = self._routes
        database = retention_policy = None
        targets: list[RunningTask] = []
        for point in points:
            # the points of one write usually share their dbrp: look the tasks up when it changes
            if point.database != database or point.retention_policy != retention_policy:
                database, retention_policy = point.database, point.retention_policy
                targets = routes.get((database, retention_policy), [])
            for running in targets:
                try:
                    running.executor.write(point)
                except Exception:
                    log.exception("task %s failed to process a point", running.id)
            await slicer.pause()

    async def flush(self) -> None:
        """Collect events raised outside a write (timer-driven nodes)."""
        async with self._lock:
            await self._collect()

    async def _publish_inhibitions(self) -> None:
        if not self.inhibitors.unpublished:
            return
        try:
            await self.inhibitors.publish(self.engine.store, self.engine.identity.server_id)
        except Exception as exc:  # the next write or flush tries again; local inhibition is unaffected
            log.error("publishing inhibitions to the other instances failed: %s", exc)

    async def _collect(self) -> None:
        await self._publish_inhibitions()
        if not self._pending:
            return
        items, self._pending = self._pending, []
        await self.engine.collect(items)

    def _loopback(self, points: list[Point]) -> None:
        """kapacitorLoopback's points: written to the tasks after the write that made them (never inside it,
        which holds the write lock); at most LOOPBACK_MAX wait, the rest are dropped and logged."""
        room = LOOPBACK_MAX - len(self._looped)
        if len(points) > room:
            log.error("kapacitorLoopback: %d points dropped (%d already waiting)", len(points) - room, LOOPBACK_MAX)
            points = points[: max(0, room)]
        self._looped.extend(points)
        if self._looping is None and self._looped:
            self._looping = asyncio.get_running_loop().create_task(self._write_looped())

    async def _write_looped(self) -> None:
        try:
            while self._looped:
                points, self._looped = self._looped, []
                await self.engine.write_points(points)
        except Exception:
            log.exception("kapacitorLoopback: writing points back failed")
        finally:
            self._looping = None

    def _emit(self, event: Event, derive: Derive) -> None:
        self._pending.append((event, derive))

    def _last_event(self, topic_id: str, alert_id: str) -> EventState | None:
        topic = self.engine.topics.get(topic_id)
        return topic.events.get(alert_id) if topic is not None else None

    def stats(self, task_id: str) -> dict[str, Any]:
        """Kapacitor's execution stats of an executing task (`{}` otherwise)."""
        running = self.running.get(task_id)
        return dict(running.executor.stats()) if running is not None else {}

    def running_error(self, task_id: str) -> str:
        """What is failing now in an executing task (a batch query InfluxDB does not answer), "" when nothing."""
        running = self.running.get(task_id)
        return running.executor.running_error() if running is not None else ""

    def output(self, task_id: str, name: str) -> dict[str, Any] | None:
        """The latest result of an `httpOut(name)` node of an executing task; None when there is none."""
        running = self.running.get(task_id)
        if running is None:
            return None
        result = running.ctx.http_outputs.get(name)
        if result is not None:
            return result
        endpoints = {str(n.args[0]) for n in running.pipeline.nodes if n.desc == "http_out" and n.args}
        return {"series": None} if name in endpoints else None


def _independent(tasks: Iterable[RunningTask]) -> bool:
    """Whether the tasks may run one after the other: none uses inhibition and no two share a topic."""
    seen: set[str] = set()
    for running in tasks:
        executor = running.executor
        if executor.shares_state or not seen.isdisjoint(executor.event_topics):
            return False
        seen |= executor.event_topics
    return True


def _hostname(engine: Engine) -> str:
    try:
        return engine.config.hostname
    except KeyError:
        return "localhost"


def attach_handlers(engine: Engine, task_id: str, pipeline: Pipeline) -> None:
    """Register every handler the task's alert nodes chain, on each node's anonymous topic."""
    for node in pipeline.nodes:
        if node.desc == "alert" and node.handlers:
            calls = [(f"{node.name}:{h.kind}:{i}", h.kind, dict(h.options)) for i, h in enumerate(node.handlers)]
            engine.attach_task_handlers(task_id, anonymous_topic(task_id, node.name), calls)

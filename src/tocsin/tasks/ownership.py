"""Scale-out for TICKscript tasks: each enabled task runs on the one instance that holds its lease.

With a shared store every instance knows every task (`tocsin.tasks.follow` keeps them current) and attaches
the handlers of every enabled task, so that any instance delivers the rows it claims; but it runs the
pipeline only of the tasks it owns, so points written to it go through those alone. A round every third of
the lease renews the leases, gives up those of tasks no longer enabled here and claims free ones up to a fair
share (`tocsin.store.postgres_tasks`); a round also runs when another instance gives tasks back, and shortly
after a task is enabled elsewhere: the instance that enabled it tries first, while answering the API call.

Taking a task over starts its pipeline with empty windows; alert nodes restore each group's level from the
topic states, which are first refreshed from the store for the task's anonymous topics. An instance that
could not renew its leases in time stops its tasks, as another one may hold them now.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from tocsin.alert.levels import Level
from tocsin.delivery.claims import SAFETY
from tocsin.pipeline.spec import Pipeline
from tocsin.store.cluster import Cluster
from tocsin.tasks.context import TaskContext
from tocsin.tasks.executor import TaskExecutor
from tocsin.tasks.follow import TaskFollower
from tocsin.tasks.host import TaskHost
from tocsin.tasks.inhibit import Inhibitors
from tocsin.tasks.records import Dbrp
from tocsin.tasks.runtime import anonymous_topic, attach_handlers

log = logging.getLogger(__name__)

RETRY = 1.0  # seconds before a failed round is tried again (at most a third of the lease)


class TaskOwnership:
    """Which enabled tasks this instance runs; the others stand by with their handlers attached."""

    def __init__(self, service: TaskHost, cluster: Cluster) -> None:
        self._svc = service
        self._cluster = cluster
        self.owned: set[str] = set()  # tasks whose lease this instance held at the last round
        self.ready: dict[str, tuple[Pipeline, list[Dbrp]]] = {}  # enabled tasks that compiled here
        self.claiming = False  # whether `start` claims the task (API calls), not while opening or following
        self._failed: set[str] = set()  # owned tasks that would not start (not retried until restarted)
        self._valid_until = 0.0
        self._next_round = 0.0
        self._wake = asyncio.Event()
        self._loop: asyncio.Task[None] | None = None
        self._closed = False
        self.follower = TaskFollower(service, self, cluster)

    @classmethod
    def for_service(cls, service: TaskHost) -> TaskOwnership | None:
        """Ownership following the engine's cluster link, or None when the store is this instance's alone."""
        link = service.engine.cluster
        if link is None:
            return None
        ownership = cls(service, link.cluster)
        link.followers.append(ownership.follower)
        return ownership

    # the task service's hooks

    async def start(self, task_id: str, pipeline: Pipeline, dbrps: list[Dbrp]) -> None:
        """Run the task if this instance holds (or, for an API call, can claim) its lease; otherwise check
        that it would start and attach its handlers. Raises what starting it raises."""
        self.ready[task_id] = (pipeline, list(dbrps))  # before claiming: only ready tasks are claimed
        self._failed.discard(task_id)
        try:
            if self.claiming and task_id not in self.owned:
                await self._claim(task_id)
                if task_id in self.owned:  # it may have run elsewhere before
                    await self._refresh_states(task_id)
            if task_id in self.owned and self._valid():
                await self._svc.runtime.start(task_id, pipeline, dbrps)
                return
            _check(self._svc, task_id, pipeline)
            self.stand_by(task_id, pipeline)
        except BaseException:
            self.ready.pop(task_id, None)  # its lease, if claimed, goes at the next round
            raise

    async def _claim(self, task_id: str) -> None:
        started = time.monotonic()
        try:
            self.owned = await self._cluster.hold_tasks(sorted(self.ready), [task_id])
        except Exception as exc:  # the next round claims it
            log.error("could not claim task %s now: %s", task_id, exc)
            return
        self._valid_until = started + self._cluster.lease * SAFETY

    def stop(self, task_id: str) -> None:
        """Forget a stopped task (its lease goes at the next round unless it starts again meanwhile)."""
        self.ready.pop(task_id, None)
        self._failed.discard(task_id)
        self._svc.engine.detach_task_handlers(task_id)

    def stand_by(self, task_id: str, pipeline: Pipeline) -> None:
        """Attach the task's handlers without running it (as `TaskRuntime.start` attaches them)."""
        engine = self._svc.engine
        try:
            attach_handlers(engine, task_id, pipeline)
        except BaseException:
            engine.detach_task_handlers(task_id)
            raise

    def wake(self, after: float = 0.0) -> None:
        """Run a round now, or `after` seconds from now."""
        if self._closed:
            return
        if after:
            asyncio.get_running_loop().call_later(after, self._wake.set)
        else:
            self._wake.set()

    # lifecycle

    async def begin(self) -> None:
        """Claim this instance's share and run it, then keep the leases (after the tasks were loaded)."""
        self.follower.inhibitions_changed()  # the other instances' inhibitions, as they stand now
        await self._round()
        self.claiming = True
        self._next_round = time.monotonic() + self._cluster.lease / 3
        self._loop = asyncio.get_running_loop().create_task(self._run(), name="tocsin-task-leases")

    async def close(self) -> None:
        """Stop renewing, stop every running task, then give the leases back so that others take over now."""
        self._closed = True
        self.claiming = False
        await self.follower.close()
        loop, self._loop = self._loop, None
        if loop is not None:
            loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await loop
        await self._svc.runtime.close()
        if not self.owned:  # nothing to hand over: this instance's presence runs out after the lease
            return
        try:
            await self._cluster.release_tasks()
        except Exception as exc:
            log.error("could not give back task leases (others take them after the lease): %s", exc)

    # rounds

    def _valid(self) -> bool:
        return time.monotonic() < self._valid_until

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(0.0, self._next_round - time.monotonic()))
            self._wake.clear()
            async with self._svc.api_lock:
                ok = await self._round()
            third = self._cluster.lease / 3
            self._next_round = time.monotonic() + (third if ok else min(RETRY, third))

    async def _round(self) -> bool:
        started = time.monotonic()
        try:
            held = await self._cluster.hold_tasks(sorted(self.ready))
        except Exception as exc:
            log.error("renewing task leases failed: %s", exc)
            if not self._valid() and self._svc.runtime.running:
                log.error("task leases not renewed in time: stopping this instance's tasks")
                await self._apply(set())
            return False
        self._valid_until = started + self._cluster.lease * SAFETY
        await self._apply(held)
        return True

    async def _apply(self, held: set[str]) -> None:
        """Run exactly the held tasks that are ready here; stand the others by."""
        self.owned = held
        runtime = self._svc.runtime
        for task_id in sorted(set(runtime.running) - held):
            await runtime.stop(task_id)
            ready = self.ready.get(task_id)
            if ready is not None:
                self.stand_by(task_id, ready[0])
        for task_id in sorted(held - set(runtime.running) - self._failed):
            ready = self.ready.get(task_id)
            if ready is None:
                continue
            await self._refresh_states(task_id)
            try:
                await runtime.start(task_id, *ready)
            except Exception as exc:
                self._failed.add(task_id)
                log.error("task %s taken over does not start here: %s", task_id, exc)
                self.stand_by(task_id, ready[0])
            else:
                log.info("running task %s (lease taken)", task_id)

    async def _refresh_states(self, task_id: str) -> None:
        """Make the task's anonymous topics hold what the store has (notices may still be on their way)."""
        if not self._svc.engine.config.get("alert", "persist-topics"):
            return  # nothing is stored, nor sent to the other instances
        prefix = anonymous_topic(task_id, "")
        try:
            stored = await self._cluster.topic_states(prefix)
        except Exception as exc:
            log.warning("topic states of task %s not refreshed before taking it over: %s", task_id, exc)
            return
        topics = self._svc.engine.topics
        known = {(topic_id, alert_id) for topic_id, alert_id, _ in stored}
        for topic in topics.list(prefix + "*"):
            # An alert ID the store no longer has was resolved (OK states are not stored, but stay listed).
            for alert_id in [a for a, state in topic.events.items() if state.level != Level.OK]:
                if (topic.id, alert_id) not in known:
                    del topic.events[alert_id]
        for topic_id, alert_id, record in stored:
            topics.restore(topic_id, alert_id, record)


def _check(svc: TaskHost, task_id: str, pipeline: Pipeline) -> None:
    """Build the task's nodes as its owner would, so that an instance that does not run it reports the same
    errors (nothing is started: no timers, no routes)."""
    engine = svc.engine
    ctx = TaskContext(
        task_id=task_id,
        hostname=_hostname(svc),
        config=engine.config,
        emit=lambda _event, _derive: None,
        last_event=lambda _topic, _alert: None,
        inhibitors=Inhibitors(),
        cluster_id=engine.identity.cluster_id,
        server_id=engine.identity.server_id,
        address_policy=engine.transports.policy,
        influxdb=svc.runtime.clusters,
    )
    TaskExecutor(task_id, pipeline, ctx, _nothing)


def _hostname(svc: TaskHost) -> str:
    try:
        return str(svc.engine.config.hostname)
    except KeyError:
        return "localhost"


async def _nothing() -> None:
    return None

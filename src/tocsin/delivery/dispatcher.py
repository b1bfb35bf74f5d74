"""Delivery scheduling: one lane per topic handler, ordered per alert ID, retried by the shared policy.

Guarantees kept here:
- per (handler, alert ID), deliveries are attempted strictly in outbox order, and a later one waits while an
  earlier one is being retried (a recovery never overtakes the CRITICAL it resolves);
- each lane has its own concurrency limit, so a slow or hung endpoint only ever occupies its own lane;
- a rate-limited answer (429, or 503 with Retry-After) pauses the whole lane until the peer's time;
- every attempt's outcome is written back to the store, so a restart resumes exactly the pending work;
- memory stays bounded during long outages: a lane holds at most `lane_memory` jobs, the rest wait in the
  store and are paged in, in outbox order, as the lane drains.

With a shared store (several instances, `tocsin.delivery.claims`) jobs come from claims instead of intake and
paging (`load` is None), and `owns` is asked before each attempt: a job this instance no longer holds is
dropped from memory without an attempt or a record.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from tocsin.alert.event import Event
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.delivery.outcome import Outcome
from tocsin.delivery.retry import RetryPolicy
from tocsin.metrics import Metrics
from tocsin.store.base import AttemptRecord, DeliveryStatus, Store

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Job:
    """A pending delivery in memory; `id` is its outbox row."""

    id: int
    handler_key: str
    kind: str
    alert_id: str
    event: Event
    created: int  # ns, wall clock
    attempts: int = 0
    not_before: float = 0.0  # monotonic seconds
    # A dead letter replayed by hand gets a fresh retry budget: attempts and age count from the replay.
    budget_attempts: int = 0
    budget_since: int = 0  # ns; 0 means `created`


Attempt = Callable[[Job], Awaitable[Outcome]]
# (handler key, after id, limit) -> the next pending jobs of that handler from the store, in id order.
Load = Callable[[str, int, int], Awaitable[list[Job]]]
# (job id) -> whether this instance may attempt it now (shared store only).
Owns = Callable[[int], bool]


@dataclass(slots=True)
class _Lane:
    key: str
    concurrency: int
    alerts: dict[str, deque[Job]] = field(default_factory=dict)
    ready: deque[str] = field(default_factory=deque)
    marked: set[str] = field(default_factory=set)  # in `ready`, being attempted, or waiting on a timer
    running: int = 0
    paused_until: float = 0.0
    pause_timer: asyncio.TimerHandle | None = None
    pending: int = 0
    delivered: Any = None  # this lane's metric children, looked up once
    latency: Any = None
    last_id: int = 0  # highest outbox id ever held in memory
    spilled: bool = False  # pending rows above last_id wait in the store
    outside: int = 0  # about how many (for the depth gauge)
    refilling: bool = False
    arrivals: list[Job] = field(default_factory=list)  # submitted while a refill query runs


class Dispatcher:
    """Runs `attempt` for every submitted job under the ordering, concurrency and retry rules above."""

    def __init__(
        self,
        store: Store,
        attempt: Attempt,
        policy: RetryPolicy,
        metrics: Metrics,
        *,
        concurrency: Callable[[str], int] = lambda _key: 4,
        monotonic: Callable[[], float] = time.monotonic,
        wall_ns: Callable[[], int] = time.time_ns,
        rng: random.Random | None = None,
        load: Load | None = None,
        lane_memory: int = 10_000,
        owns: Owns | None = None,
    ) -> None:
        self._store = store
        self._attempt = attempt
        self._policy = policy
        self._metrics = metrics
        self._concurrency = concurrency
        self._monotonic = monotonic
        self._wall_ns = wall_ns
        self._rng = rng or random.Random()
        self._load = load
        self._lane_memory = max(2, lane_memory)
        self._owns = owns
        self._lanes: dict[str, _Lane] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._timers: set[asyncio.TimerHandle] = set()
        self._closing = False
        self._idle = asyncio.Event()
        self._idle.set()
        self._pending_total = 0
        self._oldest: dict[int, int] = {}  # job id -> created, for the outbox age gauge

    # intake side

    def submit(self, job: Job, *, hold: bool = False) -> None:
        """Take a committed job. `hold` keeps it in memory even when the lane is spilled (a replayed dead
        letter, whose id is below what a refill would look for)."""
        lane = self._lane(job)
        if not hold and self._load is not None and (lane.spilled or lane.pending >= self._lane_memory):
            if lane.refilling:
                lane.arrivals.append(job)
            else:
                lane.spilled = True
                lane.outside += 1
            self._idle.clear()
            return
        self._hold(lane, job)

    def note_spilled(self, key: str, count: int) -> None:
        """`count` more pending rows of lane `key` wait in the store (at start, beyond what was loaded)."""
        lane = self._lanes.get(key)
        if lane is not None and count > 0 and self._load is not None:
            lane.spilled = True
            lane.outside += count
            self._idle.clear()
            self._maybe_refill(lane)

    def _lane(self, job: Job) -> _Lane:
        lane = self._lanes.get(job.handler_key)
        if lane is None:
            lane = self._lanes[job.handler_key] = _Lane(job.handler_key, self._concurrency(job.handler_key))
            lane.delivered = self._metrics.delivered.labels(job.kind, job.handler_key)
            lane.latency = self._metrics.latency.labels(job.kind)
        return lane

    def _hold(self, lane: _Lane, job: Job) -> None:
        queue = lane.alerts.get(job.alert_id)
        if queue is None:
            queue = lane.alerts[job.alert_id] = deque()
        if queue and queue[-1].id > job.id:
            # Restored or concurrently committed rows may arrive out of id order; keep outbox order.
            items = sorted([*queue, job], key=lambda j: j.id)
            queue.clear()
            queue.extend(items)
        else:
            queue.append(job)
        lane.pending += 1
        lane.last_id = max(lane.last_id, job.id)
        self._pending_total += 1
        self._oldest[job.id] = job.created
        self._idle.clear()
        if job.alert_id not in lane.marked:
            self._mark_ready(lane, job.alert_id)
        self._kick(lane)

    def _maybe_refill(self, lane: _Lane) -> None:
        if lane.spilled and not lane.refilling and not self._closing and lane.pending <= self._lane_memory // 2:
            lane.refilling = True
            task = asyncio.get_running_loop().create_task(self._refill(lane))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _refill(self, lane: _Lane) -> None:
        assert self._load is not None
        want = self._lane_memory - lane.pending
        try:
            jobs = await self._load(lane.key, lane.last_id, want)
        except Exception as exc:
            log.error("paging in deliveries of %s failed: %s; trying again in 1s", lane.key, exc)
            lane.refilling = False
            self._later(1.0, self._maybe_refill, lane)
            return
        for job in jobs:
            self._hold(lane, job)
        lane.outside = max(0, lane.outside - len(jobs))
        if len(jobs) < want:
            lane.spilled = False
            lane.outside = 0
        arrivals, lane.arrivals = lane.arrivals, []
        lane.refilling = False
        for job in arrivals:
            # Rows committed after the query have higher ids than all it returned: those are still due.
            if job.id > lane.last_id:
                self.submit(job)
        self._check_idle()

    def _check_idle(self) -> None:
        if self._pending_total == 0 and not any(lane.spilled or lane.refilling for lane in self._lanes.values()):
            self._idle.set()

    def depth(self) -> tuple[int, float]:
        """(pending deliveries, in memory or paged out, age in seconds of the oldest one)."""
        outside = sum(lane.outside + len(lane.arrivals) for lane in self._lanes.values())
        if not self._oldest:
            return outside, 0.0
        oldest = min(self._oldest.values())
        return self._pending_total + outside, max(0.0, (self._wall_ns() - oldest) / 1e9)

    async def wait_idle(self) -> None:
        await self._idle.wait()

    def loads(self) -> dict[str, int]:
        """Jobs in memory per lane (handler key), for lanes holding any."""
        return {key: lane.pending for key, lane in self._lanes.items() if lane.pending}

    def holds(self, job_id: int) -> bool:
        """Whether job `job_id` is in memory (queued, waiting for a retry or being attempted)."""
        return job_id in self._oldest

    async def close(self, grace: float = 5.0) -> None:
        """Stop starting attempts; give running ones `grace` seconds, then cancel them (they stay pending)."""
        self._closing = True
        for handle in self._timers:
            handle.cancel()
        for lane in self._lanes.values():
            if lane.pause_timer is not None:
                lane.pause_timer.cancel()
        if self._tasks:
            _done, still = await asyncio.wait(set(self._tasks), timeout=grace)
            for task in still:
                task.cancel()
            if still:
                await asyncio.gather(*still, return_exceptions=True)

    # scheduling

    def _mark_ready(self, lane: _Lane, alert_id: str) -> None:
        queue = lane.alerts.get(alert_id)
        if not queue:
            lane.marked.discard(alert_id)
            return
        delay = queue[0].not_before - self._monotonic()
        lane.marked.add(alert_id)
        if delay > 0:
            self._later(delay, self._wake, lane, alert_id)
        else:
            lane.ready.append(alert_id)

    def _wake(self, lane: _Lane, alert_id: str) -> None:
        lane.ready.append(alert_id)
        self._kick(lane)

    def _later(self, delay: float, fn: Callable[..., None], *args: object) -> None:
        loop = asyncio.get_running_loop()
        handle: asyncio.TimerHandle | None = None

        def fire() -> None:
            assert handle is not None
            self._timers.discard(handle)
            if not self._closing:
                fn(*args)

        handle = loop.call_later(delay, fire)
        self._timers.add(handle)

    def _kick(self, lane: _Lane) -> None:
        if self._closing:
            return
        now = self._monotonic()
        if lane.paused_until > now:
            if lane.pause_timer is None:
                lane.pause_timer = asyncio.get_running_loop().call_later(lane.paused_until - now, self._unpause, lane)
            return
        while lane.running < lane.concurrency and lane.running < len(lane.ready):
            lane.running += 1
            task = asyncio.get_running_loop().create_task(self._work(lane))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _unpause(self, lane: _Lane) -> None:
        lane.pause_timer = None
        self._kick(lane)

    async def _work(self, lane: _Lane) -> None:
        try:
            while lane.ready and not self._closing and lane.paused_until <= self._monotonic():
                alert_id = lane.ready.popleft()
                queue = lane.alerts.get(alert_id)
                if not queue:
                    lane.marked.discard(alert_id)
                    continue
                job = queue[0]
                if self._owns is not None and not self._owns(job.id):
                    finished = True  # its lease passed to another instance: forget it, record nothing
                else:
                    finished = await self._run(lane, job)
                if finished:
                    queue.popleft()
                    lane.pending -= 1
                    self._pending_total -= 1
                    self._oldest.pop(job.id, None)
                    if not queue:
                        del lane.alerts[alert_id]
                        lane.marked.discard(alert_id)
                    else:
                        self._mark_ready(lane, alert_id)
                else:
                    self._mark_ready(lane, alert_id)
        finally:
            lane.running -= 1
            if not self._closing:
                self._kick(lane)
                self._maybe_refill(lane)
                self._check_idle()

    async def _run(self, lane: _Lane, job: Job) -> bool:
        """One attempt; True when the job is finished (delivered or dead)."""
        job.attempts += 1
        started = time.perf_counter()
        try:
            outcome = await self._attempt(job)
        except DeliveryError as err:
            latency = time.perf_counter() - started
            return self._failed(lane, job, err, latency)
        except asyncio.CancelledError:
            job.attempts -= 1
            raise
        except Exception as exc:  # a bug in a handler must not kill the lane
            log.exception("delivery %d to %s crashed", job.id, job.handler_key)
            crash = DeliveryError(Reason.OTHER, f"internal error: {type(exc).__name__}", retryable=True)
            return self._failed(lane, job, crash, time.perf_counter() - started)
        latency = time.perf_counter() - started
        now = self._wall_ns()
        self._store.record_attempt(
            AttemptRecord(
                id=job.id,
                status=DeliveryStatus.DELIVERED,
                attempts=job.attempts,
                last_status=outcome.status,
                last_error="",
                latency_ms=latency * 1000,
                updated=now,
                next_attempt=None,
                delivered_at=now,
            )
        )
        lane.delivered.inc()
        lane.latency.observe(latency)
        return True

    def _failed(self, lane: _Lane, job: Job, err: DeliveryError, latency: float) -> bool:
        now = self._wall_ns()
        self._metrics.failed.labels(job.kind, err.reason.value).inc()
        since = job.budget_since or job.created
        delay = self._policy.next_delay(job.attempts - job.budget_attempts, err, now - since, self._rng, job.kind)
        if delay is None:
            status = DeliveryStatus.DEAD
            next_attempt = None
            self._metrics.dead.labels(job.kind).inc()
            log.warning("delivery %d to %s dead after %d attempt(s): %s", job.id, job.handler_key, job.attempts, err)
        else:
            status = DeliveryStatus.PENDING
            next_attempt = now + int(delay * 1e9)
            job.not_before = self._monotonic() + delay
            if err.reason is Reason.RATE_LIMITED or (err.retry_after is not None and err.status == 503):
                lane.paused_until = max(lane.paused_until, self._monotonic() + (err.retry_after or delay))
        self._store.record_attempt(
            AttemptRecord(
                id=job.id,
                status=status,
                attempts=job.attempts,
                last_status=err.status,
                last_error=str(err),
                latency_ms=latency * 1000,
                updated=now,
                next_attempt=next_attempt,
                delivered_at=None,
            )
        )
        return delay is None

"""The aggregate kind's delivery: fold each interval's events into one event and publish it.

Aggregated deliveries stay pending in the outbox until the event that folds them has been collected into its
topic, so a restart in the middle of an interval loses nothing (Kapacitor drops its aggregate buffers).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from tocsin.alert.event import Event
from tocsin.delivery.dispatcher import Job
from tocsin.metrics import Metrics
from tocsin.store.base import AttemptRecord, DeliveryStatus, Store

log = logging.getLogger(__name__)

# (handler key) -> (interval ns, fold function) of the handler as it is now, or None if it is gone.
Resolve = Callable[[str], tuple[int, Callable[[list[Event]], Event]] | None]
Publish = Callable[[Event], Awaitable[None]]


class Aggregator:
    def __init__(
        self,
        store: Store,
        metrics: Metrics,
        resolve: Resolve,
        publish: Publish,
        wall_ns: Callable[[], int] = time.time_ns,
    ) -> None:
        self._store = store
        self._metrics = metrics
        self._resolve = resolve
        self._publish = publish
        self._wall_ns = wall_ns
        self._buffers: dict[str, list[Job]] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(self, job: Job) -> None:
        self._buffers.setdefault(job.handler_key, []).append(job)
        if job.handler_key not in self._timers:
            self._arm(job.handler_key)

    def depth(self) -> int:
        return sum(len(b) for b in self._buffers.values())

    def oldest(self) -> int | None:
        created = [j.created for b in self._buffers.values() for j in b]
        return min(created) if created else None

    def _arm(self, key: str) -> None:
        resolved = self._resolve(key)
        interval = resolved[0] if resolved else 0
        delay = max(interval / 1e9, 0.001)
        self._timers[key] = asyncio.get_running_loop().call_later(delay, self._tick, key)

    def _tick(self, key: str) -> None:
        self._timers.pop(key, None)
        task = asyncio.get_running_loop().create_task(self._flush(key))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _flush(self, key: str) -> None:
        jobs = self._buffers.pop(key, [])
        if not jobs:
            return
        resolved = self._resolve(key)
        now = self._wall_ns()
        if resolved is None:
            self._finish(jobs, DeliveryStatus.DEAD, f"topic handler {key} no longer exists", now)
            return
        _interval, fold = resolved
        try:
            await self._publish(fold([j.event for j in jobs]))
        except Exception as exc:
            log.error("aggregate %s could not publish: %s; keeping %d event(s)", key, exc, len(jobs))
            self._buffers.setdefault(key, [])[:0] = jobs
            self._arm(key)
            return
        self._finish(jobs, DeliveryStatus.DELIVERED, "", now)
        if key in self._buffers and key not in self._timers:
            self._arm(key)

    def _finish(self, jobs: list[Job], status: DeliveryStatus, error: str, now: int) -> None:
        for job in jobs:
            self._store.record_attempt(
                AttemptRecord(
                    id=job.id,
                    status=status,
                    attempts=job.attempts + 1,
                    last_status=None,
                    last_error=error,
                    latency_ms=None,
                    updated=now,
                    next_attempt=None,
                    delivered_at=now if status is DeliveryStatus.DELIVERED else None,
                )
            )
            if status is DeliveryStatus.DELIVERED:
                self._metrics.delivered.labels(job.kind, job.handler_key).inc()
            else:
                self._metrics.dead.labels(job.kind).inc()

    async def close(self) -> None:
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

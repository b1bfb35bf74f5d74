"""Claim-driven delivery for a shared store: what this instance delivers is what it claimed, under a lease.

One task claims pending deliveries in batches (woken by local intake, by other instances' `outbox` notices,
and at least every `poll` seconds, which also picks up the work of an instance whose leases ran out) and
renews the leases of what it holds every third of the lease. Claims and renewals take turns on that task, so
every claimed row is covered by the last renewal or was claimed after it.

The dispatcher asks `owns(id)` before each attempt. An instance that could not renew in time (a stall, a lost
database) stops attempting: its leases may have passed to another instance, and delivering a row twice is
better avoided than racing for it. Its rows come back once it renews or claims them again.

How much to hold: per handler, about `memory` deliveries in memory, claimed at most `batch` at a time, so that
under a backlog the other instances find work too; a handler whose lane is full is skipped (a hung endpoint
never takes the room of another handler), and claims come every `BACKLOG_POLL` seconds while a claim found
more than it took or a full lane is draining.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from tocsin.store.cluster import Claimed, Cluster

log = logging.getLogger(__name__)

BATCH = 500
MEMORY = 2000
POLL = 1.0  # seconds between claims when nothing suggests there is more
BACKLOG_POLL = 0.05  # seconds between claims while the last one found more than it could take
SAFETY = 0.8  # of the lease: past this much time since the last renewal's start, stop attempting


class Claimer:
    """Claims pending deliveries for this instance and keeps their leases."""

    def __init__(
        self,
        cluster: Cluster,
        submit: Callable[[Claimed], None],
        lanes: Callable[[], dict[str, int]],
        held: Callable[[], int],
        holds: Callable[[int], bool],
        *,
        batch: int = BATCH,
        memory: int = MEMORY,
        poll: float = POLL,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._cluster = cluster
        self._submit = submit
        self._lanes = lanes
        self._held = held
        self._last_full: dict[str, int] = {}
        self._holds = holds
        self._batch = batch
        self._memory = memory
        self._poll = poll
        self._monotonic = monotonic
        self._mine: set[int] = set()
        self._valid_until = monotonic() + cluster.lease * SAFETY
        self._next_renewal = monotonic() + cluster.lease / 3
        self._backlog = False
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self.claimed = 0  # rows claimed since start, for diagnostics and tests

    def start(self) -> None:
        self._valid_until = self._monotonic() + self._cluster.lease * SAFETY
        self._task = asyncio.get_running_loop().create_task(self._run(), name="tocsin-claims")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def wake(self) -> None:
        """Claim now: there is new pending work."""
        self._wake.set()

    def owns(self, delivery_id: int) -> bool:
        """Whether this instance may attempt the delivery now (it holds a live lease on it)."""
        return delivery_id in self._mine and self._monotonic() < self._valid_until

    async def settle(self, idle: Callable[[], Awaitable[None]]) -> None:
        """Claim and deliver until a claim finds nothing for this instance and `idle` returns."""
        while True:
            found = await self._round()
            await idle()
            if found == 0 and self._held() == 0:
                return

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), BACKLOG_POLL if self._backlog else self._poll)
            self._wake.clear()
            try:
                await self._round()
            except Exception as exc:
                log.error("claiming deliveries failed: %s; trying again in 1s", exc)
                self._backlog = False
                await asyncio.sleep(1.0)

    async def _round(self) -> int:
        async with self._lock:
            if self._monotonic() >= self._next_renewal:
                await self._renew()
            full = {key: n for key, n in self._lanes().items() if n > self._memory - self._batch}
            claimed = await self._cluster.claim(self._batch, list(full))
            per_handler: dict[str, int] = {}
            for c in claimed:
                per_handler[c.row.handler] = per_handler.get(c.row.handler, 0) + 1
            draining = bool(full) and full != self._last_full
            self._last_full = full
            self._backlog = draining or any(n >= self._batch for n in per_handler.values())
            for c in claimed:
                self._mine.add(c.row.id)
                if not self._holds(c.row.id):
                    self._submit(c)
            self.claimed += len(claimed)
            return len(claimed)

    async def _renew(self) -> None:
        started = self._monotonic()
        self._mine = await self._cluster.renew()
        self._next_renewal = started + self._cluster.lease / 3
        self._valid_until = started + self._cluster.lease * SAFETY

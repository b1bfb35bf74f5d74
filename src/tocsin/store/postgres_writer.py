"""Group commit for PostgreSQL: one background task commits every write queued meanwhile in one transaction.

Each commit waits for the server's WAL flush; batching the writes that queue up while one commit runs makes
that wait one per batch instead of one per event. A batch is optimistic: if any operation fails, the batch is
rolled back and every operation is run again alone, so one failing operation fails only its own caller.
Operations therefore must be repeatable: they only issue statements from arguments computed beforehand.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

# An operation receives an asyncpg connection inside an open transaction.
Operation = Callable[[Any], Awaitable[Any]]
# Told why a hook's operation failed (its work is not committed; the hook may queue it again).
Failed = Callable[[Exception], None]
# A batch hook returns an operation for work buffered without a caller (attempt records), or None.
BatchHook = Callable[[], tuple[Operation, Failed] | None]

_MAX_BATCH = 2000


class _Job:
    __slots__ = ("error", "failed", "future", "op", "result")

    def __init__(self, op: Operation | None, future: asyncio.Future[Any] | None, failed: Failed | None = None) -> None:
        self.op = op  # None: a barrier that only waits for the jobs queued before it
        self.future = future
        self.failed = failed
        self.result: Any = None
        self.error: Exception | None = None


class PostgresWriter:
    """Runs write operations in shared transactions on connections from an asyncpg pool."""

    def __init__(self) -> None:
        self._pool: Any = None
        self._jobs: list[_Job] = []
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self.batch_hooks: list[BatchHook] = []
        self.commits = 0  # committed transactions, for tests and diagnostics

    def start(self, pool: Any) -> None:
        self._pool = pool
        self._stopping = False
        self._wake = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="tocsin-store")

    async def stop(self) -> None:
        """Commit what is queued, then end the task."""
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        await self._task
        self._task = None

    def submit(self, op: Operation | None) -> asyncio.Future[Any]:
        """Queue `op`; the future resolves once its transaction committed (None: once earlier writes did)."""
        assert self._task is not None, "writer not started"
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._jobs.append(_Job(op, fut))
        self._wake.set()
        return fut

    def nudge(self) -> None:
        """Ask for a batch with no caller waiting (runs the batch hooks)."""
        self._wake.set()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while True:
                jobs = [_Job(work[0], None, work[1]) for hook in self.batch_hooks if (work := hook()) is not None]
                jobs += self._jobs[:_MAX_BATCH]
                del self._jobs[:_MAX_BATCH]
                if not jobs:
                    break
                await self._commit(jobs)
            if self._stopping:
                return

    async def _commit(self, jobs: list[_Job]) -> None:
        work = [j for j in jobs if j.op is not None]
        if work:
            try:
                await self._transaction(work)
            except Exception as exc:
                if len(work) == 1:
                    work[0].error = exc
                else:
                    for job in work:
                        try:
                            await self._transaction([job])
                        except Exception as alone:
                            job.error = alone
        for job in jobs:
            if job.future is None:
                if job.error is not None:
                    log.error("store commit failed: %s", job.error)
                    if job.failed is not None:
                        job.failed(job.error)
            elif not job.future.done():
                if job.error is not None:
                    job.future.set_exception(job.error)
                else:
                    job.future.set_result(job.result)

    async def _transaction(self, jobs: list[_Job]) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            for job in jobs:
                assert job.op is not None
                job.result = await job.op(conn)
        self.commits += 1

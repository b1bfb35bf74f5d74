"""Group commit: one thread owns the SQLite connection and commits many callers' writes in one transaction.

A commit costs an fsync; batching every write that queued up while the previous commit ran makes durability
cost one fsync per batch instead of one per event. Each operation runs inside its own SAVEPOINT, so one
failing operation fails only its caller, never its neighbours in the batch.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

Operation = Callable[[sqlite3.Connection], Any]

_MAX_BATCH = 2000
# After a failed write batch (disk full, file locked) the batch hooks' buffered work is retried this often,
# even when no caller writes, so it reaches the store soon after the fault clears.
RETRY_AFTER_FAILURE = 1.0


class _Job:
    __slots__ = ("error", "future", "op", "result", "write")

    def __init__(self, op: Operation, future: asyncio.Future[Any] | None, write: bool) -> None:
        self.op = op
        self.future = future
        self.write = write
        self.result: Any = None
        self.error: BaseException | None = None


class SqliteWriter:
    """Runs operations on a dedicated thread; writes are grouped into shared transactions."""

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connect = connect
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        # Hooks run at the start of every write batch (the store drains its buffered attempt records here).
        self.batch_hooks: list[Operation] = []
        # Called after every write batch with whether it committed (a hook takes back what it drained).
        self.after_batch: list[Callable[[bool], None]] = []
        self._failing = False
        self._retry_at = 0.0

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._run, name="tocsin-store", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._startup_error is not None:
            raise self._startup_error

    def stop(self) -> None:
        if self._thread is None:
            return
        self._queue.put(None)
        self._thread.join()
        self._thread = None

    def submit(self, op: Operation, *, write: bool = True) -> asyncio.Future[Any]:
        assert self._loop is not None, "writer not started"
        fut: asyncio.Future[Any] = self._loop.create_future()
        self._queue.put(_Job(op, fut, write))
        return fut

    def nudge(self) -> None:
        """Ask for a write batch with no caller waiting (runs the batch hooks)."""
        self._queue.put(_Job(_nothing, None, True))

    def _run(self) -> None:
        try:
            conn = self._connect()
        except BaseException as exc:  # surfaced to start()
            self._startup_error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            while True:
                try:
                    if self._failing:
                        first = self._queue.get(timeout=max(0.0, self._retry_at - time.monotonic()))
                    else:
                        first = self._queue.get()
                except queue.Empty:
                    first = _Job(_nothing, None, True)
                if first is None:
                    break
                jobs = [first]
                stop = False
                while len(jobs) < _MAX_BATCH:
                    try:
                        nxt = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if nxt is None:
                        stop = True
                        break
                    jobs.append(nxt)
                if self._failing and time.monotonic() >= self._retry_at and not any(j.write for j in jobs):
                    jobs.append(_Job(_nothing, None, True))  # reads alone would keep the retry waiting
                self._execute(conn, jobs)
                if stop:
                    break
        finally:
            conn.close()

    def _execute(self, conn: sqlite3.Connection, jobs: list[_Job]) -> None:
        reads = [j for j in jobs if not j.write]
        writes = [j for j in jobs if j.write]
        for job in reads:
            try:
                job.result = job.op(conn)
            except BaseException as exc:
                job.error = exc
        if writes:
            self._write_batch(conn, writes)
        self._resolve(jobs)

    def _write_batch(self, conn: sqlite3.Connection, writes: list[_Job]) -> None:
        try:
            conn.execute("BEGIN IMMEDIATE")
            for hook in self.batch_hooks:
                hook(conn)
            for job in writes:
                conn.execute("SAVEPOINT op")
                try:
                    job.result = job.op(conn)
                    conn.execute("RELEASE op")
                except Exception as exc:
                    job.error = exc
                    if not conn.in_transaction:
                        # SQLite rolled the whole transaction back (it may on SQLITE_FULL, IOERR, BUSY, NOMEM):
                        # every write of the batch is lost, so the batch fails with this error.
                        raise
                    conn.execute("ROLLBACK TO op")
                    conn.execute("RELEASE op")
            conn.execute("COMMIT")
        except BaseException as exc:
            log.error("store commit failed: %s", exc)
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            for job in writes:
                if job.error is None:
                    job.error = exc
            self._failing = True
            self._retry_at = time.monotonic() + RETRY_AFTER_FAILURE
        else:
            self._failing = False
        for notify in self.after_batch:
            notify(not self._failing)

    def _resolve(self, jobs: list[_Job]) -> None:
        assert self._loop is not None
        if self._loop.is_closed():
            return
        done = [j for j in jobs if j.future is not None]
        if done:
            self._loop.call_soon_threadsafe(_settle, done)


def _nothing(_conn: sqlite3.Connection) -> None:
    return None


def _settle(jobs: list[_Job]) -> None:
    for job in jobs:
        fut = job.future
        if fut is None or fut.done():
            continue
        if job.error is not None:
            fut.set_exception(job.error)
        else:
            fut.set_result(job.result)

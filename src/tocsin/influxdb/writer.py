"""Buffered line-protocol writes to one InfluxDB cluster: what influxDBOut nodes write.

Lines wait in a buffer per (database, retention policy) and go out in one request when `buffer_size` lines
are waiting or every `flush_interval`, whichever comes first. A write InfluxDB could not take (no URL answered,
a 5xx, a timeout) is retried with exponential backoff up to `attempts` times; one it refused (4xx: a type
conflict, a missing database) is not, as the same request would be refused again. InfluxDB's `partial write`
answer says how many points it dropped: those count as refused, the rest as written. Lines waiting beyond
`max_waiting` (InfluxDB down for long) are dropped oldest first and counted as refused, so memory stays bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from tocsin.influxdb.client import InfluxClient, InfluxDBError

log = logging.getLogger("tocsin.influxdb")

_DROPPED = re.compile(r"dropped=(\d+)")
BACKOFF_INITIAL = 0.5
BACKOFF_MAX = 30.0


@dataclass(slots=True)
class WriteCounts:
    """Points InfluxDB accepted and points it refused or that were dropped; failed write requests."""

    points_written: int = 0
    points_refused: int = 0
    write_errors: int = 0


@dataclass(frozen=True, slots=True)
class Target:
    database: str
    retention_policy: str
    precision: str = ""
    consistency: str = ""


@dataclass(slots=True)
class _Buffer:
    lines: list[str] = field(default_factory=list)


class BufferedWriter:
    """Buffers lines per target and writes them with `client_of()` (looked up at each write, so that a cluster
    changed through the config API is used at once)."""

    def __init__(
        self,
        client_of: Callable[[], InfluxClient],
        *,
        buffer_size: int,
        flush_interval: float,
        attempts: int = 5,
        max_waiting: int = 100_000,
        label: str = "influxdb write",
        prepare: Callable[[InfluxClient], Awaitable[None]] | None = None,
    ) -> None:
        self._client_of = client_of
        self._prepare = prepare  # run before each write until it succeeds once (influxDBOut's .create())
        self.buffer_size = max(1, buffer_size)
        self.flush_interval = flush_interval
        self.attempts = max(1, attempts)
        self.max_waiting = max(self.buffer_size, max_waiting)
        self.label = label
        self.counts = WriteCounts()
        self._buffers: dict[Target, _Buffer] = {}
        self._waiting = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    def add(self, target: Target, line: str) -> None:
        """Queue one line (synchronous: called while a task processes a point)."""
        buffer = self._buffers.get(target)
        if buffer is None:
            buffer = self._buffers[target] = _Buffer()
        buffer.lines.append(line)
        self._waiting += 1
        if self._waiting > self.max_waiting:
            self._drop_oldest()
        if self._task is None and not self._closed:
            self._task = asyncio.get_running_loop().create_task(self._run())
        if len(buffer.lines) >= self.buffer_size:
            self._wake.set()

    @property
    def waiting(self) -> int:
        return self._waiting

    def _drop_oldest(self) -> None:
        for buffer in self._buffers.values():
            if buffer.lines:
                buffer.lines.pop(0)
                self._waiting -= 1
                self.counts.points_refused += 1
                return

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.flush_interval)
            self._wake.clear()
            await self.flush()

    async def flush(self) -> None:
        """Write everything waiting, one request per target and buffer_size lines."""
        for target in list(self._buffers):
            buffer = self._buffers[target]
            while buffer.lines:
                chunk = buffer.lines[: self.buffer_size]
                del buffer.lines[: len(chunk)]
                self._waiting -= len(chunk)
                try:
                    await self._write(target, chunk)
                except asyncio.CancelledError:  # stopping: the lines wait for close's last flush
                    buffer.lines[:0] = chunk
                    self._waiting += len(chunk)
                    raise

    async def _write(self, target: Target, lines: list[str]) -> None:
        body = ("\n".join(lines) + "\n").encode()
        delay = BACKOFF_INITIAL
        for attempt in range(1, self.attempts + 1):
            try:
                client = self._client_of()
                if self._prepare is not None:
                    await self._prepare(client)
                    self._prepare = None
                await client.write(
                    body,
                    database=target.database,
                    retention_policy=target.retention_policy,
                    precision=target.precision,
                    consistency=target.consistency,
                )
            except InfluxDBError as exc:
                if exc.retryable and attempt < self.attempts and not self._closed:
                    log.warning("%s to %s: %s; retrying in %.1fs", self.label, target.database, exc, delay)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, BACKOFF_MAX)
                    continue
                self.counts.write_errors += 1
                dropped = _dropped(str(exc), len(lines))
                self.counts.points_refused += dropped
                self.counts.points_written += len(lines) - dropped
                log.error("%s to %s failed: %s", self.label, target.database, exc)
                return
            self.counts.points_written += len(lines)
            return

    async def close(self, grace: float = 5.0) -> None:
        """Write what is waiting (for at most `grace` seconds, without retries), then stop."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._closed = True
        try:
            await asyncio.wait_for(self.flush(), grace)
        except TimeoutError:
            log.error("%s: %d points not written at stop (InfluxDB did not answer in time)", self.label, self._waiting)
            self.counts.points_refused += self._waiting


def _dropped(message: str, sent: int) -> int:
    """How many of `sent` points a refused write dropped: InfluxDB's `partial write: ... dropped=N`, else all."""
    if message.startswith("partial write"):
        found = _DROPPED.search(message)
        if found:
            return min(sent, int(found.group(1)))
    return sent

"""Batching of Kafka messages per partition, as Kapacitor's producer batches them.

Messages bound for one partition wait together until `size` of them are waiting, or `linger` seconds after the
first one (linger 0: at once, and those that arrive while a batch is on its way go together in the next one).
Every message's sender waits for its batch's acknowledgement.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from tocsin.delivery.errors import DeliveryError, Reason

Message = tuple[bytes, bytes]  # key, value
Ship = Callable[[list[Message]], Awaitable[None]]
CLOSED = "the Kafka transport was closed before the batch was acknowledged"


class Lane:
    """The messages waiting for one partition and the batches of them under way."""

    def __init__(self, ship: Ship, size: int, linger: float) -> None:
        self._ship = ship
        self._size = max(1, size)
        self._linger = linger
        self._pending: list[Message] = []
        self._done: asyncio.Future[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._under_way: set[asyncio.Task[None]] = set()

    async def add(self, key: bytes, value: bytes) -> None:
        """Queue one message; return once its batch is acknowledged, or raise the batch's error."""
        if self._done is None:
            self._done = asyncio.get_running_loop().create_future()
            self._done.add_done_callback(_retrieve)
        done = self._done
        self._pending.append((key, value))
        if len(self._pending) >= self._size or (self._linger <= 0 and not self._under_way):
            self.flush()
        elif self._linger > 0 and self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._linger, self.flush)
        # A sender that gives up must not cancel the batch the others wait for.
        await asyncio.shield(done)

    def flush(self) -> None:
        """Send what is waiting now."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending or self._done is None:
            return
        batch, done = self._pending, self._done
        self._pending, self._done = [], None
        task = asyncio.create_task(self._run(batch, done))
        self._under_way.add(task)
        task.add_done_callback(self._finished)

    async def _run(self, batch: list[Message], done: asyncio.Future[None]) -> None:
        try:
            await self._ship(batch)
        except asyncio.CancelledError:
            done.set_exception(DeliveryError(Reason.CANCELED, CLOSED, retryable=True))
            raise
        except Exception as exc:
            done.set_exception(exc)
        else:
            done.set_result(None)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._under_way.discard(task)
        if self._linger <= 0 and self._pending and not self._under_way:
            self.flush()

    async def close(self) -> None:
        """Fail what is waiting and stop the batches under way."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._done is not None and not self._done.done():
            self._done.set_exception(DeliveryError(Reason.CANCELED, CLOSED, retryable=True))
        self._pending, self._done = [], None
        for task in list(self._under_way):
            task.cancel()
        await asyncio.gather(*self._under_way, return_exceptions=True)


def _retrieve(future: asyncio.Future[None]) -> None:
    # The outcome belongs to the senders; when all of them gave up, nobody looked at it.
    if not future.cancelled():
        future.exception()

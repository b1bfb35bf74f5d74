"""Long work on the event loop cut into slices, so that other requests are answered meanwhile."""

from __future__ import annotations

import asyncio
import math
import time

# How long one piece of work may hold the event loop before it yields.
SLICE_SECONDS = 0.005
# A request needs several loop iterations to be answered, and the work runs once per iteration: after a
# long step (a costly template) it sits out iterations in proportion, up to this many.
MAX_SKIPPED = 8


class Slicer:
    """Yields the event loop once SLICE_SECONDS have passed since the last yield (or the start)."""

    __slots__ = ("due", "since")

    def __init__(self) -> None:
        self.since = time.perf_counter()
        self.due = self.since + SLICE_SECONDS

    async def pause(self) -> None:
        now = time.perf_counter()
        if now >= self.due:
            for _ in range(min(MAX_SKIPPED, math.ceil((now - self.since) / SLICE_SECONDS))):
                await asyncio.sleep(0)
            self.since = time.perf_counter()
            self.due = self.since + SLICE_SECONDS

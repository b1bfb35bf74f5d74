"""Waiting for something another task or process does: poll with a deadline instead of sleeping a fixed time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any


async def eventually(check: Callable[[], Awaitable[Any]], within: float = 10.0, every: float = 0.05) -> Any:
    """The first truthy value `check()` gives; AssertionError after `within` seconds without one."""
    deadline = time.monotonic() + within
    while True:
        got = await check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {within}s: {check}")
        await asyncio.sleep(every)


def eventually_sync(check: Callable[[], Any], within: float = 15.0, every: float = 0.1) -> Any:
    """`eventually` for a check that blocks (a real server over urllib): the first truthy value it gives."""
    deadline = time.monotonic() + within
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {within}s: {check}")
        time.sleep(every)

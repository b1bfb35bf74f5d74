"""How long a template run may take: ten milliseconds on the event loop, longer in a worker thread.

A run on the loop holds every other request, so it gets LOOP_SECONDS from its first loop iteration or
template call. Callers that can wait (a delivery, a dry run) render through `rendered`: a run that spends
the loop's budget there starts again in a worker thread with THREAD_SECONDS. Elsewhere (a task's alert
node, which runs inside a write) the run fails with a TemplateError naming the budget."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

LOOP_SECONDS = 0.01
THREAD_SECONDS = 1.0
# How often a run in a worker thread lets the event loop take the GIL.
COURTESY_SECONDS = 0.001

_seconds: ContextVar[float] = ContextVar("template_seconds", default=LOOP_SECONDS)
_movable: ContextVar[bool] = ContextVar("template_movable", default=False)


class NeedsThread(Exception):
    """A run spent the loop's budget inside `rendered`, which finishes it in a worker thread."""


def limits() -> tuple[float, bool]:
    """The current run's budget in seconds, and whether running out moves the work to a thread."""
    return _seconds.get(), _movable.get()


async def rendered(render: Callable[[], T]) -> T:
    """`render()` on the loop while its templates stay within LOOP_SECONDS; else again in a worker thread."""
    token = _movable.set(True)
    try:
        return render()
    except NeedsThread:
        pass
    finally:
        _movable.reset(token)

    def in_thread() -> T:
        _seconds.set(THREAD_SECONDS)  # the thread runs in a copy of this context
        return render()

    return await asyncio.to_thread(in_thread)

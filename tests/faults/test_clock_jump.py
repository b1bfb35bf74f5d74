"""Wall-clock jumps. Retry waits run on time.monotonic (job.not_before, the loop's timers, lane pauses), so a
jump of the wall clock neither stalls nor bursts retries. Wall time is used only for stamps and ages: a
delivery's `created`, `updated`, `next_attempt` and `delivered_at` columns, the max-age budget (age = wall now -
created), the outbox-age gauge, and retention purges. After a restart a stored `next_attempt` is turned back
into a wait, never longer than the pause chosen at the last attempt, even if the clock was set back."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.delivery.dispatcher import Dispatcher, Job
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.delivery.outcome import Outcome
from tocsin.delivery.retry import RetryPolicy
from tocsin.engine.jobs import job_from_row
from tocsin.metrics import Metrics
from tocsin.store.base import AttemptRecord, DeliveryRow, DeliveryStatus

HOUR = 3600 * 1_000_000_000
POLICY = RetryPolicy(max_attempts=10, max_age=24 * HOUR, initial=0.1, maximum=1.0, multiplier=2.0, jitter=0)


class Records:
    def __init__(self) -> None:
        self.records: list[AttemptRecord] = []

    def record_attempt(self, record: AttemptRecord) -> None:
        self.records.append(record)


class JumpingClock:
    """A wall clock that follows time.time_ns() plus an offset the test moves."""

    def __init__(self) -> None:
        self.offset = 0

    def __call__(self) -> int:
        return time.time_ns() + self.offset


def job(created: int) -> Job:
    return Job(1, "t/h", "post", "a", Event(topic="t", id="a", level=Level.CRITICAL, time=0), created)


@pytest.mark.parametrize("jump", [HOUR, -HOUR, -48 * HOUR], ids=["forward-1h", "back-1h", "back-48h"])
async def test_wall_clock_jumps_neither_stall_nor_burst_retries(jump: int) -> None:
    wall = JumpingClock()
    calls: list[float] = []

    async def attempt(_job: Job) -> Outcome:
        calls.append(time.monotonic())
        if len(calls) == 2:
            wall.offset += jump  # the clock jumps between the 2nd and 3rd attempts
        if len(calls) < 4:
            raise DeliveryError(Reason.SERVER_ERROR, "HTTP 500", retryable=True, status=500)
        return Outcome(200)

    store = Records()
    d = Dispatcher(store, attempt, POLICY, Metrics(), wall_ns=wall)  # type: ignore[arg-type]
    d.submit(job(wall()))
    await asyncio.wait_for(d.wait_idle(), 5)
    gaps = [b - a for a, b in itertools.pairwise(calls)]
    for gap, backoff in zip(gaps, (0.1, 0.2, 0.4), strict=True):
        assert backoff - 0.01 <= gap <= backoff + 0.15, gaps
    assert [r.status for r in store.records] == [DeliveryStatus.PENDING] * 3 + [DeliveryStatus.DELIVERED]
    # Stamps follow the wall clock (jumped from the 2nd record on); each next_attempt is its own stamp + pause.
    third = store.records[2]
    assert third.next_attempt is not None and third.next_attempt - third.updated == int(0.4 * 1e9)
    assert abs(third.updated - time.time_ns() - jump) < HOUR // 2


async def test_a_forward_jump_past_max_age_dead_letters_at_the_next_failure() -> None:
    # max-age is an age on the wall clock (it must survive restarts): documented, not hidden.
    wall = JumpingClock()

    async def attempt(_job: Job) -> Outcome:
        wall.offset = 25 * HOUR
        raise DeliveryError(Reason.SERVER_ERROR, "HTTP 500", retryable=True, status=500)

    store = Records()
    d = Dispatcher(store, attempt, POLICY, Metrics(), wall_ns=wall)  # type: ignore[arg-type]
    d.submit(job(wall()))
    await asyncio.wait_for(d.wait_idle(), 5)
    assert [(r.status, r.attempts) for r in store.records] == [(DeliveryStatus.DEAD, 1)]


@pytest.mark.parametrize(
    ("written_at", "expected_wait"),
    [(0, 2.0), (24 * HOUR, 2.0), (-2 * HOUR, 0.0)],
    ids=["same-clock", "clock-set-back-a-day", "clock-set-forward"],
)
def test_a_restored_retry_waits_at_most_its_chosen_pause(written_at: int, expected_wait: float) -> None:
    now = time.time_ns()
    stamp = now + written_at  # the wall clock when the attempt was recorded, as seen from the restart
    row = DeliveryRow(
        id=1,
        topic="t",
        handler="t/h",
        kind="post",
        alert_id="a",
        level=4,
        event=Event(topic="t", id="a", level=Level.CRITICAL, time=0).to_record(),
        status=DeliveryStatus.PENDING,
        attempts=3,
        last_status=500,
        last_error="HTTP 500",
        latency_ms=1.0,
        created=stamp,
        updated=stamp,
        next_attempt=stamp + 2_000_000_000,
        delivered_at=None,
    )
    restored = job_from_row(row)
    wait = max(0.0, restored.not_before - time.monotonic())
    assert expected_wait - 0.1 <= wait <= expected_wait, wait

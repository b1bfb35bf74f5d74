from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from typing import Any

from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.delivery.dispatcher import Dispatcher, Job
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.delivery.outcome import Outcome
from tocsin.delivery.retry import RetryPolicy
from tocsin.metrics import Metrics
from tocsin.store.base import AttemptRecord, DeliveryStatus

FAST = RetryPolicy(max_attempts=4, initial=0.01, maximum=0.05, jitter=0)


class RecordingStore:
    """Only what the dispatcher writes: attempt records."""

    def __init__(self) -> None:
        self.records: list[AttemptRecord] = []

    def record_attempt(self, record: AttemptRecord) -> None:
        self.records.append(record)

    def final(self) -> dict[int, AttemptRecord]:
        return {r.id: r for r in self.records}


def job(row: int, alert: str, handler: str = "t/h") -> Job:
    event = Event(topic="t", id=alert, level=Level.CRITICAL, time=0)
    return Job(row, handler, "post", alert, event, time.time_ns())


def make(attempt: Any, policy: RetryPolicy = FAST, concurrency: int = 4) -> tuple[Dispatcher, RecordingStore]:
    store = RecordingStore()
    d = Dispatcher(store, attempt, policy, Metrics(), concurrency=lambda _k: concurrency)  # type: ignore[arg-type]
    return d, store


async def test_order_per_alert_is_kept_while_an_earlier_delivery_retries() -> None:
    calls: list[tuple[int, float]] = []
    failures: defaultdict[int, int] = defaultdict(int)

    async def attempt(j: Job) -> Outcome:
        calls.append((j.id, time.monotonic()))
        if j.id == 1 and failures[1] < 2:
            failures[1] += 1
            raise DeliveryError(Reason.SERVER_ERROR, "HTTP 500", retryable=True, status=500)
        return Outcome(200)

    d, store = make(attempt)
    for j in (job(1, "a"), job(2, "a"), job(3, "b")):
        d.submit(j)
    await asyncio.wait_for(d.wait_idle(), 5)
    order_a = [c[0] for c in calls if c[0] in (1, 2)]
    assert order_a == [1, 1, 1, 2]
    assert {k: (v.status, v.attempts) for k, v in store.final().items()} == {
        1: (DeliveryStatus.DELIVERED, 3),
        2: (DeliveryStatus.DELIVERED, 1),
        3: (DeliveryStatus.DELIVERED, 1),
    }
    # alert b was not held up behind alert a's retries
    assert [c[0] for c in calls].index(3) < 3


async def test_permanent_failure_dead_letters_and_the_next_one_proceeds() -> None:
    async def attempt(j: Job) -> Outcome:
        if j.id == 1:
            raise DeliveryError(Reason.CLIENT_ERROR, "HTTP 400 from http://x/: bad", retryable=False, status=400)
        return Outcome(204)

    d, store = make(attempt)
    d.submit(job(1, "a"))
    d.submit(job(2, "a"))
    await asyncio.wait_for(d.wait_idle(), 5)
    final = store.final()
    assert (final[1].status, final[1].attempts, final[1].last_status, final[1].last_error) == (
        DeliveryStatus.DEAD,
        1,
        400,
        "HTTP 400 from http://x/: bad",
    )
    assert final[2].status is DeliveryStatus.DELIVERED


async def test_retries_stop_at_max_attempts() -> None:
    async def attempt(j: Job) -> Outcome:
        raise DeliveryError(Reason.TIMEOUT, "timed out", retryable=True)

    d, store = make(attempt)
    d.submit(job(1, "a"))
    await asyncio.wait_for(d.wait_idle(), 5)
    assert [(r.status, r.attempts) for r in store.records] == [
        (DeliveryStatus.PENDING, 1),
        (DeliveryStatus.PENDING, 2),
        (DeliveryStatus.PENDING, 3),
        (DeliveryStatus.DEAD, 4),
    ]
    assert all(r.next_attempt is not None for r in store.records[:3]) and store.records[3].next_attempt is None


async def test_rate_limit_pauses_the_whole_lane_for_retry_after() -> None:
    calls: list[tuple[int, float]] = []

    async def attempt(j: Job) -> Outcome:
        calls.append((j.id, time.monotonic()))
        if len(calls) == 1:
            raise DeliveryError(Reason.RATE_LIMITED, "HTTP 429", retryable=True, retry_after=0.4, status=429)
        return Outcome(200)

    d, _ = make(attempt, concurrency=1)
    d.submit(job(1, "a"))
    d.submit(job(2, "b"))
    await asyncio.wait_for(d.wait_idle(), 5)
    first = calls[0][1]
    assert [c[0] for c in calls] == [1, 2, 1] or [c[0] for c in calls] == [1, 1, 2]
    assert all(t - first >= 0.4 for _, t in calls[1:])


async def test_a_hung_lane_does_not_delay_another_lane() -> None:
    release = asyncio.Event()
    done_fast: list[int] = []

    async def attempt(j: Job) -> Outcome:
        if j.handler_key == "t/slow":
            await release.wait()
        else:
            done_fast.append(j.id)
        return Outcome(200)

    d, _ = make(attempt, concurrency=2)
    for i in range(1, 5):
        d.submit(job(i, f"s{i}", "t/slow"))
    for i in range(10, 30):
        d.submit(job(i, f"f{i}", "t/fast"))
    for _ in range(100):
        if len(done_fast) == 20:
            break
        await asyncio.sleep(0.01)
    assert sorted(done_fast) == list(range(10, 30))
    assert d.depth()[0] == 4
    release.set()
    await asyncio.wait_for(d.wait_idle(), 5)
    assert d.depth() == (0, 0.0)


async def test_close_leaves_unfinished_jobs_pending() -> None:
    async def attempt(j: Job) -> Outcome:
        await asyncio.sleep(10)
        return Outcome(200)

    d, store = make(attempt)
    d.submit(job(1, "a"))
    await asyncio.sleep(0.01)
    await d.close(grace=0.05)
    assert store.records == []


async def test_memory_stays_bounded_and_paged_jobs_keep_their_order() -> None:
    """Only `lane_memory` jobs live in memory; the rest are paged in from the store in outbox order."""
    committed: list[Job] = []  # stands for the outbox: every submitted job is committed first
    delivered: list[Job] = []
    release = asyncio.Event()
    most_held = 0

    async def load(key: str, after_id: int, limit: int) -> list[Job]:
        await asyncio.sleep(0)
        return [j for j in committed if j.id > after_id][:limit]

    d: Dispatcher
    store = RecordingStore()

    async def attempt(j: Job) -> Outcome:
        nonlocal most_held
        most_held = max(most_held, d.depth()[0] - sum(lane.outside for lane in d._lanes.values()))
        await release.wait()
        delivered.append(j)
        return Outcome(200)

    d = Dispatcher(store, attempt, FAST, Metrics(), concurrency=lambda _k: 2, load=load, lane_memory=6)  # type: ignore[arg-type]
    for i in range(1, 41):
        j = job(i, f"a{i % 3}")
        committed.append(j)
        d.submit(j)
    assert d.depth()[0] == 40
    release.set()
    await asyncio.wait_for(d.wait_idle(), 5)
    assert sorted(j.id for j in delivered) == list(range(1, 41))
    for alert in ("a0", "a1", "a2"):
        ids = [j.id for j in delivered if j.alert_id == alert]
        assert ids == sorted(ids)
    assert most_held <= 6
    assert d.depth() == (0, 0.0)

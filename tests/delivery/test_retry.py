from __future__ import annotations

import random

import pytest

from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.delivery.retry import RetryPolicy

S = 1_000_000_000
RETRY = DeliveryError(Reason.SERVER_ERROR, "HTTP 500", retryable=True, status=500)


def test_backoff_grows_exponentially_to_the_cap_without_jitter() -> None:
    p = RetryPolicy(initial=1, maximum=10, multiplier=2, jitter=0)
    assert [p.backoff(n) for n in range(1, 7)] == [1, 2, 4, 8, 10, 10]


def test_jitter_stays_within_bounds() -> None:
    p = RetryPolicy(initial=4, jitter=0.25)
    rng = random.Random(7)
    delays = [p.backoff(1, rng) for _ in range(200)]
    assert min(delays) >= 3 and max(delays) <= 5 and len(set(delays)) > 100


def test_retry_after_is_a_floor() -> None:
    p = RetryPolicy(initial=1, jitter=0)
    err = DeliveryError(Reason.RATE_LIMITED, "429", retryable=True, retry_after=7.5, status=429)
    assert p.next_delay(1, err, 0) == 7.5


@pytest.mark.parametrize(
    ("attempts", "age", "err", "expected"),
    [
        (1, 0, DeliveryError(Reason.CLIENT_ERROR, "400", retryable=False), None),
        (10, 0, RETRY, None),
        (9, 0, RETRY, 256.0),
        (3, 24 * 3600 * S - S, RETRY, None),
    ],
    ids=["permanent", "attempts-exhausted", "last-retry", "too-old"],
)
def test_give_up_rules(attempts: int, age: int, err: DeliveryError, expected: float | None) -> None:
    p = RetryPolicy(max_attempts=10, initial=1, maximum=300, jitter=0)
    assert p.next_delay(attempts, err, age) == expected


def test_a_kinds_max_attempts_overrides_the_global_one() -> None:
    p = RetryPolicy(max_attempts=10, initial=1, jitter=0, kind_max_attempts=(("sensu", 3), ("tcp", 12)))
    assert [p.attempts_for(kind) for kind in ("sensu", "tcp", "post", "")] == [3, 12, 10, 10]
    assert [p.next_delay(n, RETRY, 0, kind="sensu") for n in (2, 3)] == [2.0, None]
    assert [p.next_delay(n, RETRY, 0, kind="tcp") for n in (10, 12)] == [300.0, None]
    assert p.next_delay(3, RETRY, 0, kind="post") == 4.0

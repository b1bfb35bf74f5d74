"""The one retry policy every delivery follows: exponential backoff with jitter, bounded by count and age."""

from __future__ import annotations

import random
from dataclasses import dataclass

from tocsin.delivery.errors import DeliveryError

_NS = 1_000_000_000


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 10
    max_age: int = 24 * 3600 * _NS  # ns since the delivery was created
    initial: float = 1.0  # seconds
    maximum: float = 300.0
    multiplier: float = 2.0
    jitter: float = 0.2  # +/- fraction of the delay

    def backoff(self, attempts: int, rng: random.Random | None = None) -> float:
        """The pause after the `attempts`-th failed attempt, jitter included."""
        base = min(self.maximum, self.initial * self.multiplier ** max(0, attempts - 1))
        if self.jitter:
            base *= 1 + (rng or random).uniform(-self.jitter, self.jitter)
        return max(0.0, base)

    def next_delay(
        self, attempts: int, error: DeliveryError, age: int, rng: random.Random | None = None
    ) -> float | None:
        """Seconds until the next attempt, or None to give up (dead letter).

        A peer's Retry-After is a floor: we never come back earlier than it asked.
        """
        if not error.retryable or attempts >= self.max_attempts:
            return None
        delay = self.backoff(attempts, rng)
        if error.retry_after is not None:
            delay = max(delay, error.retry_after)
        if age + int(delay * _NS) > self.max_age:
            return None
        return delay

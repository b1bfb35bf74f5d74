"""The one retry policy every delivery follows: exponential backoff with jitter, bounded by count and age.

The count is `max_attempts`, or the handler kind's own in `kind_max_attempts` ([delivery] kind-max-attempts):
a peer that never confirms (a Sensu socket that never answers `ok`) may deserve fewer tries than a webhook.
"""

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
    kind_max_attempts: tuple[tuple[str, int], ...] = ()  # (kind, attempts); pairs keep the policy hashable

    def attempts_for(self, kind: str) -> int:
        """How many attempts a delivery of handler kind `kind` gets."""
        for name, attempts in self.kind_max_attempts:
            if name == kind:
                return attempts
        return self.max_attempts

    def backoff(self, attempts: int, rng: random.Random | None = None) -> float:
        """The pause after the `attempts`-th failed attempt, jitter included."""
        base = min(self.maximum, self.initial * self.multiplier ** max(0, attempts - 1))
        if self.jitter:
            base *= 1 + (rng or random).uniform(-self.jitter, self.jitter)
        return max(0.0, base)

    def next_delay(
        self, attempts: int, error: DeliveryError, age: int, rng: random.Random | None = None, kind: str = ""
    ) -> float | None:
        """Seconds until the next attempt, or None to give up (dead letter).

        A peer's Retry-After is a floor: we never come back earlier than it asked.
        """
        if not error.retryable or attempts >= self.attempts_for(kind):
            return None
        delay = self.backoff(attempts, rng)
        if error.retry_after is not None:
            delay = max(delay, error.retry_after)
        if age + int(delay * _NS) > self.max_age:
            return None
        return delay

"""Failed sign-ins slow down: per user and per client address, a few free tries, then a doubling wait.

Kapacitor checks every password at full speed (a probe made 39 guesses a second). Here the first
FREE_PER_USER failures for a user (FREE_PER_ADDRESS from one address) cost nothing; each further one makes the
next attempt wait 1 s, 2 s, 4 s ... up to MAX_WAIT. A success clears the user's and the address's count.
While a wait runs, attempts are refused without checking the password, so guessing cannot go faster by trying.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

FREE_PER_USER = 5
FREE_PER_ADDRESS = 20
FIRST_WAIT = 1.0
MAX_WAIT = 60.0
FORGET_AFTER = 3600.0  # a count with no failure for this long starts over
MAX_TRACKED = 100_000  # bounds memory under a flood of names or addresses

THROTTLED = "too many failed sign-ins for {who}; try again in {wait} s"


@dataclass(slots=True)
class _Count:
    failures: int
    last: float
    blocked_until: float


class LoginThrottle:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._counts: dict[str, _Count] = {}

    def wait(self, user: str, address: str) -> tuple[float, str] | None:
        """(seconds to wait, what is throttled) when an attempt must be refused now, else None."""
        now = self.clock()
        for key, who in ((f"u:{user}", f'user "{user}"'), (f"a:{address}", f"address {address}")):
            count = self._counts.get(key)
            if count is not None and count.blocked_until > now:
                return count.blocked_until - now, who
        return None

    def failed(self, user: str, address: str) -> None:
        now = self.clock()
        if len(self._counts) >= MAX_TRACKED:
            self._forget(now)
        for key, free in ((f"u:{user}", FREE_PER_USER), (f"a:{address}", FREE_PER_ADDRESS)):
            count = self._counts.get(key)
            if count is None or now - count.last > FORGET_AFTER:
                count = self._counts[key] = _Count(0, now, 0.0)
            count.failures += 1
            count.last = now
            over = count.failures - free
            if over > 0:
                count.blocked_until = now + min(MAX_WAIT, FIRST_WAIT * 2 ** (over - 1))

    def succeeded(self, user: str, address: str) -> None:
        self._counts.pop(f"u:{user}", None)
        self._counts.pop(f"a:{address}", None)

    def _forget(self, now: float) -> None:
        for key in [k for k, c in self._counts.items() if now - c.last > FORGET_AFTER or c.blocked_until <= now]:
            del self._counts[key]
        while len(self._counts) >= MAX_TRACKED:
            del self._counts[next(iter(self._counts))]

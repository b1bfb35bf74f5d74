"""Kapacitor's `ingress` counts: points received per (database, retention policy, measurement).

Kapacitor's task master counts every point it forks to the tasks, whether or not a task subscribes; Tocsin
counts at the same place, the task runtime's write path.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from operator import attrgetter

from tocsin.points import Point

IngressKey = tuple[str, str, str]  # database, retention policy, measurement

_KEY = attrgetter("database", "retention_policy", "name")


class Ingress:
    """Points received so far, by (database, retention policy, measurement)."""

    __slots__ = ("_counts",)

    def __init__(self) -> None:
        self._counts: Counter[IngressKey] = Counter()

    def count(self, points: Iterable[Point]) -> None:
        # Counter.update over a C-level key getter keeps this off the per-point Python path.
        self._counts.update(map(_KEY, points))

    def counts(self) -> dict[IngressKey, int]:
        """A copy of the counts, sorted by key."""
        return dict(sorted(self._counts.items()))

"""The state an alert node keeps per group: a ring of recent levels, flapping, and trigger times."""

from __future__ import annotations

from tocsin.alert.levels import Level

# The newest change in the history weighs WEIGHT_DIFF times more than the oldest, and at most MAX_WEIGHT.
WEIGHT_DIFF = 1.5
MAX_WEIGHT = 1.2


class GroupState:
    """Kapacitor's alertState: `history` is a ring whose slot `idx` holds the current level.

    `tags` are the tags of the group's first item (what its inhibitors compare); times are ns.
    """

    __slots__ = ("changed", "expired", "first_triggered", "flapping", "history", "idx", "last_triggered", "tags")

    def __init__(self, size: int, tags: dict[str, str]) -> None:
        self.history = [Level.OK] * size
        self.idx = 0
        self.flapping = False
        self.changed = False
        self.expired = False
        self.first_triggered = 0
        self.last_triggered = 0
        self.tags = tags

    @property
    def level(self) -> Level:
        """The level of the latest event."""
        return self.history[self.idx]

    @property
    def previous_level(self) -> Level:
        """The level before the latest event."""
        return self.history[self.idx - 1]  # index -1 wraps to the ring's end, as Kapacitor's does

    def add_event(self, time: int, level: Level, flap: tuple[float, float] | None, sco_duration: int) -> None:
        """Push `level`; update `changed`, flapping (if `flap` is (low, high)) and `expired`."""
        self.changed = self.history[self.idx] != level
        self.idx = (self.idx + 1) % len(self.history)
        self.history[self.idx] = level
        if flap is not None:
            low, high = flap
            change = self.percent_change()
            if self.flapping and change < low:
                self.flapping = False
            elif not self.flapping and change > high:
                self.flapping = True
        self.expired = not self.changed and sco_duration != 0 and time - self.last_triggered >= sco_duration

    def triggered(self, time: int) -> None:
        """Record an emitted event; the first one after OK starts the incident's duration."""
        self.last_triggered = time
        if self.previous_level == Level.OK:
            self.first_triggered = time

    def duration(self) -> int:
        """Nanoseconds from the incident's first trigger to the latest one."""
        return self.last_triggered - self.first_triggered

    def percent_change(self) -> float:
        """The weighted fraction of level changes over the history, newer changes weighing more."""
        size = len(self.history)
        weight = MAX_WEIGHT / WEIGHT_DIFF
        step = (MAX_WEIGHT - weight) / (size - 1)
        changes = 0.0
        for i in range(size - 1):
            current = (i + self.idx) % size
            previous = current - 1 if current else size - 1
            if self.history[current] != self.history[previous]:
                changes += weight
            weight += step
        return changes / (size - 1)

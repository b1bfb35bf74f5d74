"""The statistics as line protocol and as points of Tocsin's own stream."""

from __future__ import annotations

from tocsin.lineprotocol.encode import line
from tocsin.points import Point
from tocsin.stats.gather import Statistic


def encode(stats: list[Statistic], time_ns: int) -> bytes:
    """One line per statistic, all at `time_ns`; a statistic with no value is left out, as Kapacitor does."""
    lines = [text for s in stats if (text := line(s.name, s.tags, s.values, time_ns, "ns")) is not None]
    return "".join(text + "\n" for text in lines).encode()


def points(stats: list[Statistic], time_ns: int, database: str, retention_policy: str) -> list[Point]:
    """The statistics as points written to `database`.`retention_policy`, as Kapacitor's stats service emits
    them into its stream (a task can `stream|from().database('_kapacitor')`)."""
    return [Point(s.name, dict(s.tags), dict(s.values), time_ns, database, retention_policy) for s in stats if s.values]

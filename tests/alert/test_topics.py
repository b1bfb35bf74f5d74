from __future__ import annotations

import pytest

from tocsin.alert.event import Event
from tocsin.alert.levels import Level, parse_level, parse_min_level
from tocsin.alert.topics import Derive, TopicTable

S = 1_000_000_000


def ev(level: Level, t: int, alert: str = "cpu", topic: str = "t") -> Event:
    return Event(topic=topic, id=alert, level=level, time=t * S, message=f"{alert} is {level.name}")


def test_previous_level_and_duration_follow_the_incident() -> None:
    table = TopicTable()
    seen = []
    for level, t in [
        (Level.WARNING, 10),
        (Level.CRITICAL, 15),
        (Level.CRITICAL, 20),
        (Level.OK, 30),
        (Level.CRITICAL, 40),
    ]:
        e = ev(level, t)
        table.collect(e)
        seen.append((e.previous_level, e.duration // S))
    assert seen == [
        (Level.OK, 0),
        (Level.WARNING, 5),
        (Level.CRITICAL, 10),
        (Level.CRITICAL, 20),
        (Level.OK, 0),
    ]
    topic = table.get("t")
    assert topic is not None and topic.collected == 5 and topic.level is Level.CRITICAL


def test_explicit_fields_are_kept_when_not_derived() -> None:
    table = TopicTable()
    table.collect(ev(Level.CRITICAL, 1))
    e = ev(Level.OK, 2)
    e.previous_level, e.duration = Level.INFO, 7
    table.collect(e, Derive(previous_level=False, duration=False))
    assert (e.previous_level, e.duration) == (Level.INFO, 7)


def test_ok_events_are_not_persisted_but_stay_listed() -> None:
    table = TopicTable()
    assert table.collect(ev(Level.CRITICAL, 1)).state == {
        "message": "cpu is CRITICAL",
        "details": "",
        "time": S,
        "duration": 0,
        "level": "CRITICAL",
    }
    assert table.collect(ev(Level.OK, 2)).state is None
    topic = table.get("t")
    assert topic is not None and topic.events["cpu"].level is Level.OK and topic.level is Level.OK


def test_list_filters_by_pattern_and_min_level() -> None:
    table = TopicTable()
    table.collect(ev(Level.CRITICAL, 1, topic="system"))
    table.collect(ev(Level.WARNING, 1, topic="app"))
    table.ensure("empty")
    assert [t.id for t in table.list()] == ["app", "empty", "system"]
    assert [t.id for t in table.list(min_level=Level.WARNING)] == ["app", "system"]
    assert [t.id for t in table.list("s*", Level.OK)] == ["system"]


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("", Level.OK),
        ("ok", Level.OK),
        ("WARN", Level.WARNING),
        ("crit", Level.CRITICAL),
        ("INF", Level.INFO),
        ("WARNING", Level.WARNING),
    ],
)
def test_min_level_quirk(text: str, level: Level) -> None:
    assert parse_min_level(text) is level


@pytest.mark.parametrize("text", ["FOO", "ARN", "KI"])
def test_min_level_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=f"unknown alert level '{text}'"):
        parse_min_level(text)


def test_parse_level_is_exact() -> None:
    assert parse_level("critical") is Level.CRITICAL
    with pytest.raises(ValueError):
        parse_level("CRIT")

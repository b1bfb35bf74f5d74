"""Restoring a group's level from the topic's stored event when the group first appears (§2.7)."""

from __future__ import annotations

from tocsin.alert.levels import Level
from tocsin.alert.topics import EventState
from tocsin.tasks.inhibit import Inhibitors

from .helpers import SECOND, Recorder, lam, make_node, point

CRIT = {"crit": (lam('"value" > 80'),)}
ANON = "main:task:alert2"


def stored(level: Level, t: int) -> EventState:
    return EventState(message="m", details="d", time=t * SECOND, duration=0, level=level)


def summary(rec: Recorder) -> list[tuple[str, str, int, int]]:
    return [(e.topic, e.level.name, e.time // SECOND, e.duration // SECOND) for e in rec.events]


def test_restored_level_continues_the_duration() -> None:
    rec = Recorder(stored={(ANON, "cpu:nil"): stored(Level.CRITICAL, 100)})
    node, _ = make_node(CRIT, recorder=rec)
    node.point(point(90, 101))
    node.point(point(10, 103))
    assert summary(rec) == [(ANON, "CRITICAL", 101, 1), (ANON, "OK", 103, 3)]


def test_state_changes_only_does_not_refire_but_recovery_fires() -> None:
    rec = Recorder(stored={(ANON, "cpu:nil"): stored(Level.CRITICAL, 100)})
    node, _ = make_node({**CRIT, "stateChangesOnly": ()}, recorder=rec)
    assert node.point(point(90, 101)) == []
    node.point(point(10, 102))
    assert summary(rec) == [(ANON, "OK", 102, 2)]


def test_restore_from_the_named_topic_without_handlers() -> None:
    rec = Recorder(stored={("ops", "cpu:nil"): stored(Level.WARNING, 50)})
    node, _ = make_node({**CRIT, "topic": ("ops",), "stateChangesOnly": ()}, recorder=rec, handlers=False)
    node.point(point(10, 60))
    assert summary(rec) == [("ops", "OK", 60, 10)]


def test_anonymous_topic_wins() -> None:
    rec = Recorder(stored={(ANON, "cpu:nil"): stored(Level.CRITICAL, 10), ("ops", "cpu:nil"): stored(Level.OK, 5)})
    node, _ = make_node({**CRIT, "topic": ("ops",), "stateChangesOnly": ()}, recorder=rec)
    node.point(point(10, 12))
    assert summary(rec) == [(ANON, "OK", 12, 2), ("ops", "OK", 12, 2)]


def test_stored_ok_starts_fresh() -> None:
    rec = Recorder(stored={(ANON, "cpu:nil"): stored(Level.OK, 10)})
    node, _ = make_node(CRIT, recorder=rec)
    node.point(point(10, 12))
    node.point(point(90, 13))
    assert summary(rec) == [(ANON, "CRITICAL", 13, 0)]


def test_lookup_uses_the_id_of_the_groups_first_point() -> None:
    rec = Recorder(stored={(ANON, "cpu:host=a"): stored(Level.CRITICAL, 10)})
    node, _ = make_node(CRIT, recorder=rec)
    node.point(point(10, 12, host="b"))
    node.point(point(10, 13, host="a"))
    assert summary(rec) == [(ANON, "OK", 13, 3)]


def test_restored_non_ok_group_inhibits() -> None:
    shared = Inhibitors()
    rec = Recorder(stored={(ANON, "cpu:host=a"): stored(Level.CRITICAL, 10)})
    node, _ = make_node(
        {**CRIT, "inhibit": ("system", "host"), "stateChangesOnly": ()}, recorder=rec, inhibitors=shared
    )
    node.point(point(90, 11, host="a"))
    assert shared.inhibited("system", {"host": "a"})

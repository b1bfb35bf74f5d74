"""The alert node on a stream: emit rules, events, topics, annotations and statistics."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.alert.topics import Derive
from tocsin.expr.values import Duration
from tocsin.points import Point
from tocsin.tasks.alert.node import AlertNode
from tocsin.tasks.registry import node_class

from .helpers import SECOND, escaped_json, lam, make_node, point

RESETS = {
    "info": (lam('"value" > 60'),),
    "infoReset": (lam('"value" < 50'),),
    "warn": (lam('"value" > 70'),),
    "warnReset": (lam('"value" < 60'),),
    "crit": (lam('"value" > 80'),),
    "critReset": (lam('"value" < 70'),),
}
CRIT = {"crit": (lam('"value" > 80'),)}


def feed(node: AlertNode, values: list[Any], host: str = "") -> list[list[Any]]:
    """Each value at t = 1s, 2s, ...; returns what the node passed on for each point."""
    return [node.point(point(v, i + 1, host=host)) for i, v in enumerate(values)]


def summary(events: list[Event]) -> list[tuple[str, int, int]]:
    """(level, time s, duration s) of each event."""
    return [(e.level.name, e.time // SECOND, e.duration // SECOND) for e in events]


def expected_event(level: Level, t: int, duration: int, value: int, **over: Any) -> Event:
    time = f"1970-01-01T00:00:0{t}Z"
    details = escaped_json(
        {
            "Name": "cpu",
            "TaskName": "task",
            "Group": "nil",
            "Tags": {},
            "ServerInfo": {"Hostname": "host1", "ClusterID": "", "ServerID": ""},
            "ID": "cpu:nil",
            "Fields": {"value": value},
            "Level": level.name,
            "Time": time,
            "Duration": duration * SECOND,
            "Message": f"cpu:nil is {level.name}",
        }
    )
    fields: dict[str, Any] = {
        "topic": "main:task:alert2",
        "id": "cpu:nil",
        "level": level,
        "time": t * SECOND,
        "message": f"cpu:nil is {level.name}",
        "details": details,
        "duration": duration * SECOND,
        "recoverable": True,
        "name": "cpu",
        "task_name": "task",
        "category": "",
        "group": "",
        "tags": {},
        "fields": {"value": value},
        "data": {"series": [{"name": "cpu", "columns": ["time", "value"], "values": [[time, value]]}]},
    }
    fields.update(over)
    return Event(**fields)


def test_reset_example_emits_exact_events() -> None:
    node, rec = make_node(RESETS)
    values = [61, 73, 64, 85, 62, 56, 47]
    outputs = feed(node, values)
    levels = [Level.INFO, Level.WARNING, Level.WARNING, Level.CRITICAL, Level.INFO, Level.INFO, Level.OK]
    assert rec.events == [expected_event(lv, i + 1, i, v) for i, (lv, v) in enumerate(zip(levels, values, strict=True))]
    assert {d for _, d in rec.emitted} == {Derive(previous_level=True, duration=False)}
    assert [len(o) for o in outputs] == [1] * 7
    assert node.stats() == {
        "alerts_triggered": 7,
        "alerts_inhibited": 0,
        "oks_triggered": 1,
        "infos_triggered": 3,
        "warns_triggered": 2,
        "crits_triggered": 1,
    }
    assert node.cardinality() == 1


def test_ok_without_change_emits_nothing() -> None:
    node, rec = make_node(CRIT)
    assert feed(node, [10, 20]) == [[], []]
    assert rec.events == []
    assert node.stats()["alerts_triggered"] == 0


def test_repeats_are_emitted_and_duration_restarts_after_recovery() -> None:
    node, rec = make_node(CRIT)
    feed(node, [90, 91, 92, 10, 11, 93, 94])
    assert summary(rec.events) == [
        ("CRITICAL", 1, 0),
        ("CRITICAL", 2, 1),
        ("CRITICAL", 3, 2),
        ("OK", 4, 3),
        ("CRITICAL", 6, 0),
        ("CRITICAL", 7, 1),
    ]


def test_state_changes_only() -> None:
    node, rec = make_node({**CRIT, "stateChangesOnly": ()})
    outputs = feed(node, [90, 91, 92, 10, 11, 93, 94])
    assert summary(rec.events) == [("CRITICAL", 1, 0), ("OK", 4, 3), ("CRITICAL", 6, 0)]
    assert [len(o) for o in outputs] == [1, 0, 0, 1, 0, 1, 0]


def test_state_changes_only_with_duration_resends_after_the_interval() -> None:
    node, rec = make_node({**CRIT, "stateChangesOnly": (Duration(2 * SECOND),)})
    feed(node, [90, 91, 92, 93, 94, 95, 10])
    # Re-sent once at least 2s passed since the last emitted event.
    assert summary(rec.events) == [("CRITICAL", 1, 0), ("CRITICAL", 3, 2), ("CRITICAL", 5, 4), ("OK", 7, 6)]


def test_no_recoveries() -> None:
    node, rec = make_node({**CRIT, "noRecoveries": ()})
    outputs = feed(node, [90, 10, 91])
    assert summary(rec.events) == [("CRITICAL", 1, 0), ("CRITICAL", 3, 0)]
    assert [e.recoverable for e in rec.events] == [False, False]
    assert [len(o) for o in outputs] == [1, 0, 1]
    assert node.stats() == {
        "alerts_triggered": 2,
        "alerts_inhibited": 0,
        "oks_triggered": 0,
        "infos_triggered": 0,
        "warns_triggered": 0,
        "crits_triggered": 2,
    }


def test_flapping_suppresses_events_while_flapping() -> None:
    node, rec = make_node({**CRIT, "flapping": (0.25, 0.5), "history": (6,)})
    outputs = feed(node, [90, 10, 90, 10, 10, 10, 10, 10, 10, 90])
    # Weighted change after each point (see test_state): .336 .16 .56 .592 .624 .8 .4 .368 0 .336; flapping
    # from the 3rd point (> .5) to the 9th (< .25), so the 3rd and the 4th (a change) are dropped.
    assert summary(rec.events) == [("CRITICAL", 1, 0), ("OK", 2, 1), ("CRITICAL", 10, 0)]
    assert [len(o) for o in outputs] == [1, 1, 0, 0, 0, 0, 0, 0, 0, 1]


def test_groups_have_their_own_state_and_ids() -> None:
    node, rec = make_node(CRIT)
    node.point(point(90, 1, host="a"))
    node.point(point(10, 2, host="b"))
    node.point(point(10, 3, host="a"))
    assert [(e.id, e.group, e.tags, e.level.name) for e in rec.events] == [
        ("cpu:host=a", "host=a", {"host": "a"}, "CRITICAL"),
        ("cpu:host=a", "host=a", {"host": "a"}, "OK"),
    ]
    assert node.cardinality() == 2


def test_events_go_to_the_anonymous_topic_and_the_named_topic() -> None:
    node, rec = make_node({**CRIT, "topic": ("ops",)})
    node.point(point(90, 1))
    anon, named = rec.events
    assert (anon.topic, named.topic) == ("main:task:alert2", "ops")
    assert named == dataclasses.replace(anon, topic="ops")


def test_without_handlers_only_the_named_topic_gets_events() -> None:
    node, rec = make_node({**CRIT, "topic": ("ops",)}, handlers=False)
    node.point(point(90, 1))
    assert [e.topic for e in rec.events] == ["ops"]


def test_without_handlers_or_topic_nothing_is_emitted_but_the_point_passes() -> None:
    node, rec = make_node(CRIT, handlers=False)
    assert len(node.point(point(90, 1))) == 1
    assert rec.events == []
    assert node.stats()["alerts_triggered"] == 1


def test_output_point_annotations() -> None:
    node, _ = make_node(
        {
            **CRIT,
            "levelTag": ("level",),
            "idTag": ("alert_id",),
            "levelField": ("lvl",),
            "messageField": ("msg",),
            "durationField": ("dur",),
            "idField": ("idf",),
        }
    )
    node.point(point(90, 1, host="a"))
    (out,) = node.point(point(95, 3, host="a"))
    assert out == Point(
        "cpu",
        {"host": "a", "level": "CRITICAL", "alert_id": "cpu:host=a"},
        {"value": 95, "lvl": "CRITICAL", "msg": "cpu:host=a is CRITICAL", "dur": 2 * SECOND, "idf": "cpu:host=a"},
        3 * SECOND,
        group="host=a",
        dimensions=out.dimensions,
    )


def test_input_point_is_not_modified() -> None:
    node, _ = make_node({**CRIT, "levelTag": ("level",), "levelField": ("lvl",)})
    p = point(90, 1)
    node.point(p)
    assert (p.tags, p.fields) == ({}, {"value": 90})


def test_event_category_and_fields() -> None:
    node, rec = make_node({**CRIT, "category": ("system",)})
    node.point(Point("cpu", {"host": "a"}, {"value": 90, "extra": "x"}, SECOND))
    (event,) = rec.events
    assert (event.category, event.fields, event.tags, event.group) == (
        "system",
        {"value": 90, "extra": "x"},
        {"host": "a"},
        "",
    )


@pytest.mark.parametrize("props", [{"history": (1,)}, {"history": (0,)}], ids=["one", "zero"])
def test_history_below_two_is_raised_to_two(props: dict[str, Any]) -> None:
    node, _ = make_node({**CRIT, **props})
    node.point(point(90, 1))
    assert len(node.states[""].history) == 2


def test_registry_runs_alert_nodes_with_this_class() -> None:
    assert node_class("alert") is AlertNode

"""The alert node on batches: highest or lowest (`.all()`) point level, event time, fields and data."""

from __future__ import annotations

from typing import Any

from tocsin.points import Batch, BatchPoint

from .helpers import SECOND, lam, make_node

LEVELS = {"warn": (lam('"value" > 70'),), "crit": (lam('"value" > 80'),)}


def batch(values: list[Any], end: int, host: str = "a") -> Batch:
    """Rows one second apart, the last at `end - 1` s; the batch time is `end` s."""
    start = end - len(values)
    rows = [BatchPoint((start + i) * SECOND, {"value": v}, {"host": host}) for i, v in enumerate(values)]
    return Batch("cpu", end * SECOND, {"host": host}, rows, group=f"host={host}")


def test_highest_point_gives_level_time_and_fields() -> None:
    node, rec = make_node(LEVELS)
    b = batch([50, 85, 75], 10)
    assert node.batch(b) == [b]
    (event,) = rec.events
    assert (event.level.name, event.time, event.fields, event.tags, event.group, event.id) == (
        "CRITICAL",
        8 * SECOND,
        {"value": 85},
        {"host": "a"},
        "host=a",
        "cpu:host=a",
    )
    assert event.data == {
        "series": [
            {
                "name": "cpu",
                "tags": {"host": "a"},
                "columns": ["time", "value"],
                "values": [["1970-01-01T00:00:07Z", 50], ["1970-01-01T00:00:08Z", 85], ["1970-01-01T00:00:09Z", 75]],
            }
        ]
    }


def test_first_point_wins_among_equal_levels() -> None:
    node, rec = make_node(LEVELS)
    node.batch(batch([72, 85, 90], 10))
    assert (rec.events[0].time, rec.events[0].fields) == (8 * SECOND, {"value": 85})


def test_all_takes_the_lowest_level_and_the_batch_time() -> None:
    node, rec = make_node({**LEVELS, "all": ()})
    assert node.batch(batch([50, 85, 75], 10)) == []
    node.batch(batch([75, 85, 90], 20))
    (event,) = rec.events
    assert (event.level.name, event.time, event.fields) == ("WARNING", 20 * SECOND, {"value": 85})


def test_recovery_uses_the_batch_time_and_carries_the_duration() -> None:
    node, rec = make_node(LEVELS)
    node.batch(batch([85], 10))
    node.batch(batch([90], 20))
    node.batch(batch([10, 20], 30))
    node.batch(batch([10], 40))
    assert [(e.level.name, e.time // SECOND, e.duration // SECOND) for e in rec.events] == [
        ("CRITICAL", 9, 0),
        ("CRITICAL", 19, 10),
        ("OK", 30, 21),
    ]


def test_rows_are_evaluated_against_the_level_before_the_batch() -> None:
    node, rec = make_node({**LEVELS, "warnReset": (lam('"value" < 60'),)})
    node.batch(batch([75], 10))
    # At WARNING, 65 stays WARNING (reset false) whatever the other rows of the batch say.
    node.batch(batch([65, 40], 20))
    assert [e.level.name for e in rec.events] == ["WARNING", "WARNING"]


def test_state_changes_only_on_batches() -> None:
    node, rec = make_node({**LEVELS, "stateChangesOnly": ()})
    for end, values in ((10, [85]), (20, [90]), (30, [10]), (40, [10])):
        node.batch(batch(values, end))
    assert [e.level.name for e in rec.events] == ["CRITICAL", "OK"]


def test_empty_batch_does_nothing() -> None:
    node, rec = make_node(LEVELS)
    assert node.batch(batch([], 10)) == []
    assert rec.events == []


def test_batch_annotations_on_every_row_and_the_batch_tags() -> None:
    node, _ = make_node({**LEVELS, "levelTag": ("level",), "durationField": ("dur",)})
    (out,) = node.batch(batch([85, 75], 10))
    assert isinstance(out, Batch)
    assert out.tags == {"host": "a", "level": "CRITICAL"}
    assert [(p.tags, p.fields) for p in out.points] == [
        ({"host": "a", "level": "CRITICAL"}, {"value": 85, "dur": 0}),
        ({"host": "a", "level": "CRITICAL"}, {"value": 75, "dur": 0}),
    ]


def test_batch_stats() -> None:
    node, _ = make_node(LEVELS)
    node.batch(batch([75], 10))
    node.batch(batch([10], 20))
    node.batch(batch([10], 30))
    assert node.stats() == {
        "alerts_triggered": 2,
        "alerts_inhibited": 0,
        "oks_triggered": 1,
        "infos_triggered": 0,
        "warns_triggered": 1,
        "crits_triggered": 0,
    }

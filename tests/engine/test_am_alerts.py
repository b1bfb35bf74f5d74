"""Alertmanager alerts as Tocsin events: topic, ID, level, message, data; only state changes; bad input named."""

from __future__ import annotations

import pytest

from tocsin.alert.levels import Level
from tocsin.alert.topics import TopicTable
from tocsin.config.effective import Config
from tocsin.config.loader import load_text
from tocsin.config.overrides import Overrides
from tocsin.engine.am_alerts import events_of
from tocsin.engine.errors import InvalidError
from tocsin.gocompat.timefmt import parse_rfc3339

NOW = parse_rfc3339("2026-12-07T12:00:00Z")
CONFIG = Config.build(load_text("", "kapacitor.conf", environ={}), Overrides())


def alert(**extra: object) -> dict[str, object]:
    return {
        "labels": {"alertname": "DiskFull", "host": "db3", "severity": "warning"},
        "annotations": {"summary": "disk full on db3", "description": "95% used"},
        "startsAt": "2026-12-07T11:59:00Z",
        "endsAt": "0001-01-01T00:00:00.000Z",  # as amtool sends it: not set
        "generatorURL": "http://prometheus/graph",
        **extra,
    }


def test_an_alert_becomes_an_event() -> None:
    ((event, _),) = events_of([alert()], CONFIG, TopicTable(), NOW)
    assert (event.topic, event.id, event.level, event.time) == (
        "prometheus",
        'DiskFull{host="db3",severity="warning"}',
        Level.WARNING,
        parse_rfc3339("2026-12-07T11:59:00Z"),
    )
    assert (event.message, event.details, event.tags["host"], event.name) == (
        "disk full on db3",
        "95% used",
        "db3",
        "DiskFull",
    )
    assert event.data == {
        "series": [
            {
                "name": "DiskFull",
                "tags": {"alertname": "DiskFull", "host": "db3", "severity": "warning"},
                "columns": ["time", "description", "summary", "generatorURL"],
                "values": [["2026-12-07T11:59:00Z", "95% used", "disk full on db3", "http://prometheus/graph"]],
            }
        ]
    }


def test_topic_label_severity_map_and_resolve() -> None:
    labels = {"alertname": "Up", "topic": "infra", "severity": "PAGE"}
    ((event, _),) = events_of([alert(labels=labels)], CONFIG, TopicTable(), NOW)
    assert (event.topic, event.level) == ("infra", Level.CRITICAL)  # unmapped severity: the default level
    resolved = alert(endsAt="2026-12-07T11:59:30Z")
    topics = TopicTable()
    ((firing, _),) = events_of([alert()], CONFIG, topics, NOW)
    topics.collect(firing)
    ((ok, _),) = events_of([resolved], CONFIG, topics, NOW)
    assert (ok.level, ok.time) == (Level.OK, parse_rfc3339("2026-12-07T11:59:30Z"))


def test_an_alert_sent_again_in_the_same_state_makes_no_event() -> None:
    topics = TopicTable()
    ((event, _),) = events_of([alert()], CONFIG, topics, NOW)
    topics.collect(event)
    assert events_of([alert(), alert(endsAt="2026-12-07T12:05:00Z")], CONFIG, topics, NOW) == []
    assert events_of([alert(endsAt="2026-12-07T11:00:00Z", labels={"alertname": "Never"})], CONFIG, topics, NOW) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"labels": {}}, "alerts: expected a JSON array of alerts"),
        ([{"labels": {}}], "alerts[0].labels: at least one label is required"),
        (
            [alert(labels={"alertname": 3})],
            "alerts[0]: labels and annotations must map strings to strings ('alertname')",
        ),
        ([alert(startsAt="yesterday")], 'alerts[0].startsAt: cannot parse "yesterday" as RFC 3339 time'),
        (
            [alert(labels={"alertname": "x" * 2000})],
            "alerts[0].labels: the alert ID they make is longer than 1024 characters",
        ),
    ],
)
def test_bad_alerts_are_named(body: object, message: str) -> None:
    with pytest.raises(InvalidError) as err:
        events_of(body, CONFIG, TopicTable(), NOW)
    assert str(err.value) == message

from __future__ import annotations

from typing import Any

import pytest

from tests.support.config import StaticConfig
from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.handlers import aggregate
from tocsin.handlers.options import OptionsError, normalize


def _event(level: Level, time: int, duration: int, message: str, series: list[Any] | None = None) -> Event:
    return Event(
        topic="in",
        id="x",
        level=level,
        time=time,
        duration=duration,
        message=message,
        details="ignored",
        name="cpu",
        tags={"host": "a"},
        fields={"v": 1},
        data={"series": series} if series is not None else None,
    )


def test_combine_takes_maxima_and_joins_messages() -> None:
    options = normalize(
        aggregate.KIND,
        {"id": "agg", "interval": "1m30s", "topic": "out", "message": "{{.Count}} in {{.Interval}}"},
    )
    events = [
        _event(Level.WARNING, 5, 7, "first"),
        _event(Level.CRITICAL, 9, 2, "second", [{"name": "r1"}]),
        _event(Level.INFO, 1, 0, "third", []),
    ]
    assert aggregate.combine(events, options) == Event(
        topic="out",
        id="agg",
        level=Level.CRITICAL,
        time=9,
        message="3 in 1m30s",
        details="first\nsecond\nthird",
        duration=7,
        recoverable=False,
        data={"series": [{"name": "r1"}]},
    )


def test_combine_without_series_has_no_data_and_ok_stays_ok() -> None:
    options = normalize(aggregate.KIND, {"id": "agg", "interval": 100_000_000, "topic": "out"})
    combined = aggregate.combine([_event(Level.OK, 3, 0, "fine")], options)
    assert (combined.data, combined.level, combined.message) == (None, Level.OK, "Received 1 events in the last 100ms.")


def test_combine_refuses_an_empty_interval() -> None:
    options = normalize(aggregate.KIND, {"id": "agg", "interval": 1, "topic": "out"})
    with pytest.raises(ValueError, match="no events to combine"):
        aggregate.combine([], options)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"interval": 0}, "aggregate interval must be greater than 0, got 0"),
        ({"interval": 1, "message": "{{ .Count "}, "template: message:1: unclosed action"),
        (
            {"interval": 1, "message": "{{ .Missing }}"},
            "failed to evaluate message template with aggregate message data: template: message:1:3: "
            'executing "message" at <.Missing>: can\'t evaluate field Missing in type alert.aggregateMessageData',
        ),
    ],
    ids=["zero-interval", "unparsable-message", "unknown-field"],
)
def test_validation(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(OptionsError) as caught:
        normalize(aggregate.KIND, {"id": "a", "topic": "t", **raw})
    assert str(caught.value) == message


def test_render_is_never_used() -> None:
    options = normalize(aggregate.KIND, {"id": "a", "interval": 1, "topic": "t"})
    with pytest.raises(TypeError, match="combines events per interval"):
        aggregate.KIND.render(_event(Level.OK, 0, 0, ""), options, StaticConfig())

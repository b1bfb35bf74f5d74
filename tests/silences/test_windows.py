"""Maintenance windows: schedules (cron or weekdays and times) in a time zone, occurrences, and bad input named."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tocsin.gocompat.timefmt import format_rfc3339nano, parse_rfc3339
from tocsin.silences.silence import SilenceError
from tocsin.silences.windows import occurrences_json, parse_window

NOW = parse_rfc3339("2026-12-05T01:00:00Z")  # a Saturday
MATCHERS = [{"name": "host", "value": "db3", "isRegex": False}]


def window(schedule: dict[str, object]) -> dict[str, object]:
    return {"name": "patching", "matchers": MATCHERS, "schedule": schedule}


def test_weekdays_with_times_in_a_time_zone() -> None:
    w = parse_window(
        window({"weekdays": ["sat", "sun"], "start": "02:00", "end": "04:00", "timezone": "Europe/Berlin"}), NOW
    )
    assert (w.cron, w.duration) == ("0 2 * * 0,6", 2 * 3600 * 10**9)
    # 02:00 in Berlin is 01:00 UTC in winter: the window is open now, until 03:00 UTC
    assert w.occurrence(NOW) == (NOW, parse_rfc3339("2026-12-05T03:00:00Z"))
    assert w.occurrence(parse_rfc3339("2026-12-05T03:00:00Z")) is None
    assert occurrences_json(w, NOW, 3) == [
        {"startsAt": "2026-12-05T01:00:00Z", "endsAt": "2026-12-05T03:00:00Z"},
        {"startsAt": "2026-12-06T01:00:00Z", "endsAt": "2026-12-06T03:00:00Z"},
        {"startsAt": "2026-12-12T01:00:00Z", "endsAt": "2026-12-12T03:00:00Z"},
    ]


def test_a_cron_schedule_and_a_window_across_midnight() -> None:
    w = parse_window(window({"cron": "30 23 * * *", "duration": "1h"}), NOW)
    assert w.occurrence(NOW) is None
    assert [o["startsAt"] for o in occurrences_json(w, NOW, 2)] == ["2026-12-05T23:30:00Z", "2026-12-06T23:30:00Z"]
    night = parse_window(window({"weekdays": ["fri"], "start": "23:00", "end": "01:00"}), NOW)
    assert night.duration == 2 * 3600 * 10**9
    assert night.occurrence(NOW - 1) == (parse_rfc3339("2026-12-04T23:00:00Z"), NOW)


def test_the_last_occurrence_that_ended_since_the_window_was_saved() -> None:
    w = parse_window(window({"cron": "0 * * * *", "duration": "10m"}), NOW)
    later = parse_rfc3339("2026-12-05T02:30:00Z")
    assert [format_rfc3339nano(t) for t in w.last_ended(later) or ()] == [
        "2026-12-05T02:00:00Z",
        "2026-12-05T02:10:00Z",
    ]
    assert w.last_ended(NOW) is None  # the 00:00 one ended before it was saved


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ({"cron": "every day", "duration": "1h"}, "window: schedule.cron: not a cron expression: 'every day'"),
        (
            {"cron": "0 2 * * *", "duration": "9d"},
            "window: schedule.duration: a duration from 1s to 168h is required, got '9d'",
        ),
        (
            {"weekdays": ["someday"], "start": "02:00", "end": "03:00"},
            "window: schedule.weekdays: unknown day 'someday'",
        ),
        (
            {"weekdays": ["sat"], "start": "25:00", "end": "03:00"},
            "window: schedule.start: a time of day HH:MM is required, got '25:00'",
        ),
        (
            {"cron": "0 2 * * *", "duration": "1h", "timezone": "Mars/Olympus"},
            'window: schedule.timezone: unknown time zone "Mars/Olympus"',
        ),
    ],
)
def test_bad_schedules_say_what_and_where(schedule: dict[str, object], message: str) -> None:
    with pytest.raises(SilenceError) as err:
        parse_window(window(schedule), NOW)
    assert str(err.value) == message


@pytest.mark.parametrize(
    "schedule", [{"cron": "0 * * * *", "duration": "10m"}, {"cron": "*/7 * * * *", "duration": "20m"}]
)
def test_the_cached_last_occurrence_is_the_one_computed_afresh(schedule: dict[str, object]) -> None:
    w = parse_window(window(schedule), NOW)  # every 7 min for 20 min: occurrences overlap
    for step in range(0, 6 * 3600, 37):
        at = NOW + step * 10**9
        assert w.last_ended(at) == replace(w, _ended=[0, 0, None]).last_ended(at)

"""A silence's shape, checks and states."""

from __future__ import annotations

import pytest

from tocsin.gocompat.timefmt import parse_rfc3339
from tocsin.silences.silence import ACTIVE, EXPIRED, PENDING, SilenceError, parse_silence

NOW = parse_rfc3339("2026-12-07T12:00:00Z")
HOUR = 3600 * 1_000_000_000


def body(**extra: object) -> dict[str, object]:
    return {
        "matchers": [{"name": "host", "value": "db3", "isRegex": False}],
        "startsAt": "2026-12-07T12:00:00Z",
        "endsAt": "2026-12-07T13:00:00Z",
        "createdBy": "ann",
        "comment": "patching db3",
        **extra,
    }


def test_a_silence_answers_in_alertmanagers_shape() -> None:
    silence = parse_silence(body(), NOW)
    assert silence.id == ""  # the book gives it one
    assert silence.to_json(NOW) == {
        "id": "",
        "status": {"state": "active"},
        "updatedAt": "2026-12-07T12:00:00Z",
        "matchers": [{"name": "host", "value": "db3", "isRegex": False, "isEqual": True}],
        "startsAt": "2026-12-07T12:00:00Z",
        "endsAt": "2026-12-07T13:00:00Z",
        "createdBy": "ann",
        "comment": "patching db3",
    }
    assert [silence.state(t) for t in (NOW - 1, NOW, NOW + HOUR)] == [PENDING, ACTIVE, EXPIRED]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"matchers": []}, "silence: matchers: at least one matcher is required"),
        (
            {"matchers": [{"name": "host", "value": ".*", "isRegex": True}]},
            "silence: matchers: at least one matcher must not match the empty string",
        ),
        ({"endsAt": None}, "silence: endsAt: an RFC 3339 time is required"),
        ({"startsAt": "noon"}, 'silence: startsAt: cannot parse "noon" as RFC 3339 time'),
        ({"endsAt": "2026-12-07T11:00:00Z"}, "silence: endsAt: before startsAt"),
        (
            {"startsAt": "2026-12-07T10:00:00Z", "endsAt": "2026-12-07T11:00:00Z"},
            "silence: endsAt: in the past (a silence cannot be created expired)",
        ),
        ({"comment": 5}, "silence: comment: a string is required"),
        ({"matchers": [{"name": "", "value": "x"}]}, "silence: matchers[0].name: a non-empty string is required"),
    ],
)
def test_bad_silences_say_what_and_where(changes: dict[str, object], message: str) -> None:
    data = {k: v for k, v in body(**changes).items() if v is not None}
    with pytest.raises(SilenceError) as err:
        parse_silence(data, NOW)
    assert str(err.value) == message


def test_the_stored_record_round_trips() -> None:
    silence = parse_silence(body(id="abc"), NOW)
    assert type(silence).from_record(silence.to_record()) == silence

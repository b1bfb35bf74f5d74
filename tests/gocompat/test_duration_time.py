from __future__ import annotations

import pytest

from tocsin.gocompat.duration import format_duration, parse_duration
from tocsin.gocompat.timefmt import format_go_string, format_rfc3339nano, parse_rfc3339

S = 1_000_000_000


@pytest.mark.parametrize(
    ("ns", "text"),
    [
        (0, "0s"),
        (1, "1ns"),
        (1500, "1.5µs"),
        (2_000_000, "2ms"),
        (100_000_000, "100ms"),
        (S, "1s"),
        (60 * S, "1m0s"),
        (300 * S, "5m0s"),
        (90 * S, "1m30s"),
        (3600 * S, "1h0m0s"),
        (3723 * S + 500_000_000, "1h2m3.5s"),
        (-2 * S, "-2s"),
    ],
    ids=lambda v: str(v),
)
def test_format_duration(ns: int, text: str) -> None:
    assert format_duration(ns) == text


@pytest.mark.parametrize(
    ("text", "ns"),
    [
        ("10s", 10 * S),
        ("1h30m", 5400 * S),
        ("1.5s", 1500 * 1_000_000),
        ("300ms", 300_000_000),
        ("2us", 2000),
        ("2µs", 2000),
        ("0", 0),
        ("-1m", -60 * S),
        ("1m0s", 60 * S),
    ],
    ids=lambda v: str(v),
)
def test_parse_duration(text: str, ns: int) -> None:
    assert parse_duration(text) == ns


@pytest.mark.parametrize("text", ["", "10", "s", "1x", "1.s.", "abc"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="time: "):
        parse_duration(text)


def test_rfc3339_round_trip() -> None:
    assert format_rfc3339nano(0) == "1970-01-01T00:00:00Z"
    assert format_rfc3339nano(2_000_000) == "1970-01-01T00:00:00.002Z"
    assert parse_rfc3339("1971-01-01T00:00:10Z") == 31536010 * S
    assert parse_rfc3339("2016-12-01T02:00:00.5+02:00") == parse_rfc3339("2016-12-01T00:00:00.5Z")
    assert format_rfc3339nano(parse_rfc3339("2024-02-29T23:59:59.123456789Z")) == "2024-02-29T23:59:59.123456789Z"
    assert format_go_string(31536010 * S) == "1971-01-01 00:00:10 +0000 UTC"


@pytest.mark.parametrize("text", ["2016-13-01T00:00:00Z", "yesterday", "2016-12-01 00:00:00", "2016-12-01T00:00:00"])
def test_rfc3339_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_rfc3339(text)

from __future__ import annotations

import math

import pytest

from tocsin.expr.gostrconv import (
    INT64_MAX,
    INT64_MIN,
    float_to_int64,
    format_float,
    format_influx_duration,
    parse_bool,
    parse_float,
    parse_influx_duration,
    parse_int,
    wrap_int64,
)

FLOATS = [
    (0.0, "0", "0"),
    (-0.0, "-0", "-0"),
    (1.0, "1", "1"),
    (2.5, "2.5", "2.5"),
    (100.0, "100", "100"),
    (0.0001, "0.0001", "0.0001"),
    (0.00001, "1e-05", "0.00001"),
    (1e20, "100000000000000000000", "100000000000000000000"),
    (1e21, "1e+21", "1000000000000000000000"),
    (1.5e-7, "1.5e-07", "0.00000015"),
    (123456789.125, "123456789.125", "123456789.125"),
    (math.inf, "+Inf", "+Inf"),
    (-math.inf, "-Inf", "-Inf"),
    (math.nan, "NaN", "NaN"),
]


@pytest.mark.parametrize(("value", "g", "f"), FLOATS, ids=[g for _, g, _ in FLOATS])
def test_format_float(value: float, g: str, f: str) -> None:
    assert (format_float(value), format_float(value, "f")) == (g, f)


DURATIONS = [
    (0, "0s"),
    (90_000_000_000, "90s"),
    (120_000_000_000, "2m"),
    (3 * 3600 * 10**9, "3h"),
    (2 * 86400 * 10**9, "2d"),
    (14 * 86400 * 10**9, "2w"),
    (1_500_000, "1500u"),
    (5_000_000, "5ms"),
    (7, "7ns"),
    (-60_000_000_000, "-1m"),
]


@pytest.mark.parametrize(("ns", "text"), DURATIONS, ids=[t for _, t in DURATIONS])
def test_influx_duration_format(ns: int, text: str) -> None:
    assert format_influx_duration(ns) == text


@pytest.mark.parametrize(
    ("text", "ns"),
    [
        ("10s", 10 * 10**9),
        ("1h30m", 5400 * 10**9),
        ("5ms", 5_000_000),
        ("3u", 3000),
        ("2µ", 2000),
        ("4ns", 4),
        ("1d", 86400 * 10**9),
        ("1w", 604800 * 10**9),
        ("-2m", -120 * 10**9),
    ],
    ids=["s", "h-m", "ms", "u", "µ", "ns", "d", "w", "negative"],
)
def test_influx_duration_parse(text: str, ns: int) -> None:
    assert parse_influx_duration(text) == ns


@pytest.mark.parametrize("text", ["", "s", "10", "1.5s", "10x", "-", "10us"], ids=repr)
def test_influx_duration_parse_rejects(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_influx_duration(text)
    assert str(info.value) == "invalid duration"


def test_strconv_parsers() -> None:
    assert [parse_bool(t) for t in ("1", "t", "T", "true", "TRUE", "True")] == [True] * 6
    assert [parse_bool(t) for t in ("0", "f", "F", "false", "FALSE", "False")] == [False] * 6
    assert [parse_int("+5"), parse_int("-0012")] == [5, -12]
    assert [parse_float("1e3"), parse_float(".5"), parse_float("-Inf")] == [1000.0, 0.5, -math.inf]
    for bad, parse in ((" 1", parse_int), ("1_0", parse_float), ("yes", parse_bool), ("1e999", parse_float)):
        with pytest.raises(ValueError):
            parse(bad)


def test_parse_int_range() -> None:
    assert parse_int("-9223372036854775808") == INT64_MIN
    assert parse_int("000000000000000000000042") == 42
    for text in ("9223372036854775808", "1" * 5000):
        with pytest.raises(ValueError) as info:
            parse_int(text)
        assert str(info.value) == f'strconv.ParseInt: parsing "{text}": value out of range'


def test_int64_conversions() -> None:
    assert wrap_int64(INT64_MAX + 1) == INT64_MIN
    assert wrap_int64(INT64_MIN - 1) == INT64_MAX
    assert [float_to_int64(2.9), float_to_int64(-2.9)] == [2, -2]
    assert [float_to_int64(math.nan), float_to_int64(1e30)] == [INT64_MIN, INT64_MIN]

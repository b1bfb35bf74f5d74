"""Line protocol under fuzzing: only LineProtocolError escapes, valid points round-trip, both paths agree."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.lineprotocol import encode_point
from tocsin.lineprotocol import LineProtocolError, parse_points
from tocsin.lineprotocol.errors import LineError
from tocsin.lineprotocol.parser import _Decline, _fast_line, _quoted_line  # type: ignore[attr-defined]
from tocsin.lineprotocol.scanner import parse_line
from tocsin.points import FieldValue, Point

NOW = 1_600_000_000_000_000_000
RUNS = {"count": 0}
_PIECES = [
    "cpu",
    "m",
    ",",
    " ",
    "=",
    '"',
    "\\",
    "\n",
    "\r\n",
    "\t",
    "#",
    "1",
    "-1.5e3",
    "2i",
    "3u",
    "t",
    "FALSE",
    "NaN",
    "host=a",
    "value=1",
    's="x y"',
    "123",
    "-",
    ".",
    "e",
    "time",
    "\x00",
    "é",
    "9223372036854775808",
]


def _check(body: bytes) -> None:
    RUNS["count"] += 1
    try:
        points = parse_points(body, now=NOW)
    except LineProtocolError as exc:
        points = exc.points
    for point in points:
        assert isinstance(point.name, str) and point.name
        for value in point.fields.values():
            assert not (isinstance(value, float) and not math.isfinite(value))


@settings(max_examples=1500, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_raise_only_line_protocol_errors(body: bytes) -> None:
    _check(body)


@settings(max_examples=2500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=25))
def test_line_protocol_fragments_raise_only_line_protocol_errors(pieces: list[str]) -> None:
    _check("".join(pieces).encode())


@settings(max_examples=4000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=20))
def test_fast_paths_agree_with_the_exact_scanner(pieces: list[str]) -> None:
    line = "".join(pieces).replace("\n", "").lstrip(" \t\x00")
    if not line or line[0] == "#":
        return
    RUNS["count"] += 1
    try:
        exact: object = parse_line(line, NOW, 1)
    except LineError as exc:
        exact = str(exc)
    for fast in (_fast_line, _quoted_line):
        if "\\" in line or "\t" in line or "\x00" in line or (fast is _fast_line and '"' in line):
            continue
        try:
            got = fast(line, NOW, 1)
        except _Decline:
            continue
        assert got == exact, (fast.__name__, line)
        assert [type(v) for v in got[2].values()] == [type(v) for v in exact[2].values()]


_TEXT = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\n\r\\"), min_size=1, max_size=8)
_KEY = _TEXT.filter(lambda s: s != "time" and s[0] not in " \t\x00#" and s[-1] != "\\")
_VALUE: st.SearchStrategy[FieldValue] = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.booleans(),
    st.text(max_size=10),
)


@st.composite
def _points(draw: st.DrawFn) -> Point:
    name = draw(_KEY)
    tags = draw(st.dictionaries(_KEY, _TEXT.filter(lambda s: s[-1] != "\\"), max_size=3))
    fields = draw(st.dictionaries(_KEY, _VALUE, min_size=1, max_size=4))
    time = draw(st.integers(min_value=-(2**63) + 2, max_value=2**63 - 2))
    return Point(name, dict(sorted(tags.items())), fields, time)


@settings(max_examples=500, deadline=None)
@given(st.lists(_points(), min_size=1, max_size=4))
def test_generated_points_round_trip(points: list[Point]) -> None:
    RUNS["count"] += 1
    body = "\n".join(encode_point(p) for p in points).encode()
    parsed = parse_points(body, now=NOW)
    assert parsed == points
    for got, want in zip(parsed, points, strict=True):
        assert [type(v) for v in got.fields.values()] == [type(v) for v in want.fields.values()]


def test_report_run_count() -> None:
    # Printed with -s; the hypothesis tests above run first in file order.
    print(f"line protocol fuzz inputs run: {RUNS['count']}")
    assert RUNS["count"] > 0

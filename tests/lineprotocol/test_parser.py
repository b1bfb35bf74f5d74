"""Line protocol parsing: exact points and InfluxDB's exact error texts."""

from __future__ import annotations

import pytest

from tocsin.lineprotocol import LineProtocolError, PartialWriteError, parse_points
from tocsin.points import FieldValue, Point

NOW = 1_700_000_000_123_456_789


def one(body: bytes, **kwargs: str) -> Point:
    points = parse_points(body, now=NOW, **kwargs)
    assert len(points) == 1
    return points[0]


def error_of(body: bytes, **kwargs: str) -> str:
    with pytest.raises(LineProtocolError) as info:
        parse_points(body, now=NOW, **kwargs)
    return str(info.value)


def test_typical_telegraf_line() -> None:
    body = b"cpu,host=server01,cpu=cpu0 usage_idle=99.2,usage_user=0.4 1700000000000000000\n"
    point = parse_points(body, database="telegraf", retention_policy="autogen")[0]
    assert point == Point(
        "cpu",
        {"cpu": "cpu0", "host": "server01"},
        {"usage_idle": 99.2, "usage_user": 0.4},
        1_700_000_000_000_000_000,
        "telegraf",
        "autogen",
    )
    # InfluxDB sorts tags by key.
    assert list(point.tags) == ["cpu", "host"]


VALUES: list[tuple[str, FieldValue]] = [
    ("1", 1.0),
    ("-1.5e3", -1500.0),
    ("1E+2", 100.0),
    (".5", 0.5),
    ("1.", 1.0),
    ("-0", -0.0),
    ("12i", 12),
    ("-9223372036854775808i", -(2**63)),
    ("9223372036854775807i", 2**63 - 1),
    ("18446744073709551615u", 2**64 - 1),
    ("0u", 0),
    ("t", True),
    ("T", True),
    ("true", True),
    ("True", True),
    ("TRUE", True),
    ("f", False),
    ("F", False),
    ("false", False),
    ("False", False),
    ("FALSE", False),
    ('"hello world"', "hello world"),
    ('"a,b=c d"', "a,b=c d"),
    ('"say \\"hi\\""', 'say "hi"'),
    ('"back\\\\slash"', "back\\slash"),
    ('"keep \\n"', "keep \\n"),
    ('""', ""),
]


@pytest.mark.parametrize(("text", "value"), VALUES, ids=[v[0] for v in VALUES])
def test_field_values(text: str, value: FieldValue) -> None:
    point = one(f"m v={text} 1".encode())
    assert point.fields == {"v": value}
    assert type(point.fields["v"]) is type(value)


ESCAPES = [
    (b"my\\ cpu,my\\ tag=a\\ b value=1 1", "my cpu", {"my tag": "a b"}, {"value": 1.0}),
    (b"c\\,pu,t\\,k=v\\,w value=1 1", "c,pu", {"t,k": "v,w"}, {"value": 1.0}),
    (b"cpu,t\\=k=v\\=w f\\=k=1 1", "cpu", {"t=k": "v=w"}, {"f=k": 1.0}),
    (b"c=pu value=1 1", "c=pu", {}, {"value": 1.0}),
    (b'c"pu value=1 1', 'c"pu', {}, {"value": 1.0}),
    (b"cpu f\\ k\\,x=1 1", "cpu", {}, {"f k,x": 1.0}),
    (b"cpu\\\\x value=1 1", "cpu\\\\x", {}, {"value": 1.0}),
    (b"cpu,t=a\\b value=1 1", "cpu", {"t": "a\\b"}, {"value": 1.0}),
    (b"cpu,a==b value=1 1", "cpu", {"a": "=b"}, {"value": 1.0}),
]


@pytest.mark.parametrize(("body", "name", "tags", "fields"), ESCAPES, ids=[e[0].decode() for e in ESCAPES])
def test_escapes(body: bytes, name: str, tags: dict[str, str], fields: dict[str, FieldValue]) -> None:
    point = one(body)
    assert (point.name, point.tags, point.fields) == (name, tags, fields)


def test_unsorted_tags_are_sorted_with_escapes() -> None:
    point = one(b"cpu,z\\ z=1,a=2,m=3 v=1 1")
    assert list(point.tags.items()) == [("a", "2"), ("m", "3"), ("z z", "1")]


def test_string_field_may_span_lines() -> None:
    points = parse_points(b'm s="line1\nline2" 1\nm v=2 2\n', now=NOW)
    assert [(p.fields, p.time) for p in points] == [({"s": "line1\nline2"}, 1), ({"v": 2.0}, 2)]


def test_comments_blank_lines_whitespace_and_crlf() -> None:
    body = b"# comment\n\n   \t\n  m v=1 1\r\n\t# indented comment\nm v=2 2\r\n"
    assert [(p.fields, p.time) for p in parse_points(body, now=NOW)] == [({"v": 1.0}, 1), ({"v": 2.0}, 2)]


def test_empty_body() -> None:
    assert parse_points(b"", now=NOW) == []


PRECISIONS = [
    ("n", 5, NOW),
    ("u", 5_000, NOW - NOW % 1_000),
    ("ms", 5_000_000, NOW - NOW % 1_000_000),
    ("s", 5_000_000_000, NOW - NOW % 1_000_000_000),
    ("m", 300_000_000_000, NOW - NOW % 60_000_000_000),
    ("h", 18_000_000_000_000, NOW - NOW % 3_600_000_000_000),
    ("bogus", 5, NOW),
]


@pytest.mark.parametrize(("precision", "given", "missing"), PRECISIONS, ids=[p[0] for p in PRECISIONS])
def test_precision(precision: str, given: int, missing: int) -> None:
    points = parse_points(b"m v=1 5\nm v=1\n", precision=precision, now=NOW)
    assert [p.time for p in points] == [given, missing]


def test_negative_timestamp_and_trailing_spaces() -> None:
    assert one(b"m v=1 -5  ").time == -5
    assert one(b"m v=1 ").time == NOW


def test_duplicate_fields_keep_the_last() -> None:
    assert one(b"m a=1,a=2i 1").fields == {"a": 2}


def test_time_field_is_dropped_and_time_only_point_rejected() -> None:
    assert one(b"m time=1,v=2 1").fields == {"v": 2.0}
    with pytest.raises(PartialWriteError) as info:
        parse_points(b"m v=1 1\nm time=1 2\nn time=2i 3\n", now=NOW)
    assert (
        str(info.value)
        == 'partial write: invalid field name: input field "time" on measurement "m" is invalid dropped=2'
    )
    assert [(p.name, p.fields) for p in info.value.points] == [("m", {"v": 1.0})]


def test_time_tag_is_rejected() -> None:
    with pytest.raises(PartialWriteError) as info:
        parse_points(b"m,time=x v=1 1\nm time=1 2\n", now=NOW)
    assert str(info.value) == 'partial write: invalid tag key: input tag "time" on measurement "m" is invalid dropped=2'


ERRORS = [
    (b"cpu value=", "missing field value"),
    (b"cpu value=,x=1", "missing field value"),
    (b"cpu", "missing fields"),
    (b"cpu,host=a", "missing fields"),
    (b",cpu value=1", "missing measurement"),
    (b"cpu, value=1", "missing tag key"),
    (b"cpu,=a value=1", "missing tag key"),
    (b"cpu,host value=1", "missing tag value"),
    (b"cpu,host= value=1", "missing tag value"),
    (b"cpu,host=a=b value=1", "invalid tag format"),
    (b"cpu,a=1,a=2 value=1", "duplicate tags"),
    (b"cpu,b=1,a=1,b=2 value=1", "duplicate tags"),
    (b"cpu =1", "missing field key"),
    (b"cpu a=1,=2", "missing field key"),
    (b"cpu value", "invalid field format"),
    (b"cpu a=1,b", "invalid field format"),
    (b'cpu s="abc', "unbalanced quotes"),
    (b'cpu s="abc\\"', "unbalanced quotes"),
    (b"cpu v=1.1.1", "invalid number"),
    (b"cpu v=-", "invalid number"),
    (b"cpu v=1a", "invalid number"),
    (b"cpu v=NaN", "invalid number"),
    (b"cpu v=nan", "invalid number"),
    (b"cpu v=1.5i", "invalid number"),
    (b"cpu v=1i5", "invalid number"),
    (b"cpu v=-1u", "invalid number"),
    (b"cpu v=1e5i", "invalid number"),
    (b"cpu v=1_000", "invalid number"),
    (b"cpu v=1e400", "invalid float"),
    (b"cpu v=-1e400", "invalid float"),
    (b"cpu v=1e", "invalid float"),
    (b"cpu v=Inf", "invalid boolean"),
    (b"cpu v=yes", "invalid boolean"),
    (b"cpu v=tru", "invalid boolean"),
    (b"cpu v=tRUE", "invalid boolean"),
    (b"cpu v=1 12a", "bad timestamp"),
    (b"cpu v=1 1.5", "bad timestamp"),
    (b"cpu v=1 1 x", "point is invalid"),
    (b"cpu v=1 1\t", "bad timestamp"),
    (b"cpu v=1 -", 'strconv.ParseInt: parsing "-": invalid syntax'),
    (
        b"cpu v=1 9223372036854775808",
        'strconv.ParseInt: parsing "9223372036854775808": value out of range',
    ),
    (
        b"cpu v=1 9223372036854775807",
        "time 9223372036 is outside the range [-9223372036854775806, 9223372036854775806]",
    ),
    (
        b"cpu v=9223372036854775808i",
        "unable to parse integer 9223372036854775808: "
        'strconv.ParseInt: parsing "9223372036854775808": value out of range',
    ),
    (
        b"cpu v=18446744073709551616u",
        "unable to parse unsigned 18446744073709551616: "
        'strconv.ParseUint: parsing "18446744073709551616": value out of range',
    ),
    (b"cpu\tvalue=1", "missing fields"),
    (b"cpu value=1\r\r", "invalid number"),
]
# Only one carriage return before the newline is taken as part of a CRLF line end.


@pytest.mark.parametrize(("body", "reason"), ERRORS, ids=[e[0].decode() for e in ERRORS])
def test_errors(body: bytes, reason: str) -> None:
    line = body.decode()[:-1] if body.endswith(b"\r") else body.decode()
    assert error_of(body) == f"unable to parse '{line}': {reason}"


def test_time_range_with_precision() -> None:
    assert error_of(b"m v=1 9223372036854775", precision="ms") == (
        "unable to parse 'm v=1 9223372036854775': "
        "time 9223372036854775 is outside the range [-9223372036854, 9223372036854]"
    )


def test_max_key_length() -> None:
    name = "m" * 65530
    assert error_of(f"{name} value=1 1".encode()) == (
        f"unable to parse '{name} value=1 1': max key length exceeded: 65539 > 65535"
    )
    long_name = "m" * 65536
    assert error_of(f"{long_name} v=1".encode()) == (
        f"unable to parse '{long_name} v=1': max key length exceeded: 65536 > 65535"
    )


def test_several_bad_lines_are_joined_and_good_points_kept() -> None:
    with pytest.raises(LineProtocolError) as info:
        parse_points(b"m v=1 1\nbad\nm v=2 2\nm v= 3\n", now=NOW)
    assert str(info.value) == "unable to parse 'bad': missing fields\nunable to parse 'm v= 3': missing field value"
    assert info.value.line == 2
    assert [p.time for p in info.value.points] == [1, 2]


def test_leading_whitespace_is_not_in_the_error() -> None:
    assert error_of(b"  \tcpu") == "unable to parse 'cpu': missing fields"


def test_escaped_equals_in_field_key_quirk() -> None:
    # InfluxDB validates `a\\=1` as key `a\\` but its field iterator then reads the whole text as a key with
    # no value, so the point has no fields at all.
    assert one(b"m a\\\\=1 1").fields == {}


def test_invalid_utf8_is_replaced() -> None:
    assert one(b"m\xff v=1 1").name == "m\ufffd"

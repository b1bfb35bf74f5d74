from __future__ import annotations

from collections.abc import Callable

import pytest

from tocsin.cli.output import compact_json, left, rfc822_local, rfc822_text, right, table, time_key
from tocsin.gocompat.timefmt import parse_rfc3339


@pytest.mark.parametrize(
    ("tz", "when", "text"),
    [
        ("UTC0", "2006-01-02T15:04:05Z", "02 Jan 06 15:04 UTC"),
        ("MST+7", "2006-01-02T22:04:05Z", "02 Jan 06 15:04 MST"),
        ("CET-1CEST,M3.5.0,M10.5.0/3", "2016-07-01T12:00:00.999Z", "01 Jul 16 14:00 CEST"),
    ],
    ids=["utc", "mst", "cest"],
)
def test_rfc822_local(local_tz: Callable[[str], None], tz: str, when: str, text: str) -> None:
    local_tz(tz)
    assert rfc822_local(parse_rfc3339(when)) == text


def test_rfc822_text_keeps_unparsable_text(local_tz: Callable[[str], None]) -> None:
    assert (rfc822_text("soon"), rfc822_text(None), rfc822_text("2020-02-29T23:59:00Z")) == (
        "soon",
        "",
        "29 Feb 20 23:59 UTC",
    )


def test_time_key_sorts_missing_times_first() -> None:
    assert sorted(["2020-01-01T00:00:01Z", None, "2020-01-01T00:00:00Z"], key=time_key) == [
        None,
        "2020-01-01T00:00:00Z",
        "2020-01-01T00:00:01Z",
    ]


def test_go_padding() -> None:
    assert (left(True, 6), right(12, 5), left("toolong", 3), left(None, 2)) == ("true  ", "   12", "toolong", "  ")


def test_table_widths_and_no_trailing_space() -> None:
    assert table(["ID", "Name"], [[1, "a"], [22, "long name"]]) == ["ID  Name", "1   a", "22  long name"]


def test_compact_json_is_go_marshal_of_a_map() -> None:
    value = {"b": [1.0, {"z": 1, "a": "<&>"}], "a": None}
    assert compact_json(value) == '{"a":null,"b":[1,{"a":"\\u003c\\u0026\\u003e","z":1}]}'
    assert compact_json(None) == "null"

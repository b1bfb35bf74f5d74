from __future__ import annotations

import pytest

from tocsin.gocompat.json import dumps, encode_line, format_float, sorted_map


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1"),
        (42.5, "42.5"),
        (1e6, "1000000"),
        (123456.0, "123456"),
        (0.00001, "0.00001"),
        (0.000001, "0.000001"),
        (1e-7, "1e-7"),
        (1.5e-7, "1.5e-7"),
        (1e20, "100000000000000000000"),
        (1e21, "1e+21"),
        (1.5e300, "1.5e+300"),
        (-2.25, "-2.25"),
        (0.0, "0"),
        (0.1, "0.1"),
    ],
    ids=lambda v: str(v),
)
def test_format_float_matches_go(value: float, text: str) -> None:
    assert format_float(value) == text
    assert dumps({"v": value}) == '{"v":' + text + "}"


def test_html_characters_and_line_separators_are_escaped() -> None:
    assert dumps({"a": "<b>&\u2028\u2029"}) == '{"a":"\\u003cb\\u003e\\u0026\\u2028\\u2029"}'
    assert dumps({"a": "<b>"}, escape_html=False) == '{"a":"<b>"}'


def test_non_ascii_and_controls() -> None:
    assert dumps("é\x01\n\t\x7f") == '"é\\u0001\\n\\t\x7f"'


def test_encode_line_appends_newline_and_keeps_order() -> None:
    assert encode_line({"b": 1, "a": [1.0, None, True]}) == b'{"b":1,"a":[1,null,true]}\n'
    assert list(sorted_map({"b": 1, "a": 2})) == ["a", "b"]

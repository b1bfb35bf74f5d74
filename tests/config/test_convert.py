from __future__ import annotations

from typing import Any

import pytest

from tocsin.config.convert import ConversionError, coerce, from_env, go_quote, go_type
from tocsin.config.schema import Field, FieldType

FLOAT = Field("ratio", FieldType.FLOAT)
AUTH = Field(
    "basic-auth", FieldType.OBJECT, fields=(Field("username", FieldType.STRING), Field("password", FieldType.STRING))
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(2, 2.0), ("1e3", 1000.0), ("-0.5", -0.5), (1.25, 1.25)],
    ids=["int", "exponent-text", "negative-text", "float"],
)
def test_float_conversion(value: Any, expected: float) -> None:
    assert coerce(FLOAT, value, 0.0, "json") == expected


@pytest.mark.parametrize("text", [" 1", "1_0", "", "x"], ids=["space", "underscore", "empty", "word"])
def test_float_text_rejected_like_go(text: str) -> None:
    with pytest.raises(ConversionError) as info:
        coerce(FLOAT, text, 0.0, "json")
    assert str(info.value) == f"cannot convert string {go_quote(text)} into float64"


def test_object_merges_into_the_current_value() -> None:
    assert coerce(AUTH, {"password": "p"}, {"username": "u"}, "json") == {"username": "u", "password": "p"}
    with pytest.raises(ConversionError) as info:
        coerce(AUTH, {"username": 1}, {}, "json")
    assert str(info.value) == (
        "failed to decode options into basic-auth: username: wrong kind float64, expected value of kind string: false"
    )
    with pytest.raises(ConversionError) as info:
        coerce(AUTH, "u:p", {}, "json")
    assert str(info.value) == "wrong kind string, expected value of kind struct: false"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "<nil>"),
        (True, "bool"),
        (1, "float64"),
        ("s", "string"),
        ([], "[]interface {}"),
        ({}, "map[string]interface {}"),
    ],
    ids=["null", "bool", "number", "string", "array", "object"],
)
def test_go_type(value: Any, text: str) -> None:
    assert go_type(value) == text


def test_go_quote() -> None:
    assert go_quote('a "b"') == '"a \\"b\\""'


def test_from_env_cannot_fill_a_map_or_object_from_one_variable() -> None:
    with pytest.raises(ConversionError) as info:
        from_env(Field("headers", FieldType.STRING_MAP), "a=b", {})
    assert str(info.value) == "cannot set a string-map from one variable"

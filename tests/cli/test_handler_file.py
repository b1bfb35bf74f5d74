from __future__ import annotations

from typing import Any

import pytest

from tocsin.errors import ParseError
from tocsin.handler_files import parse_handler_spec


def spec(**fields: Any) -> dict[str, Any]:
    return {"topic": "t", "id": "h", "kind": "", "options": None, "match": "", **fields}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("topic: t\nid: h\n", spec()),
        ("Topic: t\nID: h\nKIND: log\n", spec(kind="log")),
        ("topic: x\nid: h\ntopic: t\n", spec()),
        ("topic: t\nid: h\nmatch: changed() == TRUE\nextra: 1\n", spec(match="changed() == TRUE")),
        ("topic: t\nid: h\nmatch:\noptions:\n", spec()),
        (
            "topic: t\nid: h\noptions:\n  on: yes\n  at: 2020-01-02\n  mode: 0600\n  rate: 1.0\n  5: five\n",
            spec(options={"true": True, "at": "2020-01-02", "mode": 384, "rate": 1.0, "5": "five"}),
        ),
        (
            "topic: t\nid: h\noptions:\n  to: [a@b.c]\n  headers: {X: '1'}\n",
            spec(options={"to": ["a@b.c"], "headers": {"X": "1"}}),
        ),
    ],
    ids=[
        "minimal",
        "case-insensitive-keys",
        "last-key-wins",
        "unknown-keys-ignored",
        "nulls",
        "yaml-1.1-scalars",
        "nested",
    ],
)
def test_yaml_files(text: str, expected: dict[str, Any]) -> None:
    assert parse_handler_spec(text, "h.yaml") == expected


def test_json_file_keeps_field_order() -> None:
    parsed = parse_handler_spec('{"options": {"b": 1}, "kind": "post", "id": "h", "topic": "t"}', "h.JSON")
    assert list(parsed) == ["topic", "id", "kind", "options", "match"]
    assert parsed == spec(kind="post", options={"b": 1})


@pytest.mark.parametrize(
    ("name", "text", "message", "line", "column"),
    [
        (
            "h.yaml",
            "topic: t\nid: h\noptions:\n  - a\n  b: c\n",
            "h.yaml:5:3: expected <block end>, but found '?'",
            5,
            3,
        ),
        ("h.json", '{"topic": "t",\n\n  "id" "h"}', "h.json:3:8: Expecting ':' delimiter", 3, 8),
        ("h.yaml", "", 'h.yaml: field "topic" is required', 0, 0),
        ("h.yaml", "topic: t\n", 'h.yaml: field "id" is required', 0, 0),
        ("h.yaml", "topic: t\nid: h\noptions: [1]\n", 'h.yaml: field "options" must be a mapping, got array', 0, 0),
        ("h.yaml", "topic: t\nid: h\nkind: true\n", 'h.yaml: field "kind" must be a string, got boolean', 0, 0),
        (
            "h.yaml",
            "just text",
            "h.yaml: a handler file must hold a mapping of topic, id, kind, match and options, got string",
            0,
            0,
        ),
        (
            "h.yaml",
            "topic: t\nid: h\noptions:\n  x: .inf\n",
            'h.yaml: field "options" holds inf, which JSON cannot represent',
            0,
            0,
        ),
    ],
    ids=["yaml-syntax", "json-syntax", "empty", "missing-id", "options-type", "kind-type", "scalar", "infinity"],
)
def test_bad_files(name: str, text: str, message: str, line: int, column: int) -> None:
    with pytest.raises(ParseError) as caught:
        parse_handler_spec(text, name)
    assert (str(caught.value), caught.value.line, caught.value.column) == (message, line, column)

"""Task/template records, request decoding and list paging of the tasks service."""

from __future__ import annotations

import pytest

from tocsin.tasks.errors import TaskApiError
from tocsin.tasks.listing import Page, dot_view, glob_regex, page_of, parse_int64, script_format, select
from tocsin.tasks.records import TaskRecord, TemplateRecord, time_text, valid_id
from tocsin.tasks.requests import task_request, template_request


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("cpu_alert", True),
        ("a.b-c_9", True),
        ("Émile", True),
        ("日本", True),
        ("", False),
        ("a b", False),
        ("a/b", False),
        ("a:b", False),
        ("١", False),
    ],
    ids=["plain", "punctuation", "latin-letter", "cjk", "empty", "space", "slash", "colon", "arabic-digit"],
)
def test_valid_id(value: str, ok: bool) -> None:
    assert valid_id(value) is ok


def test_time_text_zero_is_go_zero_time() -> None:
    assert time_text(0) == "0001-01-01T00:00:00Z"
    assert time_text(1_500_000_000_123_000_000) == "2017-07-14T02:40:00.123Z"


def test_task_record_round_trips_through_its_document() -> None:
    rec = TaskRecord(
        id="t",
        script="stream|from()",
        type="stream",
        template_id="tp",
        dbrps=[("db", "rp")],
        vars={"x": {"type": "int", "value": 1, "description": ""}},
        status="enabled",
        error="boom",
        created=1,
        modified=2,
        last_enabled=3,
    )
    doc = rec.to_doc()
    assert doc == {
        "id": "t",
        "template-id": "tp",
        "type": "stream",
        "dbrps": [{"db": "db", "rp": "rp"}],
        "script": "stream|from()",
        "vars": {"x": {"type": "int", "value": 1, "description": ""}},
        "status": "enabled",
        "error": "boom",
        "created": 1,
        "modified": 2,
        "last-enabled": 3,
    }
    assert TaskRecord.from_doc(doc) == rec


def test_template_record_round_trips_through_its_document() -> None:
    rec = TemplateRecord(id="tp", script="batch|query('x')", type="batch", created=5, modified=6)
    assert TemplateRecord.from_doc(rec.to_doc()) == rec


def test_task_request_decodes_the_go_client_body() -> None:
    req = task_request(
        {
            "id": "taskname",
            "type": "stream",
            "dbrps": [{"db": "dbname", "rp": "rpname"}],
            "script": "stream|from().measurement('cpu')",
            "status": "disabled",
            "vars": {"var1": {"type": "bool", "value": True, "description": ""}},
        }
    )
    assert (req.id, req.type, req.dbrps, req.status) == ("taskname", "stream", [("dbname", "rpname")], "disabled")
    assert req.vars == {"var1": {"type": "bool", "value": True, "description": ""}}


def test_task_request_matches_keys_case_insensitively() -> None:
    assert task_request({"ID": "x", "Script": "s"}).id == "x"
    assert task_request({"ID": "x", "id": "y"}).id == "y"


@pytest.mark.parametrize(
    "body",
    [
        [1],
        "text",
        {"id": 5},
        {"status": "on"},
        {"type": "query"},
        {"dbrps": {"db": "x"}},
        {"dbrps": [1]},
        {"vars": []},
        {"script": False},
    ],
    ids=[
        "array",
        "string",
        "id-number",
        "bad-status",
        "bad-type",
        "dbrps-object",
        "dbrp-number",
        "vars-array",
        "script-bool",
    ],
)
def test_task_request_rejects_wrong_json_types(body: object) -> None:
    with pytest.raises(TaskApiError) as info:
        task_request(body)
    assert (str(info.value), info.value.status) == ("invalid JSON", 400)


def test_null_body_is_an_empty_request() -> None:
    assert task_request(None).id == ""
    assert template_request(None).script == ""


@pytest.mark.parametrize(
    ("pattern", "name", "match"),
    [
        ("t*", "t1", True),
        ("t*", "a1", False),
        ("?1", "t1", True),
        ("[a-c]x", "bx", True),
        ("[^a]x", "ax", False),
        ("[^a]x", "bx", True),
        ("a\\*", "a*", True),
        ("a\\*", "ab", False),
        ("*", "", True),
    ],
    ids=[
        "star",
        "star-miss",
        "question",
        "range",
        "negated-miss",
        "negated-hit",
        "escaped",
        "escaped-miss",
        "empty-name",
    ],
)
def test_glob_matches_as_go_path_match(pattern: str, name: str, match: bool) -> None:
    regex = glob_regex(pattern)
    assert regex is not None
    assert bool(regex.fullmatch(name)) is match


@pytest.mark.parametrize(
    "pattern", ["[", "a\\", "[]", "[z-a]"], ids=["open-class", "trailing-escape", "empty-class", "reversed-range"]
)
def test_malformed_glob_matches_nothing(pattern: str) -> None:
    assert glob_regex(pattern) is None
    assert select(["a", "["], str, Page(pattern=pattern)) == []


def test_select_sorts_globs_then_offsets_then_limits() -> None:
    names = ["t3", "a", "t1", "t2", "t10"]
    assert select(names, str, Page()) == ["a", "t1", "t10", "t2", "t3"]
    assert select(names, str, Page("t*", 1, 2)) == ["t10", "t2"]
    assert select(names, str, Page("t*", 0, -1)) == ["t1", "t10", "t2", "t3"]
    assert select(names, str, Page("", 10, 100)) == []
    assert select(names, str, Page("", -3, 1)) == ["a"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", 'strconv.ParseInt: parsing "abc": invalid syntax'),
        ("1.5", 'strconv.ParseInt: parsing "1.5": invalid syntax'),
        (" 1", 'strconv.ParseInt: parsing " 1": invalid syntax'),
        ("9223372036854775808", 'strconv.ParseInt: parsing "9223372036854775808": value out of range'),
    ],
    ids=["letters", "float", "space", "overflow"],
)
def test_parse_int64_errors_are_go_texts(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_int64(text)
    assert str(info.value) == message


def test_parse_int64_accepts_signs() -> None:
    assert (parse_int64("+5"), parse_int64("-5"), parse_int64("007")) == (5, -5, 7)


def test_page_of_reads_pattern_offset_limit() -> None:
    assert page_of({"pattern": "t*", "offset": "100", "limit": "-1"}) == Page("t*", 100, -1)
    assert page_of({}) == Page("", 0, 100)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"offset": "x"},
            'invalid offset parameter "x" must be an integer: strconv.ParseInt: parsing "x": invalid syntax',
        ),
        (
            {"limit": "1e3"},
            'invalid limit parameter "1e3" must be an integer: strconv.ParseInt: parsing "1e3": invalid syntax',
        ),
    ],
    ids=["offset", "limit"],
)
def test_page_of_errors(query: dict[str, str], message: str) -> None:
    with pytest.raises(TaskApiError) as info:
        page_of(query)
    assert str(info.value) == message


def test_formats_default_and_reject_unknown_values() -> None:
    assert (script_format(""), script_format("raw"), dot_view(""), dot_view("labels")) == (
        "formatted",
        "raw",
        "attributes",
        "labels",
    )
    with pytest.raises(TaskApiError) as info:
        script_format("x")
    assert str(info.value) == 'invalid script-format parameter "x"'
    with pytest.raises(TaskApiError) as info:
        dot_view("y")
    assert str(info.value) == 'invalid dot-view parameter "y"'

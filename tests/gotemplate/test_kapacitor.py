"""Kapacitor's `json` / `jsonCompact` functions and the html/template mode used by `.details()`."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tocsin.gotemplate import GoTime, Struct, Template, TemplateError, kapacitor_funcs

from .alertdata import message_info

DETAILS_JSON = (
    '{"Name":"cpu","TaskName":"cpu_alert","Group":"nil","Tags":{"host":"server01","region":"us-west"},'
    '"ServerInfo":{"Hostname":"host1","ClusterID":"c1","ServerID":"s1"},"ID":"cpu:nil",'
    '"Fields":{"count":3,"ok":true,"value":97.5123},"Level":"CRITICAL","Time":"1971-01-01T00:00:10Z",'
    '"Duration":90000000000,"Message":"cpu:nil is CRITICAL"}'
)


def details_info(message: str = "cpu:nil is CRITICAL", **overrides: object) -> Struct:
    fields = dict(message_info(**overrides).go_fields())
    fields["Message"] = message
    return Struct("alert.detailsInfo", fields)


def render(text: str, data: object, html: bool = False) -> str:
    return Template.parse("details", text, funcs=kapacitor_funcs(), html=html).execute(data)


def test_json_is_encoder_output_with_newline() -> None:
    assert render("{{ json . }}", details_info()) == DETAILS_JSON + "\n"


def test_json_compact_has_no_newline() -> None:
    assert render("{{ jsonCompact . }}", details_info()) == DETAILS_JSON


def test_default_details_are_html_escaped() -> None:
    want = DETAILS_JSON.replace('"', "&#34;") + "\n"
    assert render("{{ json . }}", details_info(), html=True) == want


def test_json_escapes_html_characters_before_html_escaping() -> None:
    data = details_info("<b>&'")
    assert render("{{ jsonCompact .Message }}", data) == '"\\u003cb\\u003e\\u0026\'"'
    assert render("{{ jsonCompact .Message }}", data, html=True) == "&#34;\\u003cb\\u003e\\u0026&#39;&#34;"


@pytest.mark.parametrize(
    ("value", "want"),
    [(1e6, "1000000"), (1e-7, "1e-7"), (0.5, "0.5"), (1e21, "1e+21"), (3, "3")],
    ids=["million", "tiny", "half", "1e21", "int"],
)
def test_json_numbers_as_go(value: float, want: str) -> None:
    assert render("{{ jsonCompact .v }}", {"v": value}) == want


def test_json_map_keys_sorted_and_struct_json_names() -> None:
    data = Struct("alert.Data", {"ID": "x", "Level": "OK"}, json_names={"ID": "id", "Level": "level"})
    assert render("{{ jsonCompact . }}", data) == '{"id":"x","level":"OK"}'
    assert render("{{ jsonCompact . }}", {"b": 1, "a": [None, True]}) == '{"a":[null,true],"b":1}'


def test_json_of_dataclass_keeps_field_order() -> None:
    @dataclass
    class Point:
        Y: int
        X: int

    assert render("{{ jsonCompact . }}", Point(Y=2, X=1)) == '{"Y":2,"X":1}'


def test_json_nan_is_an_error() -> None:
    with pytest.raises(TemplateError) as info:
        render("{{ json .v }}", {"v": float("nan")})
    assert str(info.value) == (
        'template: details:1:3: executing "details" at <json .v>: error calling json: json: unsupported value: NaN'
    )


HTML_ROWS = [
    ("text-escaped", "{{ .Message }}", "&lt;a href=&#39;x&#39;&gt;&#34;A&#43;B&#34; &amp; co&lt;/a&gt;"),
    ("template-text-untouched", "<b>{{ .Level }}</b>", "<b>CRITICAL</b>"),
    ("missing-prints-nothing", "[{{ .Fields.nope }}]", "[]"),
    ("nil-arg-print", "{{ print nil }}", "&lt;nil&gt;"),
    ("number", "{{ .Fields.value }}", "97.5123"),
    ("html-func-not-doubled", "{{ .Message | html }}", "&lt;a href=&#39;x&#39;&gt;&#34;A+B&#34; &amp; co&lt;/a&gt;"),
    ("declaration-no-output", "{{ $m := .Message }}ok", "ok"),
    ("nul", '{{ "a\\x00b" }}', "a\ufffdb"),
    ("html-comment-dropped", "a<!-- note\n -->b{{ if true }}<!--x-->c{{ end }}", "abc"),
]


@pytest.mark.parametrize(("text", "want"), [r[1:] for r in HTML_ROWS], ids=[r[0] for r in HTML_ROWS])
def test_html_mode(text: str, want: str) -> None:
    assert render(text, details_info("<a href='x'>\"A+B\" & co</a>"), html=True) == want


def test_text_mode_does_not_escape() -> None:
    message = "<a href='x'>\"A+B\" & co</a>"
    assert render("<!--c-->{{ .Message }}", details_info(message)) == "<!--c-->" + message


def test_json_not_available_without_kapacitor_funcs() -> None:
    with pytest.raises(TemplateError) as info:
        Template.parse("message", "{{ json . }}")
    assert str(info.value) == 'template: message:1: function "json" not defined'


class _Preencoded(Struct):
    """A struct that supplies its own JSON form, as a handler does for alert.Data."""

    __slots__ = ()

    def to_json(self) -> dict[str, object]:
        return {"z": {"b": 1, "a": 2}, "t": GoTime(0)}


def test_to_json_hook_output_keeps_its_order() -> None:
    assert render("{{ jsonCompact . }}", _Preencoded("x.Y")) == '{"z":{"b":1,"a":2},"t":"1970-01-01T00:00:00Z"}'


def test_struct_json_sorts_map_fields_only() -> None:
    data = Struct("x.Y", Z={"b": 1, "a": 2}, A=1)
    assert render("{{ jsonCompact . }}", data) == '{"Z":{"a":2,"b":1},"A":1}'

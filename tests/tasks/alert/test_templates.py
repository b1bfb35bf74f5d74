"""The id, message and details templates: their data, Go formatting and html escaping of the details."""

from __future__ import annotations

import pytest

from tocsin.alert.levels import Level
from tocsin.gotemplate import TemplateError
from tocsin.points import Point
from tocsin.tasks.alert.settings import DEFAULT_DETAILS, DEFAULT_ID, DEFAULT_MESSAGE
from tocsin.tasks.alert.templates import AlertTemplates, Rendered, ServerInfo
from tocsin.tasks.node import NodeError

from .helpers import SECOND, lam, make_node

SERVER = ServerInfo("host1", "c1", "s1")


def templates(
    id_text: str = DEFAULT_ID, message: str = DEFAULT_MESSAGE, details: str = DEFAULT_DETAILS
) -> AlertTemplates:
    return AlertTemplates(id_text, message, details, "cpu_alert", SERVER)


@pytest.mark.parametrize(
    ("text", "group", "tags", "expected"),
    [
        (DEFAULT_ID, "", {}, "cpu:nil"),
        (DEFAULT_ID, "host=a,dc=x", {"host": "a"}, "cpu:host=a,dc=x"),
        ('{{ .TaskName }}/{{ index .Tags "host" }}/{{ index .Tags "missing" }}.', "", {"host": "a"}, "cpu_alert/a/."),
        ("{{ .ServerInfo.Hostname }} {{ .ServerInfo.ClusterID }} {{ .ServerInfo.ServerID }}", "", {}, "host1 c1 s1"),
    ],
    ids=["default-nil", "default-group", "tags", "server-info"],
)
def test_render_id(text: str, group: str, tags: dict[str, str], expected: str) -> None:
    assert templates(text).render_id("cpu", group, tags) == expected


def test_message_prints_go_time_duration_and_floats() -> None:
    t = templates(
        message='{{ .ID }} {{ .Level }} at {{ .Time }} for {{ .Duration }}: {{ index .Fields "value" }} '
        '{{ index .Fields "big" }} {{ index .Fields "n" }} {{ index .Fields "nope" }}'
    )
    got = t.render(
        "cpu:nil",
        "cpu",
        "",
        {},
        {"value": 97.5, "big": 1234567.0, "n": 3},
        Level.WARNING,
        90 * SECOND + 5_000_000,
        90 * SECOND,
    )
    assert got.message == (
        "cpu:nil WARNING at 1970-01-01 00:01:30.005 +0000 UTC for 1m30s: 97.5 1.234567e+06 3 <no value>"
    )


def test_default_details_are_html_escaped_json_in_kapacitor_order() -> None:
    got = templates().render(
        "cpu:host=a&b",
        "cpu",
        "host=a&b",
        {"host": "a&b", "dc": "<x>"},
        {"value": 97.0, "ratio": 0.5, "s": "it's"},
        Level.CRITICAL,
        SECOND,
        0,
    )
    assert got == Rendered(
        "cpu:host=a&b is CRITICAL",
        "{&#34;Name&#34;:&#34;cpu&#34;,&#34;TaskName&#34;:&#34;cpu_alert&#34;,&#34;Group&#34;:&#34;host=a\\u0026b&#34;,"
        "&#34;Tags&#34;:{&#34;dc&#34;:&#34;\\u003cx\\u003e&#34;,&#34;host&#34;:&#34;a\\u0026b&#34;},"
        "&#34;ServerInfo&#34;:{&#34;Hostname&#34;:&#34;host1&#34;,&#34;ClusterID&#34;:&#34;c1&#34;,"
        "&#34;ServerID&#34;:&#34;s1&#34;},&#34;ID&#34;:&#34;cpu:host=a\\u0026b&#34;,"
        "&#34;Fields&#34;:{&#34;ratio&#34;:0.5,&#34;s&#34;:&#34;it&#39;s&#34;,&#34;value&#34;:97},"
        "&#34;Level&#34;:&#34;CRITICAL&#34;,&#34;Time&#34;:&#34;1970-01-01T00:00:01Z&#34;,&#34;Duration&#34;:0,"
        "&#34;Message&#34;:&#34;cpu:host=a\\u0026b is CRITICAL&#34;}\n",
    )


def test_details_escape_values_and_know_json_compact() -> None:
    t = templates(message="<b>{{ .Level }}</b>", details="<p>{{ .Message }}</p>{{ jsonCompact .Tags }}")
    got = t.render("id", "cpu", "", {"host": "a"}, {}, Level.OK, 0, 0)
    assert got == Rendered("<b>OK</b>", "<p>&lt;b&gt;OK&lt;/b&gt;</p>{&#34;host&#34;:&#34;a&#34;}")


@pytest.mark.parametrize(
    ("args", "message", "line", "column"),
    [
        (("{{ .Name ", DEFAULT_MESSAGE, DEFAULT_DETAILS), "template: id:1: unclosed action", 1, 10),
        ((DEFAULT_ID, "{{ if }}", DEFAULT_DETAILS), "template: message:1: missing value for if", 1, 7),
        (
            (DEFAULT_ID, DEFAULT_MESSAGE, "x\n{{ nojson . }}"),
            'template: details:2: function "nojson" not defined',
            2,
            4,
        ),
    ],
    ids=["id", "message", "details"],
)
def test_parse_errors_name_the_template(args: tuple[str, str, str], message: str, line: int, column: int) -> None:
    with pytest.raises(TemplateError) as info:
        templates(*args)
    assert (str(info.value), info.value.line, info.value.column) == (message, line, column)


def test_node_construction_rejects_bad_templates() -> None:
    with pytest.raises(TemplateError, match=r"^template: message:1: unclosed action$"):
        make_node({"message": ("{{ .ID ",)})


def test_execution_error_fails_the_item() -> None:
    node, rec = make_node({"crit": (lam('"value" > 80'),), "message": ("{{ .Nope }}",)})
    with pytest.raises(NodeError) as info:
        node.point(Point("cpu", {}, {"value": 90}, SECOND))
    assert str(info.value) == (
        'template: message:1:3: executing "message" at <.Nope>: can\'t evaluate field Nope in type '
        "kapacitor.messageInfo"
    )
    assert rec.events == []


def test_id_execution_error_fails_before_any_state_change() -> None:
    node, _ = make_node({"crit": (lam('"value" > 80'),), "id": ("{{ .Fields }}",)})
    with pytest.raises(NodeError, match=r"can't evaluate field Fields in type kapacitor.idInfo"):
        node.point(Point("cpu", {}, {"value": 90}, SECOND))
    assert node.cardinality() == 0

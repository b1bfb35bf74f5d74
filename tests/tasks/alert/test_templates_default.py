"""The default message and details are written directly: exactly what running the templates writes."""

from __future__ import annotations

from typing import Any

import pytest

from tocsin.alert.levels import Level
from tocsin.gotemplate import TemplateError
from tocsin.tasks.alert.settings import DEFAULT_DETAILS, DEFAULT_ID, DEFAULT_MESSAGE
from tocsin.tasks.alert.templates import AlertTemplates, ServerInfo

SERVER = ServerInfo("host<1>", "c&1", "s'1")
# The default message spelt differently: the message, and so the details, then run through the templates.
RUN_MESSAGE = "{{.ID}} is {{.Level}}"
T = 1_700_000_000_123_456_789

CASES: list[tuple[str, str, dict[str, str], dict[str, Any], Level, int, int]] = [
    ("cpu", "host=a", {"host": "a"}, {"value": 95.5}, Level.CRITICAL, T, 10_000_000_000),
    ("cpu", "", {}, {}, Level.OK, 0, 0),
    (
        'c"p<u>',
        "h=+&'",
        {"h": "+&'<>\"", "é": "ü\u2028"},
        {"s": "a<b>&c'\"+", "b": True, "i": -(2**63)},
        Level.WARNING,
        -1,
        1,
    ),
    (
        "cpu",
        "host=a",
        {"z": "1", "a": "2", "m": "3"},
        {"zero": 0.0, "neg": -0.0, "big": 1e21, "huge": 1.5e300, "tiny": 1e-7, "int_like": 3.0, "n": 7},
        Level.INFO,
        T,
        -5,
    ),
    ("cpu", "x", {"host": "a"}, {"v": 1.0, "nested": {"a": 1}, "none": None}, Level.CRITICAL, T, 0),
    ("cpu", "x", {"host": "a"}, {"v": 1.0, "flag": False, "text": "\x00\x1f"}, Level.CRITICAL, T, 0),
]


@pytest.mark.parametrize("case", CASES, ids=["plain", "no-group", "escaping", "floats", "other-values", "controls"])
def test_default_message_and_details_are_the_templates_output(case: tuple[Any, ...]) -> None:
    name, group, tags, fields, level, time, duration = case
    direct = AlertTemplates(DEFAULT_ID, DEFAULT_MESSAGE, DEFAULT_DETAILS, "cpu_alert", SERVER)
    run = AlertTemplates(DEFAULT_ID, RUN_MESSAGE, DEFAULT_DETAILS, "cpu_alert", SERVER)
    alert_id = direct.render_id(name, group, tags)
    expected = run.render(alert_id, name, group, tags, fields, level, time, duration)
    assert direct.render(alert_id, name, group, tags, fields, level, time, duration) == expected
    assert expected.message == f"{alert_id} is {level.name}"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")], ids=["nan", "inf", "-inf"])
def test_a_float_json_cannot_hold_fails_as_the_template_does(value: float) -> None:
    direct = AlertTemplates(DEFAULT_ID, DEFAULT_MESSAGE, DEFAULT_DETAILS, "t", SERVER)
    run = AlertTemplates(DEFAULT_ID, RUN_MESSAGE, DEFAULT_DETAILS, "t", SERVER)
    with pytest.raises(TemplateError) as ran:
        run.render("id", "cpu", "", {}, {"v": value}, Level.OK, T, 0)
    with pytest.raises(TemplateError) as wrote:
        direct.render("id", "cpu", "", {}, {"v": value}, Level.OK, T, 0)
    assert str(wrote.value) == str(ran.value)
    assert "json: unsupported value" in str(ran.value)


def test_a_custom_details_template_still_sees_the_default_message() -> None:
    t = AlertTemplates(DEFAULT_ID, DEFAULT_MESSAGE, "{{ .Message }}!", "t", SERVER)
    assert t.render("cpu:nil", "cpu", "", {}, {}, Level.WARNING, T, 0).details == "cpu:nil is WARNING!"

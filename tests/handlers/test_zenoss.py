"""The zenoss kind against Kapacitor's vectors, its severity map, templates, custom fields and service test."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.support.config import StaticConfig
from tests.support.http_matrix import Failure, assert_failure, assert_service_test_fails, assert_service_test_passes
from tests.support.sink import Answer, HttpSink
from tests.support.vectors import case, event_from_alert, substitute
from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.config.convert import coerce
from tocsin.config.effective import Config
from tocsin.config.loader import load_text
from tocsin.config.overrides import Overrides
from tocsin.config.registry import with_core
from tocsin.config.view import section_document
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers import zenoss
from tocsin.handlers.options import normalize
from tocsin.handlers.requests import HttpRequest
from tocsin.handlers.zenoss_config import INVALID_SEVERITY_MAP, MISSING_URL, SECTION, validate
from tocsin.transports import Transports

# The TICKscripts of the stream vectors set these handler properties (`.zenoss()` sets summary first).
STREAM_OPTIONS: dict[str, dict[str, Any]] = {
    "stream/zenoss": {"summary": "{{ .Message }}", "device": "#DEVICE001", "component": "CPU", "eventClass": "/App"},
    "stream/zenoss-custom": {
        "summary": "{{ .Message }}",
        "action": "ScriptsRouter",
        "method": "kapa_handler",
        "eventClass": "/App",
        "message": "This is message for alert {{ .ID }}",
        "collector": '{{ index .Tags "host" }}',
        "customField": {
            "data": '{"id":"{{.ID}}","message":"{{.Message}}","time":"{{.Time}}","duration":"{{ .Duration}}",'
            '"level":"{{.Level}}","recoverable":{{.Recoverable}}}',
            "ticks": 33,
        },
    },
}
PASSWORD = "PLANTEDpassword"


def from_toml_names(values: dict[str, Any]) -> dict[str, Any]:
    """A vector's [zenoss] values as the loader converts them (severity-map keys as the API names them)."""
    out = dict(values)
    if "severity-map" in out:
        field = SECTION.field_map["severity-map"]
        out["severity-map"] = coerce(field, out["severity-map"], field.zero(), "toml")
    return out


def config(**values: Any) -> StaticConfig:
    return StaticConfig({"zenoss": {"enabled": True, "url": "http://h/r", **values}}, sections=[SECTION])


def event(level: Level = Level.CRITICAL, **fields: Any) -> Event:
    base = {"topic": "t", "id": "cpu", "level": level, "time": 0, "message": "cpu is hot", "name": "cpu"}
    return Event(**{**base, **fields})


def sent(options: dict[str, Any], cfg: StaticConfig | None = None, alert: Event | None = None) -> Any:
    cfg = cfg or config()
    request = zenoss.render(alert or event(), normalize(zenoss.KIND, options, cfg), cfg)
    return json.loads(request.body)


@pytest.mark.parametrize("case_id", ["server/zenoss", "stream/zenoss", "stream/zenoss-custom"])
async def test_vectors(case_id: str, sink: HttpSink, transports: Transports) -> None:
    vector = substitute(case(case_id), {"<server>": sink.url})
    cfg = StaticConfig({"zenoss": from_toml_names(vector["config"]["zenoss"])}, sections=[SECTION])
    options = normalize(zenoss.KIND, STREAM_OPTIONS.get(case_id, vector.get("options")), cfg)
    await transports.send(zenoss.render(event_from_alert(vector["alert"]), options, cfg), 5)
    (got,) = await sink.wait_for(1)
    (want,) = vector["exact"]
    assert (got.method, got.path) == (want["method"], want["path"])
    assert got.body == want["body"].encode()
    assert got.header_values("Content-Type") == ["application/json"]
    assert got.header("Authorization") is None


@pytest.mark.parametrize(
    ("level", "named", "numbered"),
    [(Level.OK, "Clear", 0), (Level.INFO, "Info", 2), (Level.WARNING, "Warning", 3), (Level.CRITICAL, "Critical", 5)],
    ids=["OK", "INFO", "WARNING", "CRITICAL"],
)
def test_levels(level: Level, named: str, numbered: int) -> None:
    numbers = {"ok": 0, "info": 2, "warning": 3, "critical": 5}
    assert sent({}, alert=event(level))["data"][0]["severity"] == named
    assert sent({}, config(**{"severity-map": numbers}), event(level))["data"][0]["severity"] == numbered


def test_defaults_and_fallbacks() -> None:
    assert sent({}) == {
        "action": "EventsRouter",
        "method": "add_event",
        "type": "rpc",
        "tid": 1,
        "data": [
            {
                "collector": "Kapacitor",
                "component": "",
                "device": "",
                "evclass": "",
                "evclasskey": "",
                "severity": "Critical",
                "summary": "cpu is hot",
            }
        ],
    }
    body = sent({"action": "A", "method": "M", "type": "T", "Tid": 9, "Collector": "c", "eventclasskey": "k"})
    assert (body["action"], body["method"], body["type"], body["tid"]) == ("A", "M", "T", 9)
    assert (body["data"][0]["collector"], body["data"][0]["evclasskey"]) == ("c", "k")
    assert "collector" not in sent({}, config(collector=""))["data"][0]


def test_cutoffs() -> None:
    data = sent({"summary": "s" * 300, "message": "x" + "é" * 2048})["data"][0]
    assert data["summary"] == "s" * 256
    assert data["message"] == "x" + "é" * 2047 + "\ufffd"


def test_templates_see_zenoss_data() -> None:
    alert = event(
        Level.WARNING,
        duration=90_000_000_000,
        time=10_500_000_000,
        details="d",
        task_name="task",
        tags={"host": "a"},
        recoverable=False,
    )
    template = "{{.Name}}|{{.TaskName}}|{{.ID}}|{{.Level}}|{{.Time}}|{{.Duration}}|{{.Details}}|{{.Recoverable}}|"
    device = sent({"device": template + '{{index .Tags "host"}}'}, alert=alert)["data"][0]["device"]
    assert device == "cpu|task|cpu|WARNING|1970-01-01 00:00:10.5 +0000 UTC|1m30s|d|false|a"


def test_execution_error_keeps_partial_output() -> None:
    assert sent({"device": "before {{ .Fields }} after"})["data"][0]["device"] == "before "


def test_parse_error_fails_the_event() -> None:
    cfg = config()
    with pytest.raises(DeliveryError) as info:
        zenoss.render(event(), normalize(zenoss.KIND, {"component": "{{ .ID "}, cfg), cfg)
    assert str(info.value) == "template: component:1: unclosed action"
    assert (info.value.reason, info.value.retryable) == (Reason.CONFIG, False)


def test_custom_fields() -> None:
    custom = {
        "summary": "over {{ .ID }}",
        "list": '[1, 2.5, {"b": 1, "a": true}]',
        "broken": "{not json",
        "nan": "[NaN]",
        "typed": {"z": 1, "y": [False, None]},
        "number": 1.5,
    }
    data = sent({"customField": custom})["data"][0]
    assert data["summary"] == "over cpu"
    assert (data["list"], data["broken"], data["nan"]) == ([1, 2.5, {"a": True, "b": 1}], "{not json", "[NaN]")
    assert (data["typed"], data["number"]) == ({"y": [False, None], "z": 1}, 1.5)
    cfg = config()
    raw = zenoss.render(event(), normalize(zenoss.KIND, {"customField": custom}, cfg), cfg).body
    assert b'"list":[1,2.5,{"a":true,"b":1}]' in raw and b'"typed":{"y":[false,null],"z":1}' in raw


@pytest.mark.parametrize(
    ("values", "header"),
    [
        ({"username": "u", "password": PASSWORD}, "Basic " + base64.b64encode(f"u:{PASSWORD}".encode()).decode()),
        ({"username": "u"}, None),
    ],
    ids=["both", "username-only"],
)
def test_basic_auth(values: dict[str, str], header: str | None) -> None:
    cfg = config(**values)
    request = zenoss.render(event(), normalize(zenoss.KIND, {}, cfg), cfg)
    assert dict(request.headers).get("Authorization") == header
    assert request.headers[0] == ("Content-Type", "application/json")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"enabled": True, "url": ""}, MISSING_URL),
        (
            {"severity-map": {"ok": "Clear", "info": "Info", "warning": None, "critical": "Critical"}},
            INVALID_SEVERITY_MAP,
        ),
        ({"enabled": True}, None),
        ({"url": ""}, 'invalid url "": parse "": empty url'),
        ({"url": "zport/router"}, 'invalid url "zport/router": parse "zport/router": invalid URI for request'),
        (
            {"url": "http://h/\x01"},
            'invalid url "http://h/\\x01": parse "http://h/\\x01": net/url: invalid control character in URL',
        ),
    ],
    ids=["no-url", "severity-missing", "valid", "empty-url", "relative-url", "control-character"],
)
def test_section_validation(values: dict[str, Any], message: str | None) -> None:
    assert validate({**SECTION.defaults(), **values}) == message


def test_severity_map_in_kapacitor_conf_and_config_api() -> None:
    sections = with_core(SECTION)
    text = "[zenoss]\n  enabled = true\n  [zenoss.severity-map]\n    OK = 0\n    critical = 5\n"
    cfg = Config.build(load_text(text, "k.conf", environ={}, sections=sections), Overrides(), sections=sections)
    assert (cfg.element("zenoss") or {})["severity-map"] == {
        "ok": 0,
        "info": "Info",
        "warning": "Warning",
        "critical": 5,
    }
    options = section_document(cfg, "zenoss")["elements"][0]["options"]
    assert options["severity-map"] == {"ok": 0, "info": "Info", "warning": "Warning", "critical": 5}
    assert options["password"] is False


def test_disabled_service() -> None:
    cfg = config(enabled=False)
    with pytest.raises(DeliveryError) as info:
        zenoss.render(event(), normalize(zenoss.KIND, {}, cfg), cfg)
    assert (str(info.value), info.value.reason, info.value.retryable) == (
        "service is not enabled",
        Reason.CONFIG,
        False,
    )


async def test_service_test(sink: HttpSink, transports: Transports) -> None:
    assert dict(zenoss.SERVICE_TEST.defaults) == {
        "alert_id": "1001",
        "level": "CRITICAL",
        "message": "test zenoss message",
        "action": "EventsRouter",
        "method": "add_event",
        "type": "rpc",
        "tid": 1,
        "summary": "",
        "device": "",
        "component": "",
        "eventclasskey": "",
        "eventclass": "",
        "collector": "Kapacitor",
        "custom_fields": {},
    }
    cfg = config(url=sink.url + "/zport", action="ScriptsRouter", collector="")
    posted = {"device": "{{ .ID }} at {{ .Time }}", "eventclass": "/Test", "custom_fields": {"n": 1}}
    (got,) = await assert_service_test_passes(zenoss.SERVICE_TEST, cfg, transports, sink, posted)
    assert got.path == "/zport"
    assert got.body == (
        b'{"action":"ScriptsRouter","method":"add_event","data":[{"component":"",'
        b'"device":"1001 at 0001-01-01 00:00:00 +0000 UTC","evclass":"/Test","evclasskey":"","n":1,'
        b'"severity":"Critical","summary":"test zenoss message"}],"type":"rpc","tid":1}'
    )
    _, other = await assert_service_test_passes(zenoss.SERVICE_TEST, cfg, transports, sink, {"action": "Other"})
    assert other.json()["action"] == "Other"


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (Answer(500, body=b"boom"), "failed to understand Zenoss response. code: 500 content: boom"),
        (Answer(400, body=b'{"error": "no such router"}'), "no such router"),
    ],
    ids=["text-body", "json-error-body"],
)
async def test_service_test_failure(answer: Answer, message: str, sink: HttpSink, transports: Transports) -> None:
    sink.answer(answer)
    cfg = config(url=sink.url, username="u", password=PASSWORD)
    await assert_service_test_fails(zenoss.SERVICE_TEST, None, cfg, transports, message, secrets=[PASSWORD])


def request_with_password(url: str) -> HttpRequest:
    cfg = config(url=url.replace("://", f"://u:{PASSWORD}@") + "/r")
    return zenoss.render(event(), normalize(zenoss.KIND, {}, cfg), cfg)


@pytest.mark.parametrize(
    "failure",
    Failure.cases(
        Failure.refused(
            Answer(401, body=b"denied"),
            Reason.AUTH_ERROR,
            message="failed to understand Zenoss response. code: 401 content: denied",
        ),
        Failure.throttled(
            Answer(429, headers=(("Retry-After", "4"),), body=b"later"),
            4.0,
            message="failed to understand Zenoss response. code: 429 content: later",
        ),
        Failure.failing(
            Answer(503, body=b"maintenance"),
            message="failed to understand Zenoss response. code: 503 content: maintenance",
        ),
        Failure.refused(
            Answer(201, body=b"created"),
            Reason.OTHER,
            name="not-200",
            message="failed to understand Zenoss response. code: 201 content: created",
        ),
    ),
)
async def test_failures_are_classified(failure: Failure, sink: HttpSink, transports: Transports) -> None:
    await assert_failure(failure, request_with_password, sink, transports, secrets=[PASSWORD])


async def test_hang_is_a_timeout_without_the_password(sink: HttpSink, transports: Transports) -> None:
    error = await assert_failure(Failure.hang(), request_with_password, sink, transports, secrets=[PASSWORD])
    assert str(error) == f"POST {sink.url.replace('://', '://u:xxxxx@')}/r: no answer within 0.2s"

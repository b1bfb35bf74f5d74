"""The alerta kind against Kapacitor's vectors, every level, its templates, service test and failure classes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.config import StaticConfig
from tests.support.http_matrix import (
    Failure,
    assert_failure,
    assert_received_as_vector,
    assert_service_test_fails,
    assert_service_test_passes,
)
from tests.support.sink import Answer, HttpSink
from tests.support.vectors import case, event_from_alert, substitute
from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers import alerta
from tocsin.handlers.alerta_config import SECTION
from tocsin.handlers.options import OptionsError, normalize
from tocsin.handlers.requests import HttpRequest
from tocsin.transports import Transports

# The TICKscript of stream/alerta sets these two handlers (`.timeout(1h)`, `.attribute('attributeC', 9001.0)`).
STREAM_OPTIONS: list[dict[str, Any]] = [
    {"token": "testtoken1234567", "environment": "production", "timeout": 3_600_000_000_000},
    {
        "token": "anothertesttoken",
        "resource": 'resource: {{ index .Tags "host" }}',
        "event": "event: {{ .TaskName }}",
        "environment": '{{ index .Tags "host" }}',
        "origin": "override",
        "group": "{{ .ID }}",
        "value": '{{ index .Fields "count" }}',
        "service": ["serviceA", "serviceB", "{{ .Name }}"],
        "correlate": ["{{ .Name }}"],
        "attributes": {"attributeA": "{{ .Name }}", "attributeB": True, "attributeC": 9001.0},
    },
]
TOKEN = "SECRETtoken42"
EVENT = Event(
    topic="t",
    id="cpu:host=a",
    level=Level.CRITICAL,
    time=31_536_010_000_000_000,
    message="cpu is high",
    name="cpu",
    task_name="task",
    group="host=a",
    tags={"zone": "eu", "host": "a", "a-b": "c"},
    fields={"count": 10.5},
)


def config(values: dict[str, Any]) -> StaticConfig:
    return StaticConfig(values, sections=[SECTION])


def enabled(url: str, **more: Any) -> StaticConfig:
    return config({"alerta": {"enabled": True, "url": url, "token": TOKEN, **more}})


def body_of(request: Any) -> Any:
    assert request.body.endswith(b"\n")
    return json.loads(request.body)


@pytest.mark.parametrize("case_id", ["server/alerta", "stream/alerta"])
async def test_vectors(case_id: str, sink: HttpSink, transports: Transports) -> None:
    sink.set_default(201)
    vector = substitute(case(case_id), {"<server>": sink.url})
    cfg = config(vector["config"])
    event = event_from_alert(vector["alert"])
    for raw in STREAM_OPTIONS if case_id == "stream/alerta" else [vector["options"]]:
        request = alerta.render(event, normalize(alerta.KIND, raw, cfg), cfg)
        await transports.send(request, 5)
    got = await sink.wait_for(len(vector["exact"]))
    assert_received_as_vector(got, vector["exact"])


@pytest.mark.parametrize(
    ("level", "severity"),
    [(Level.OK, "ok"), (Level.INFO, "informational"), (Level.WARNING, "warning"), (Level.CRITICAL, "critical")],
    ids=["OK", "INFO", "WARNING", "CRITICAL"],
)
def test_levels(level: Level, severity: str) -> None:
    cfg = enabled("http://alerta.example/api", environment="prod", origin="kapacitor")
    event = Event(topic="t", id="cpu", level=level, time=0, message="cpu <&>", name="cpu", tags={"host": "a"})
    req = alerta.render(event, normalize(alerta.KIND, {}, cfg), cfg)
    assert req.url == "http://alerta.example/api/alert"
    assert req.body == (
        b'{"correlate":["cpu"],"environment":"prod","event":"cpu","group":"","origin":"kapacitor",'
        b'"rawData":{"series":null},"resource":"cpu","service":["cpu"],"severity":"' + severity.encode() + b'",'
        b'"tags":["host=a"],"text":"cpu \\u003c\\u0026\\u003e","timeout":86400,"value":""}\n'
    )
    assert req.headers == (("Authorization", f"Bearer {TOKEN}"), ("Content-Type", "application/json"))
    assert req.success(201) and not req.success(200)


def test_templates_tags_and_attributes() -> None:
    cfg = enabled("http://alerta.example/api/", environment="prod")
    options = normalize(
        alerta.KIND,
        {
            "resource": '{{ .Name }}/{{ index .Tags "host" }}',
            "event": "{{ .ID }} of {{ .TaskName }} ({{ .Group }})",
            "environment": '{{ if eq .Level "CRITICAL" }}{{ end }}',
            "group": "{{ .Level }}",
            "value": '{{ index .Fields "count" }} after {{ .Duration }}',
            "service": ["{{ .Message }}"],
            "attributes": {"time": "{{ .Time }}", "nested": {"b": 1, "a": [True, None]}, "n": 0.5},
            "timeout": 1_999_999_999,
            "token-prefix": "Key",
            "token": "handler-token",
        },
        cfg,
    )
    req = alerta.render(EVENT, options, cfg)
    assert req.url == "http://alerta.example/api/alert"
    assert req.headers[0] == ("Authorization", "Key handler-token")
    assert body_of(req) == {
        "attributes": {"n": 0.5, "nested": {"a": [True, None], "b": 1}, "time": "1971-01-01 00:00:10 +0000 UTC"},
        "correlate": ["cpu"],
        "environment": "prod",
        "event": "cpu:host=a of task (host=a)",
        "group": "CRITICAL",
        "origin": "",
        "rawData": {"series": None},
        "resource": "cpu/a",
        "service": ["cpu is high"],
        "severity": "critical",
        "tags": ["a-b=c", "host=a", "zone=eu"],
        "text": "cpu is high",
        "timeout": 1,
        "value": "10.5 after 0s",
    }
    assert b'"attributes":{"n":0.5,"nested":{"a":[true,null],"b":1},"time"' in req.body


def test_event_template_sees_only_five_fields() -> None:
    cfg = enabled("http://h")
    options = normalize(alerta.KIND, {"event": "{{ .Message }}"}, cfg)
    with pytest.raises(DeliveryError) as info:
        alerta.render(EVENT, options, cfg)
    assert str(info.value) == (
        'template: event:1:3: executing "event" at <.Message>: can\'t evaluate field Message in type alerta.eventData'
    )
    assert (info.value.reason, info.value.retryable) == (Reason.CONFIG, False)


def test_unparsable_template_is_refused_at_definition() -> None:
    with pytest.raises(OptionsError) as info:
        normalize(alerta.KIND, {"correlate": ["ok", "{{ .Name "]}, enabled("http://h"))
    assert str(info.value) == "template: correlate:1: unclosed action"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"resource": ""}, "Resource and Event are required to send an alert"),
        ({"event": '{{ index .Tags "none" }}'}, "Resource and Event are required to send an alert"),
    ],
    ids=["empty-resource", "event-renders-empty"],
)
def test_resource_and_event_are_required(options: dict[str, Any], message: str) -> None:
    cfg = enabled("http://h")
    with pytest.raises(DeliveryError) as info:
        alerta.render(EVENT, normalize(alerta.KIND, options, cfg), cfg)
    assert (str(info.value), info.value.reason, info.value.retryable) == (message, Reason.CONFIG, False)


def test_disabled_service_is_a_config_error() -> None:
    cfg = config({"alerta": {"url": "http://h"}})
    with pytest.raises(DeliveryError) as info:
        alerta.render(EVENT, normalize(alerta.KIND, {}, cfg), cfg)
    assert (str(info.value), info.value.reason, info.value.retryable) == (
        "service is not enabled",
        Reason.CONFIG,
        False,
    )


@pytest.mark.parametrize(
    ("values", "problem"),
    [({"enabled": True}, "must specify url"), ({"enabled": True, "url": "http://h"}, None), ({}, None)],
    ids=["enabled-without-url", "valid", "disabled"],
)
def test_section_validation(values: dict[str, Any], problem: str | None) -> None:
    assert SECTION.validate is not None
    assert SECTION.validate({**SECTION.defaults(), **values}) == problem


def test_service_test_defaults() -> None:
    assert dict(alerta.SERVICE_TEST.defaults) == {
        "resource": "testResource",
        "event": "testEvent",
        "environment": "",
        "severity": "critical",
        "group": "testGroup",
        "value": "testValue",
        "message": "test alerta message",
        "origin": "",
        "service": ["testServiceA", "testServiceB"],
        "correlate": ["testServiceX", "testServiceY"],
        "attributes": {"testAttributeA": "A", "testAttributeB": True, "testAttributeC": 9001},
        "timeout": "24h0m0s",
    }


async def test_service_test(sink: HttpSink, transports: Transports) -> None:
    sink.set_default(201)
    cfg = enabled(sink.url, environment="env", origin="kapacitor", **{"token-prefix": "Key"})
    posted = {"resource": "r2", "timeout": "bogus", "service": None, "severity": "major"}
    first, second = await assert_service_test_passes(alerta.SERVICE_TEST, cfg, transports, sink, None, posted)
    assert first.path == "/alert"
    assert first.header("Authorization") == f"Key {TOKEN}"
    assert first.body == (
        b'{"attributes":{"testAttributeA":"A","testAttributeB":true,"testAttributeC":9001},'
        b'"correlate":["testServiceX","testServiceY"],"environment":"env","event":"testEvent","group":"testGroup",'
        b'"origin":"kapacitor","rawData":{"series":null},"resource":"testResource",'
        b'"service":["testServiceA","testServiceB"],"severity":"critical","tags":[],"text":"test alerta message",'
        b'"timeout":86400,"value":"testValue"}\n'
    )
    assert {k: v for k, v in second.json().items() if k in ("resource", "timeout", "severity")} == {
        "resource": "r2",
        "timeout": 0,
        "severity": "major",
    }
    assert "service" not in second.json()


async def test_service_test_failure_names_status_and_error_without_the_token(
    sink: HttpSink, transports: Transports
) -> None:
    sink.answer(Answer(400, body=b'{"status":"error","message":"Invalid severity"}'))
    message = f'HTTP 400 from {sink.url}/alert: {{"status":"error","message":"Invalid severity"}}'
    await assert_service_test_fails(alerta.SERVICE_TEST, None, enabled(sink.url), transports, message, secrets=[TOKEN])


async def test_service_test_when_disabled(transports: Transports) -> None:
    cfg = config({"alerta": {"url": "http://h"}})
    await assert_service_test_fails(alerta.SERVICE_TEST, None, cfg, transports, "service is not enabled")


def event_request(url: str) -> HttpRequest:
    cfg = enabled(url)
    return alerta.render(EVENT, normalize(alerta.KIND, {}, cfg), cfg)


@pytest.mark.parametrize(
    "failure",
    Failure.cases(
        Failure.refused(Answer(403, body=b'{"message":"forbidden"}'), Reason.AUTH_ERROR),
        Failure.throttled(Answer(429, headers=(("Retry-After", "12"),)), 12.0),
        Failure.failing(Answer(500, body=b'{"message":"db down"}')),
        Failure.refused(Answer(200), Reason.OTHER, name="200-is-not-created"),
        Failure.hang(),
    ),
)
async def test_failures_are_classified(failure: Failure, sink: HttpSink, transports: Transports) -> None:
    await assert_failure(failure, event_request, sink, transports, secrets=[TOKEN])

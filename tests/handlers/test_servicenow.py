"""The servicenow kind against Kapacitor's vectors, every level, templates, cut-offs and its service test."""

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
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers import servicenow
from tocsin.handlers.options import OptionsError, normalize
from tocsin.handlers.requests import HttpRequest
from tocsin.handlers.servicenow_config import DEFAULT_URL, SECTION
from tocsin.transports import Transports

# The TICKscript of stream/servicenow sets a plain handler and a templated one; the vector lists the
# templated request first (upstream compares ignoring order), so the options follow its order.
STREAM_OPTIONS: list[dict[str, Any]] = [
    {
        "node": '{{ index .Tags "host" }}',
        "type": "CPU",
        "resource": "CPU-Total",
        "metricName": '{{ index .Tags "type" }}',
        "messageKey": "Alert: {{ .ID }}",
        "additional_info": {"link": "http://push/alert?id={{ .ID }}", "ticks": 666},
    },
    {},
]
PASSWORD = "PLANTEDsecret"


def config(**values: Any) -> StaticConfig:
    return StaticConfig({"servicenow": {"enabled": True, "source": "Kapacitor", **values}}, sections=[SECTION])


def event(level: Level = Level.CRITICAL, message: str = "m", **more: Any) -> Event:
    return Event(topic="t", id="a", level=level, time=0, message=message, **more)


def record(req: HttpRequest) -> dict[str, Any]:
    (only,) = json.loads(req.body)["records"]
    assert isinstance(only, dict)
    return only


@pytest.mark.parametrize("case_id", ["server/servicenow", "stream/servicenow"])
async def test_vectors(case_id: str, sink: HttpSink, transports: Transports) -> None:
    vector = substitute(case(case_id), {"<server>": sink.url})
    cfg = StaticConfig(vector["config"], sections=[SECTION])
    alert = event_from_alert(vector["alert"])
    for raw in STREAM_OPTIONS if case_id == "stream/servicenow" else [vector["options"]]:
        await transports.send(servicenow.render(alert, normalize(servicenow.KIND, raw, cfg), cfg), 5)
    got = await sink.wait_for(len(vector["exact"]))
    for received, want in zip(got, vector["exact"], strict=True):
        assert (received.method, received.path, received.query_string) == (want["method"], want["path"], "")
        assert received.body == want["body"].encode()
        assert received.header_values("Content-Type") == ["application/json"]
        assert received.header("Authorization") is None


@pytest.mark.parametrize(
    ("level", "severity"),
    [(Level.OK, "5"), (Level.INFO, "5"), (Level.WARNING, "4"), (Level.CRITICAL, "1")],
    ids=["OK", "INFO", "WARNING", "CRITICAL"],
)
def test_level_severity(level: Level, severity: str) -> None:
    cfg = config()
    req = servicenow.render(event(level), normalize(servicenow.KIND, {}, cfg), cfg)
    assert (
        req.body
        == (
            '{"records":[{"source":"Kapacitor","message_key":"a","severity":"' + severity + '","description":"m"}]}'
        ).encode()
    )
    assert (req.method, req.url) == ("POST", DEFAULT_URL)


def test_basic_auth_needs_both_username_and_password() -> None:
    event_options = normalize(servicenow.KIND, {"username": "ignored", "password": "ignored"})
    with_both = servicenow.render(event(), event_options, config(username="u", password=PASSWORD))
    token = base64.b64encode(f"u:{PASSWORD}".encode()).decode()
    assert with_both.headers == (("Content-Type", "application/json"), ("Authorization", f"Basic {token}"))
    only_user = servicenow.render(event(), event_options, config(username="u"))
    assert only_user.headers == (("Content-Type", "application/json"),)


def test_handler_url_and_source_override_the_section() -> None:
    cfg = config()
    options = normalize(servicenow.KIND, {"URL": "https://u:p@other.example/api", "source": "{{ .ID }}"}, cfg)
    req = servicenow.render(event(), options, cfg)
    assert (req.url, req.redacted_url) == ("https://u:p@other.example/api", "https://u:xxxxx@other.example/api")
    assert record(req)["source"] == "{{ .ID }}"  # url and source are not templates


def test_option_keys_are_go_field_names() -> None:
    options = normalize(servicenow.KIND, {"metricname": "m", "MESSAGEKEY": "k", "Node": "n", "additional_info": {}})
    assert (options["metricName"], options["messageKey"], options["node"]) == ("m", "k", "n")
    with pytest.raises(OptionsError) as caught:
        normalize(servicenow.KIND, {"metric_name": "m", "message_key": "k"})
    assert str(caught.value) == (
        "failed to decode options into *servicenow.HandlerConfig: 1 error(s) decoding:\n\n"
        "* '' has invalid keys: message_key, metric_name"
    )


def test_templates_see_id_name_taskname_fields_and_tags() -> None:
    cfg = config()
    raw = {
        "node": "{{ .Name }}/{{ .TaskName }}",
        "type": '{{ index .Fields "value" }}',
        "resource": '{{ index .Tags "missing" }}|{{ .Tags.host }}',
        "metricName": "{{ .ID }}",
        "additional_info": {"b": True, "a": 1234567, "c": [1, "x"], "d": None, "e": 0.5, "f": "<{{ .ID }}>"},
    }
    req = servicenow.render(
        event(name="cpu", task_name="task", fields={"value": 1e6}, tags={"host": "h"}),
        normalize(servicenow.KIND, raw, cfg),
        cfg,
    )
    assert req.body == (
        b'{"records":[{"source":"Kapacitor","node":"cpu/task","type":"1e+06","resource":"|h","metric_name":"a",'
        b'"message_key":"a","severity":"1","description":"m","additional_info":"{\\"a\\":\\"1.234567e+06\\",'
        b'\\"b\\":\\"true\\",\\"c\\":\\"[1 x]\\",\\"d\\":\\"\\\\u003cnil\\\\u003e\\",\\"e\\":\\"0.5\\",'
        b'\\"f\\":\\"\\\\u003ca\\\\u003e\\"}"}]}'
    )


def test_template_execution_errors_keep_the_text_written_before_them() -> None:
    cfg = config()
    options = normalize(servicenow.KIND, {"node": "host-{{ .Nope }}-end", "messageKey": "{{ .Nope }}"}, cfg)
    assert record(servicenow.render(event(), options, cfg)) == {
        "source": "Kapacitor",
        "node": "host-",
        "message_key": "a",
        "severity": "1",
        "description": "m",
    }


def test_template_parse_errors_fail_the_delivery() -> None:
    cfg = config()
    options = normalize(servicenow.KIND, {"additional_info": {"k": "{{ .ID"}}, cfg)
    with pytest.raises(DeliveryError) as caught:
        servicenow.render(event(), options, cfg)
    assert (str(caught.value), caught.value.reason, caught.value.retryable) == (
        "template: additional_info.k:1: unclosed action",
        Reason.CONFIG,
        False,
    )


def test_fields_are_cut_at_kapacitors_byte_limits() -> None:
    cfg = config(source="s" * 120)
    options = normalize(servicenow.KIND, {"node": "n" * 99 + "\u00e9", "type": "t" * 98 + "\u20ac"}, cfg)
    long_event = Event(topic="t", id="k" * 1100, level=Level.CRITICAL, time=0, message="d" * 4001)
    req = servicenow.render(long_event, options, cfg)
    text = req.body.decode()
    assert f'"source":"{"s" * 100}"' in text
    assert f'"node":"{"n" * 99}\\ufffd"' in text
    assert f'"type":"{"t" * 98}\\ufffd\\ufffd"' in text
    assert f'"message_key":"{"k" * 1024}"' in text
    assert f'"description":"{"d" * 4000}"' in text


def test_disabled_service_and_section_checks() -> None:
    cfg = StaticConfig({"servicenow": {"enabled": False}}, sections=[SECTION])
    with pytest.raises(DeliveryError) as caught:
        servicenow.render(event(), normalize(servicenow.KIND, {}, cfg), cfg)
    assert (str(caught.value), caught.value.reason) == ("service is not enabled", Reason.CONFIG)
    assert SECTION.defaults() == {
        "enabled": False,
        "url": DEFAULT_URL,
        "source": "",
        "username": "",
        "password": "",
        "global": False,
        "state-changes-only": False,
    }
    assert SECTION.secrets == ("password",)
    assert SECTION.validate is not None
    assert SECTION.validate({**SECTION.defaults(), "enabled": True, "url": ""}) == "must specify events URL"
    assert SECTION.validate({**SECTION.defaults(), "enabled": True}) is None


def request_with_password(url: str) -> HttpRequest:
    cfg = config(url=url + "/api/global/em/jsonv2", username="admin", password=PASSWORD)
    return servicenow.render(event(), normalize(servicenow.KIND, {}, cfg), cfg)


@pytest.mark.parametrize(
    "failure",
    Failure.cases(
        Failure.refused(
            Answer(400, body=b'{"error":{"message":"bad"},"status":"failure"}'),
            message='HTTP 400 from {url}/api/global/em/jsonv2: {"error":{"message":"bad"},"status":"failure"}',
        ),
        Failure.refused(
            Answer(401, body=b'{"error":{"message":"User Not Authenticated"}}'),
            Reason.AUTH_ERROR,
            name="401",
            message='HTTP 401 from {url}/api/global/em/jsonv2: {"error":{"message":"User Not Authenticated"}}',
        ),
        Failure.throttled(
            Answer(429, headers=(("Retry-After", "3"),), body=b"slow down"),
            3.0,
            message="HTTP 429 from {url}/api/global/em/jsonv2: slow down",
        ),
        Failure.failing(
            Answer(503, body=b"maintenance"), message="HTTP 503 from {url}/api/global/em/jsonv2: maintenance"
        ),
        Failure.hang("POST {url}/api/global/em/jsonv2: no answer within 0.2s"),
    ),
)
async def test_failures_are_classified_without_the_password(
    failure: Failure, sink: HttpSink, transports: Transports
) -> None:
    await assert_failure(failure, request_with_password, sink, transports, secrets=[PASSWORD])


def test_service_test_defaults() -> None:
    assert dict(servicenow.SERVICE_TEST.defaults) == {
        "alert_id": "1001",
        "message": "test servicenow message",
        "level": "CRITICAL",
        "source": "Kapacitor",
        "node": "",
        "type": "",
        "resource": "",
        "metric_name": "",
        "message_key": "",
        "additional_info": {},
    }


async def test_service_test_success_and_failure(sink: HttpSink, transports: Transports) -> None:
    cfg = config(url=sink.url + "/em", source="")
    body = {"level": "OK", "metric_name": "{{ .ID }}", "additional_info": {"x": 1}, "source": ""}
    first, second = await assert_service_test_passes(servicenow.SERVICE_TEST, cfg, transports, sink, None, body)
    assert first.body == (
        b'{"records":[{"source":"Kapacitor","message_key":"1001","severity":"1",'
        b'"description":"test servicenow message"}]}'
    )
    assert second.json() == {
        "records": [
            {
                "source": "",
                "metric_name": "1001",
                "message_key": "1001",
                "severity": "5",
                "description": "test servicenow message",
                "additional_info": '{"x":"1"}',
            }
        ]
    }
    sink.answer(Answer(500, body=b"instance asleep"))
    message = f"HTTP 500 from {sink.url}/em: instance asleep"
    await assert_service_test_fails(servicenow.SERVICE_TEST, None, cfg, transports, message)


async def test_service_test_on_a_disabled_service(transports: Transports) -> None:
    cfg = StaticConfig(sections=[SECTION])
    await assert_service_test_fails(servicenow.SERVICE_TEST, None, cfg, transports, "service is not enabled")

"""The bigpanda kind against Kapacitor's vectors (incl. its unit tests), every level, service test, failures."""

from __future__ import annotations

import time
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
from tests.support.vectors import case, event_from_alert, handler_cases, substitute
from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.gocompat.timefmt import parse_rfc3339
from tocsin.handlers import bigpanda
from tocsin.handlers.bigpanda_config import SECTION
from tocsin.handlers.options import OptionsError, normalize
from tocsin.handlers.requests import HttpRequest
from tocsin.handlers.service_tests import merge_test_options
from tocsin.transports import Transports

# The TICKscript of stream/bigpanda sets these three handlers.
STREAM_OPTIONS: list[dict[str, Any]] = [
    {"app-key": "111111", "host": "{{.Tags.host}}", "primary-property": "host"},
    {"app-key": "222222", "host": "serverA-1", "secondary-property": "application"},
    {
        "attributes": {
            "x_host": "{{.Tags.host}}",
            "x_duration": "{{.Duration}}",
            "x_detail": "{{.Details}}",
            "x_value": "{{.Fields.count}}",
        }
    },
]
UNIT_CASES = sorted(i for i in handler_cases() if i.startswith("unit/bigpanda/"))
TOKEN = "SECRETtoken42"


def config(values: dict[str, Any]) -> StaticConfig:
    return StaticConfig(values, sections=[SECTION])


def enabled(**more: Any) -> StaticConfig:
    return config({"bigpanda": {"enabled": True, "app-key": "app", "token": TOKEN, **more}})


def unit_event(inputs: dict[str, Any]) -> Event:
    """The event of upstream's preparePost cases (named in each case's options key)."""
    return Event(
        topic="",
        id="id",
        level=Level.OK,
        time=parse_rfc3339("1971-01-01T00:00:38Z"),
        message="message",
        details="details",
        name="test",
        tags=dict(inputs["tags"] or {}),
        fields=dict(inputs["fields"] or {}),
    )


@pytest.mark.parametrize("case_id", ["server/bigpanda", "stream/bigpanda"])
async def test_vectors(case_id: str, sink: HttpSink, transports: Transports) -> None:
    sink.set_default(201)
    vector = substitute(case(case_id), {"<server>": sink.url})
    cfg = config(vector["config"])
    event = event_from_alert(vector["alert"])
    for raw in STREAM_OPTIONS if case_id == "stream/bigpanda" else [vector["options"]]:
        await transports.send(bigpanda.render(event, normalize(bigpanda.KIND, raw, cfg), cfg), 5)
    got = await sink.wait_for(len(vector["exact"]))
    assert_received_as_vector(got, vector["exact"])


@pytest.mark.parametrize("case_id", UNIT_CASES)
async def test_unit_vectors(case_id: str, sink: HttpSink, transports: Transports) -> None:
    vector = case(case_id)
    ((call, inputs),) = vector["options"].items()
    assert call.startswith("preparePost(id='id', message='message', details='details', level=OK,")
    section = {**SECTION.defaults(), "enabled": True, **vector["config"]}
    body = bigpanda.payload(unit_event(inputs), {}, section, inputs["attrs"])
    (want,) = vector["exact"]
    url = section["url"].replace("https://api.bigpanda.io", sink.url) or sink.url + "/"
    request = bigpanda.build(url, body, section)
    # The HTTP parser of the sink trims the trailing space of "Bearer ", so headers are compared as sent.
    assert dict(request.headers) == want["headers"]
    sink.set_default(201)
    await transports.send(request, 5)
    (received,) = await sink.wait_for(1)
    assert received.body == vector["upstream_asserted"]["exact_body"].encode() == want["body"].encode()
    assert (received.method, received.path) == (want["method"], want["path"])


@pytest.mark.parametrize(
    ("level", "status"),
    [(Level.OK, "ok"), (Level.INFO, "ok"), (Level.WARNING, "warning"), (Level.CRITICAL, "critical")],
    ids=["OK", "INFO", "WARNING", "CRITICAL"],
)
def test_levels(level: Level, status: str) -> None:
    cfg = enabled(**{"auto-attributes": ""})
    event = Event(topic="t", id="cpu", level=level, time=1_999_999_999, message="m <&>", name="cpu", task_name="t")
    req = bigpanda.render(event, normalize(bigpanda.KIND, {}, cfg), cfg)
    assert req.url == "https://api.bigpanda.io/data/v2/alerts"
    assert req.body == (
        b'{"app_key":"app","check":"cpu","description":"m \\u003c\\u0026\\u003e","host":"","status":"'
        + status.encode()
        + b'","task":"t:cpu","timestamp":1}'
    )
    assert req.headers == (("Authorization", f"Bearer {TOKEN}"), ("Content-Type", "application/json"))
    assert req.success(201) and not req.success(200)


def test_attributes_tags_fields_and_details() -> None:
    cfg = enabled()
    event = Event(
        topic="t",
        id="",
        level=Level.WARNING,
        time=-1,
        message="",
        details="&lt;b&gt; &amp; more",
        name="cpu",
        tags={"host": "tag-host", "status": "tagged", "zone": "eu"},
        fields={"load": 1.5e21, "ok": False, "none": None, "obj": {"z": 1, "a": "<"}},
    )
    options = normalize(
        bigpanda.KIND,
        {
            "url": "http://other.example/alerts",
            "attributes": {"zone": "{{ .Level }}", "n": 2.0, "list": [1, "x"], "flag": True},
            "primary-property": "zone",
        },
        cfg,
    )
    req = bigpanda.render(event, options, cfg)
    assert req.url == "http://other.example/alerts"
    assert req.body == (
        b'{"app_key":"app","details":"\\u003cb\\u003e \\u0026 more","flag":"true","host":"","list":"[1,\\"x\\"]",'
        b'"load":"1.5e+21","n":"2","none":"null","obj":"{\\"a\\":\\"\\\\u003c\\",\\"z\\":1}","ok":"false",'
        b'"primary_property":"zone","status":"tagged","task":":cpu","timestamp":-1,"zone":"WARNING"}'
    )


@pytest.mark.parametrize(
    ("details", "sent"),
    [("", None), ("{&#34;Name&#34;:&#34;cpu&#34;}\n", None), ("  {x}", "  {x}"), ("a &#43; b", "a + b")],
    ids=["empty", "default-json-details", "leading-space", "unescaped"],
)
def test_details_that_look_like_json_are_dropped(details: str, sent: str | None) -> None:
    event = Event(topic="t", id="a", level=Level.OK, time=0, details=details)
    body = bigpanda.payload(event, {}, SECTION.defaults(), None)
    assert body.get("details") == sent


def test_unparsable_template_is_refused_at_definition() -> None:
    with pytest.raises(OptionsError) as info:
        normalize(bigpanda.KIND, {"attributes": {"b": "{{ .Name }}", "a": "{{ end }}"}}, enabled())
    assert str(info.value) == "template: a:1: unexpected {{end}}"


def test_template_execution_failure_is_a_config_error() -> None:
    cfg = enabled()
    options = normalize(bigpanda.KIND, {"host": "{{ .Host }}"}, cfg)
    with pytest.raises(DeliveryError) as info:
        bigpanda.render(Event(topic="t", id="a", level=Level.OK, time=0), options, cfg)
    assert str(info.value) == (
        'template: host:1:3: executing "host" at <.Host>: can\'t evaluate field Host in type alert.TemplateData'
    )
    assert (info.value.reason, info.value.retryable) == (Reason.CONFIG, False)


def test_disabled_service_is_a_config_error() -> None:
    cfg = config({})
    with pytest.raises(DeliveryError) as info:
        bigpanda.render(Event(topic="t", id="a", level=Level.OK, time=0), normalize(bigpanda.KIND, {}, cfg), cfg)
    assert (str(info.value), info.value.reason, info.value.retryable) == (
        "service is not enabled",
        Reason.CONFIG,
        False,
    )


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"enabled": True, "token": "t"}, "must specify BigPanda app-key"),
        ({"enabled": True, "app-key": "k"}, "must specify BigPanda token"),
        ({"enabled": True, "app-key": "k", "token": "t"}, None),
        ({}, None),
    ],
    ids=["no-app-key", "no-token", "valid", "disabled"],
)
def test_section_validation(values: dict[str, Any], problem: str | None) -> None:
    assert SECTION.validate is not None
    assert SECTION.defaults()["url"] == "https://api.bigpanda.io/data/v2/alerts"
    assert SECTION.defaults()["auto-attributes"] == "tags,fields"
    assert SECTION.validate({**SECTION.defaults(), **values}) == problem


def test_service_test_defaults() -> None:
    before = time.time_ns()
    defaults = merge_test_options(bigpanda.SERVICE_TEST.defaults, None)
    stamp = parse_rfc3339(defaults.pop("timestamp"))
    assert before <= stamp <= time.time_ns()
    assert list(bigpanda.SERVICE_TEST.defaults) == [
        "app_key",
        "message",
        "level",
        "event_data",
        "timestamp",
        "host",
        "primary_property",
        "secondary_property",
    ]
    assert defaults == {
        "app_key": "012345",
        "message": "test bigpanda message",
        "level": "CRITICAL",
        "event_data": {
            "Name": "testBigPanda",
            "TaskName": "",
            "Category": "",
            "Group": "",
            "Tags": {},
            "Fields": {},
            "Recoverable": False,
            "Result": {"series": None},
        },
        "host": "serverA",
        "primary_property": "",
        "secondary_property": "",
    }


async def test_service_test(sink: HttpSink, transports: Transports) -> None:
    sink.set_default(201)
    cfg = enabled(url=sink.url + "/data/v2/alerts")
    posted = {
        "timestamp": "1970-01-01T00:00:01Z",
        "level": "warning",
        "secondary_property": "application",
        "event_data": {"TaskName": "task", "Tags": {"host": "h"}},
    }
    first, second = await assert_service_test_passes(bigpanda.SERVICE_TEST, cfg, transports, sink, None, posted)
    assert first.path == "/data/v2/alerts"
    assert first.header("Authorization") == f"Bearer {TOKEN}"
    sent = first.json()
    assert abs(sent.pop("timestamp") - time.time()) < 60
    assert sent == {
        "app_key": "012345",
        "description": "test bigpanda message",
        "status": "critical",
        "task": ":testBigPanda",
    }
    assert second.body == (
        b'{"app_key":"012345","description":"test bigpanda message","host":"h","secondary_property":"application",'
        b'"status":"warning","task":"task:testBigPanda","timestamp":1}'
    )


async def test_service_test_failure_names_status_and_error_without_the_token(
    sink: HttpSink, transports: Transports
) -> None:
    sink.answer(Answer(400, body=b'{"status":"failure","error":"invalid app_key"}'))
    message = f'HTTP 400 from {sink.url}: {{"status":"failure","error":"invalid app_key"}}'
    cfg = enabled(url=sink.url)
    await assert_service_test_fails(bigpanda.SERVICE_TEST, None, cfg, transports, message, secrets=[TOKEN])


def critical_request(url: str) -> HttpRequest:
    cfg = enabled(url=url)
    event = Event(topic="t", id="a", level=Level.CRITICAL, time=0)
    return bigpanda.render(event, normalize(bigpanda.KIND, {}, cfg), cfg)


@pytest.mark.parametrize(
    "failure",
    Failure.cases(
        Failure.refused(Answer(401, body=b'{"error":"unauthorized"}'), Reason.AUTH_ERROR),
        Failure.throttled(Answer(429, headers=(("Retry-After", "30"),)), 30.0),
        Failure.failing(Answer(503, headers=(("Retry-After", "5"),)), retry_after=5.0),
        Failure.refused(Answer(204), Reason.OTHER, name="204-is-not-created"),
        Failure.hang(),
    ),
)
async def test_failures_are_classified(failure: Failure, sink: HttpSink, transports: Transports) -> None:
    await assert_failure(failure, critical_request, sink, transports, secrets=[TOKEN])

"""The pagerduty2 kind (Events API v2) against Kapacitor's vectors, every level, links, service test, failures."""

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
from tocsin.handlers import pagerduty2
from tocsin.handlers.options import OptionsError, normalize
from tocsin.handlers.pagerduty_config import SECTION_V2
from tocsin.handlers.requests import HttpRequest
from tocsin.transports import Transports

# What the TICKscripts of the stream cases set on their two `.pagerDuty2()` handlers.
STREAM_OPTIONS: dict[str, list[dict[str, Any]]] = {
    "stream/pagerduty2-routingKey": [
        {},
        {
            "routing-key": "test_override_key",
            "links": [{"href": "http://example.com"}, {"href": "http://example.com/{{.TaskName}}", "text": "task"}],
        },
    ],
    "stream/pagerduty2-serviceKey": [{}, {"routing-key": "test_override_key"}],
}
KEY = "SECRETroutingkey0123"
HEADERS = (("Content-Type", "application/json"), ("Accept", "application/vnd.pagerduty+json;version=2"))


def config(values: dict[str, Any]) -> StaticConfig:
    return StaticConfig(values, sections=[SECTION_V2])


def enabled(url: str) -> StaticConfig:
    return config({"pagerduty2": {"enabled": True, "url": url, "routing-key": KEY}})


def event(level: Level, **more: Any) -> Event:
    return Event(topic="t", id="cpu:a", level=level, time=1_500_000_123, message="m", task_name="task", **more)


@pytest.mark.parametrize(
    "case_id", ["server/pagerduty2", "stream/pagerduty2-routingKey", "stream/pagerduty2-serviceKey"]
)
async def test_vectors(case_id: str, sink: HttpSink, transports: Transports) -> None:
    vector = substitute(case(case_id), {"<server>": sink.url})
    cfg = config(vector["config"])
    alert = event_from_alert(vector["alert"])
    for raw in STREAM_OPTIONS.get(case_id) or [vector["options"]]:
        await transports.send(pagerduty2.render(alert, normalize(pagerduty2.KIND, raw, cfg), cfg), 5)
    got = await sink.wait_for(len(vector["exact"]))
    assert_received_as_vector(got, vector["exact"])


@pytest.mark.parametrize(
    ("level", "action", "severity"),
    [
        (Level.OK, "resolve", "info"),
        (Level.INFO, "trigger", "info"),
        (Level.WARNING, "trigger", "warning"),
        (Level.CRITICAL, "trigger", "critical"),
    ],
    ids=["OK", "INFO", "WARNING", "CRITICAL"],
)
def test_levels_send_the_full_payload(level: Level, action: str, severity: str) -> None:
    cfg = enabled("http://pd.example/v2/enqueue")
    req = pagerduty2.render(event(level, tags={"host": "h1"}), normalize(pagerduty2.KIND, {}, cfg), cfg)
    assert (req.method, req.url, req.headers) == ("POST", "http://pd.example/v2/enqueue", HEADERS)
    assert (
        req.body
        == (
            f'{{"routing_key":"{KEY}","event_action":"{action}","dedup_key":"cpu:a","payload":{{"summary":"m",'
            f'"source":"h1","severity":"{severity}","timestamp":"1970-01-01T00:00:01.500000123Z","class":"task",'
            '"component":"","group":"","custom_details":{"result":{"series":null}}},"images":null,"links":null,'
            '"client":"kapacitor","client_url":"http://localhost:9092/kapacitor/v1"}\n'
        ).encode()
    )


def test_link_templates_see_the_template_data() -> None:
    cfg = enabled("http://pd.example/")
    links = [
        {"href": 'http://g/{{.Name}}/{{index .Tags "host"}}?l={{.Level}}', "text": "{{.ID}} {{.Duration}} {{.Group}}"},
        {"HREF": 'http://g/{{index .Fields "v"}}', "Text": ""},
    ]
    options = normalize(pagerduty2.KIND, {"links": links}, cfg)
    alert = event(
        Level.WARNING, name="cpu", group="host=h1", tags={"host": "h1"}, fields={"v": 1.5}, duration=90 * 10**9
    )
    body = json.loads(pagerduty2.render(alert, options, cfg).body)
    assert body["links"] == [
        {"href": "http://g/cpu/h1?l=WARNING", "text": "cpu:a 1m30s host=h1"},
        {"href": "http://g/1.5", "text": "http://g/1.5"},
    ]


@pytest.mark.parametrize(
    ("links", "message"),
    [
        (
            [{"href": "x", "txt": "y"}],
            "failed to decode options into *pagerduty2.HandlerConfig: 1 error(s) decoding:\n\n"
            "* 'links[0]' has invalid keys: txt",
        ),
        (
            [{"href": 5}],
            "failed to decode options into *pagerduty2.HandlerConfig: 1 error(s) decoding:\n\n"
            "* 'links[0].href' expected type 'string', got unconvertible type 'float64', value: '5'",
        ),
        ([{"href": "{{ .ID }"}], 'template: href:1: unexpected "}" in operand'),
        ([{"href": "x", "text": "{{ end }}"}], "template: text:1: unexpected {{end}}"),
        (
            ["http://x"],
            "failed to decode options into *pagerduty2.HandlerConfig: 1 error(s) decoding:\n\n"
            "* 'links[0]' expected a map, got 'string'",
        ),
    ],
    ids=["unknown-key", "not-a-string", "bad-href", "bad-text", "not-an-object"],
)
def test_bad_links_are_refused_at_definition(links: list[Any], message: str) -> None:
    with pytest.raises(OptionsError) as info:
        normalize(pagerduty2.KIND, {"links": links}, enabled("http://pd.example/"))
    assert str(info.value) == message


def test_a_link_that_fails_to_execute_is_a_config_error() -> None:
    cfg = enabled("http://pd.example/")
    options = normalize(pagerduty2.KIND, {"links": [{"href": "{{ .Nope }}"}]}, cfg)
    with pytest.raises(DeliveryError) as info:
        pagerduty2.render(event(Level.CRITICAL), options, cfg)
    assert (info.value.reason, info.value.retryable) == (Reason.CONFIG, False)
    assert str(info.value) == (
        'failed to handle event: template: href:1:3: executing "href" at <.Nope>: '
        "can't evaluate field Nope in type alert.TemplateData"
    )


def test_disabled_service() -> None:
    cfg = config({"pagerduty2": {"routing-key": KEY}})
    with pytest.raises(DeliveryError) as info:
        pagerduty2.render(event(Level.CRITICAL), normalize(pagerduty2.KIND, {}, cfg), cfg)
    assert (str(info.value), info.value.reason, info.value.retryable) == (
        "service is not enabled",
        Reason.CONFIG,
        False,
    )


def test_section_checks_the_url() -> None:
    assert SECTION_V2.validate is not None
    assert SECTION_V2.validate(SECTION_V2.defaults()) is None
    assert SECTION_V2.validate({**SECTION_V2.defaults(), "url": ""}) == "url cannot be empty"


def test_service_test_defaults() -> None:
    assert pagerduty2.SERVICE_TEST.name == "pagerduty2"
    assert dict(pagerduty2.SERVICE_TEST.defaults) == {
        "alert_id": "testAlertID",
        "description": "test pagerduty2 message",
        "level": "CRITICAL",
        "event_data": {
            "Name": "testPagerDuty2",
            "TaskName": "",
            "Category": "",
            "Group": "",
            "Tags": {},
            "Fields": {},
            "Recoverable": False,
            "Result": {"series": None},
        },
        "timestamp": "2014-11-12T11:45:26.371Z",
        "links": [{"href": "https://example.com/a", "text": "a"}, {"href": "https://example.com/b", "text": "b"}],
    }


async def test_service_test_success_with_posted_options(sink: HttpSink, transports: Transports) -> None:
    sink.set_default(202)
    cfg = enabled(sink.url + "/v2/enqueue")
    posted = {
        "level": "OK",
        "event_data": {"TaskName": "tk", "Tags": {"host": "h9"}},
        "links": [{"href": "{{.ID}}"}],
        "timestamp": "2020-01-02T03:04:05Z",
    }
    first, second = await assert_service_test_passes(pagerduty2.SERVICE_TEST, cfg, transports, sink, None, posted)
    assert first.path == "/v2/enqueue"
    assert (
        first.body
        == (
            f'{{"routing_key":"{KEY}","event_action":"trigger","dedup_key":"testAlertID","payload":{{'
            '"summary":"test pagerduty2 message","source":"unknown","severity":"critical",'
            '"timestamp":"2014-11-12T11:45:26.371000000Z","class":"","component":"","group":"",'
            '"custom_details":{"result":{"series":null}}},"images":null,"links":[{"href":"https://example.com/a",'
            '"text":"a"},{"href":"https://example.com/b","text":"b"}],"client":"kapacitor",'
            '"client_url":"http://localhost:9092/kapacitor/v1"}\n'
        ).encode()
    )
    body = second.json()
    assert (body["event_action"], body["payload"]["severity"], body["payload"]["source"]) == ("resolve", "info", "h9")
    assert (body["payload"]["class"], body["payload"]["timestamp"]) == ("tk", "2020-01-02T03:04:05.000000000Z")
    assert body["links"] == [{"href": "{{.ID}}", "text": ""}]


async def test_service_test_when_disabled(transports: Transports) -> None:
    await assert_service_test_fails(pagerduty2.SERVICE_TEST, None, config({}), transports, "service is not enabled")


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            Answer(400, body=b"nope"),
            "Status: , Message: failed to understand PagerDuty2 response. code: 400 content: nope Errors: []",
        ),
        (
            Answer(400, body=b'{"status":"invalid event","message":"Event object is invalid","errors":["a b","c"]}'),
            "Status: invalid event, Message: Event object is invalid Errors: [a b c]",
        ),
    ],
    ids=["text-body", "json-body"],
)
async def test_service_test_failure_message(
    answer: Answer, message: str, sink: HttpSink, transports: Transports
) -> None:
    sink.answer(answer)
    await assert_service_test_fails(
        pagerduty2.SERVICE_TEST, None, enabled(sink.url), transports, message, secrets=[KEY]
    )


def critical_request(url: str) -> HttpRequest:
    cfg = enabled(url)
    return pagerduty2.render(event(Level.CRITICAL), normalize(pagerduty2.KIND, {}, cfg), cfg)


@pytest.mark.parametrize("status", [200, 202], ids=["200", "202"])
async def test_200_and_202_are_accepted(status: int, sink: HttpSink, transports: Transports) -> None:
    sink.set_default(status)
    assert (await transports.send(critical_request(sink.url), 5)).status == status


@pytest.mark.parametrize(
    "failure",
    Failure.cases(
        Failure.refused(Answer(400, body=b'{"message":"bad"}')),
        Failure.throttled(Answer(429, headers=(("Retry-After", "3"),)), 3.0),
        Failure.failing(Answer(503, body=b"down")),
        Failure.refused(Answer(204), Reason.OTHER, name="other-2xx"),
        Failure.hang(),
    ),
)
async def test_failures_are_classified(failure: Failure, sink: HttpSink, transports: Transports) -> None:
    await assert_failure(failure, critical_request, sink, transports, secrets=[KEY])

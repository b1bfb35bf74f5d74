"""The pagerduty kind (Events API v1) against Kapacitor's vectors, every level, its service test and failures."""

from __future__ import annotations

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
from tocsin.config.schema import Section
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers import pagerduty
from tocsin.handlers.options import normalize
from tocsin.handlers.pagerduty_config import SECTION, client_url, url_problem
from tocsin.handlers.requests import HttpRequest
from tocsin.transports import Transports

# The TICKscript of stream/pagerduty sets `.pagerDuty()` and `.pagerDuty().serviceKey('test_override_key')`.
STREAM_OPTIONS = [{}, {"service-key": "test_override_key"}]
KEY = "SECRETservicekey0123"


def config(values: dict[str, Any]) -> StaticConfig:
    return StaticConfig(values, sections=[SECTION])


def enabled(url: str) -> StaticConfig:
    return config({"pagerduty": {"enabled": True, "url": url, "service-key": KEY}})


def event(level: Level) -> Event:
    return Event(topic="t", id="cpu/a<b>", level=level, time=0, message="m & n", details="d")


@pytest.mark.parametrize("case_id", ["server/pagerduty", "stream/pagerduty"])
async def test_vectors(case_id: str, sink: HttpSink, transports: Transports) -> None:
    vector = substitute(case(case_id), {"<server>": sink.url})
    cfg = config(vector["config"])
    alert = event_from_alert(vector["alert"])
    for raw in STREAM_OPTIONS if case_id.startswith("stream/") else [vector["options"]]:
        await transports.send(pagerduty.render(alert, normalize(pagerduty.KIND, raw, cfg), cfg), 5)
    got = await sink.wait_for(len(vector["exact"]))
    assert_received_as_vector(got, vector["exact"])


@pytest.mark.parametrize(
    ("level", "event_type"),
    [(Level.OK, "resolve"), (Level.WARNING, "trigger"), (Level.CRITICAL, "trigger")],
    ids=["OK", "WARNING", "CRITICAL"],
)
def test_levels(level: Level, event_type: str) -> None:
    cfg = enabled("http://pd.example/v1")
    req = pagerduty.render(event(level), normalize(pagerduty.KIND, {}, cfg), cfg)
    assert (req.method, req.url, req.headers) == (
        "POST",
        "http://pd.example/v1",
        (("Content-Type", "application/json"),),
    )
    assert (
        req.body
        == (
            '{"client":"kapacitor","client_url":"http://localhost:9092/kapacitor/v1","description":"m \\u0026 n",'
            f'"details":"d","event_type":"{event_type}","incident_key":"cpu/a\\u003cb\\u003e","service_key":"{KEY}"}}\n'
        ).encode()
    )


def test_info_is_skipped_before_queueing_and_refused_by_render() -> None:
    assert pagerduty.KIND.skip is not None
    assert [pagerduty.KIND.skip(event(level), {}) for level in Level] == [False, True, False, False]
    cfg = enabled("http://pd.example/v1")
    with pytest.raises(DeliveryError) as info:
        pagerduty.render(event(Level.INFO), normalize(pagerduty.KIND, {}, cfg), cfg)
    assert (str(info.value), info.value.reason, info.value.retryable) == (
        "AlertLevel 'info' is currently ignored by the PagerDuty service",
        Reason.CONFIG,
        False,
    )


def test_disabled_service() -> None:
    cfg = config({"pagerduty": {"service-key": KEY}})
    with pytest.raises(DeliveryError) as info:
        pagerduty.render(event(Level.CRITICAL), normalize(pagerduty.KIND, {}, cfg), cfg)
    assert (str(info.value), info.value.reason, info.value.retryable) == (
        "service is not enabled",
        Reason.CONFIG,
        False,
    )


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({}, "http://localhost:9092/kapacitor/v1"),
        ({"": {"hostname": "kap.example"}, "http": {"bind-address": ":9093"}}, "http://kap.example:9093/kapacitor/v1"),
        (
            {"": {"hostname": "kap"}, "http": {"bind-address": "10.0.0.1:443", "https-enabled": True}},
            "https://kap:443/kapacitor/v1",
        ),
        ({"http": {"bind-address": "nowhere"}}, "http://localhost:9092/kapacitor/v1"),
    ],
    ids=["defaults", "hostname-and-port", "https", "unparsable-bind-address"],
)
def test_client_url(values: dict[str, Any], expected: str) -> None:
    sections = [Section("", ()), Section("http", ())]
    assert client_url(StaticConfig(values, sections=sections)) == expected


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("", "url cannot be empty"),
        ("https://events.pagerduty.com/generic/2010-04-15/create_event.json", None),
        ("http://h:abc/x", 'invalid URL "http://h:abc/x": parse "http://h:abc/x": invalid port ":abc" after host'),
        ("http://[::1/x", 'invalid URL "http://[::1/x": parse "http://[::1/x": missing \']\' in host'),
        (":x", 'invalid URL ":x": parse ":x": missing protocol scheme'),
        ("a b:c", 'invalid URL "a b:c": parse "a b:c": first path segment in URL cannot contain colon'),
        ("http://h/%zz", 'invalid URL "http://h/%zz": parse "http://h/%zz": invalid URL escape "%zz"'),
        (
            "http://h/\x7f",
            'invalid URL "http://h/\\x7f": parse "http://h/\\x7f": net/url: invalid control character in URL',
        ),
    ],
    ids=["empty", "default", "port", "bracket", "scheme", "colon", "escape", "control"],
)
def test_section_url_checks(url: str, problem: str | None) -> None:
    assert url_problem(url) == problem
    assert SECTION.validate is not None
    assert SECTION.validate({**SECTION.defaults(), "url": url}) == problem


def test_service_test_defaults() -> None:
    assert pagerduty.SERVICE_TEST.name == "pagerduty"
    assert dict(pagerduty.SERVICE_TEST.defaults) == {
        "incident-key": "testIncidentKey",
        "description": "test pagerduty message",
        "details": "",
        "level": "CRITICAL",
    }


async def test_service_test_success_with_posted_options(sink: HttpSink, transports: Transports) -> None:
    cfg = enabled(sink.url + "/events")
    posted = {"level": "OK", "details": "x"}
    first, second = await assert_service_test_passes(pagerduty.SERVICE_TEST, cfg, transports, sink, None, posted)
    assert first.path == "/events"
    assert first.json() == {
        "client": "kapacitor",
        "client_url": "http://localhost:9092/kapacitor/v1",
        "description": "test pagerduty message",
        "details": "",
        "event_type": "trigger",
        "incident_key": "testIncidentKey",
        "service_key": KEY,
    }
    assert (second.json()["event_type"], second.json()["details"]) == ("resolve", "x")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"level": "INFO"}, "AlertLevel 'info' is currently ignored by the PagerDuty service"),
        ({"level": "critical"}, "unknown alert level 'critical'"),
    ],
    ids=["info", "lower-case-level"],
)
async def test_service_test_refusals(body: dict[str, str], message: str, transports: Transports) -> None:
    cfg = enabled("http://127.0.0.1:9/")
    await assert_service_test_fails(pagerduty.SERVICE_TEST, body, cfg, transports, message)
    await assert_service_test_fails(pagerduty.SERVICE_TEST, None, config({}), transports, "service is not enabled")


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (Answer(400, body=b"bad key"), "failed to understand PagerDuty response. code: 400 content: bad key"),
        (Answer(400, body=b'{"status":"invalid","message":"Event object is invalid"}'), "Event object is invalid"),
    ],
    ids=["text-body", "json-message"],
)
async def test_service_test_failure_message(
    answer: Answer, message: str, sink: HttpSink, transports: Transports
) -> None:
    sink.answer(answer)
    await assert_service_test_fails(pagerduty.SERVICE_TEST, None, enabled(sink.url), transports, message, secrets=[KEY])


def critical_request(url: str) -> HttpRequest:
    cfg = enabled(url)
    return pagerduty.render(event(Level.CRITICAL), normalize(pagerduty.KIND, {}, cfg), cfg)


@pytest.mark.parametrize(
    "failure",
    Failure.cases(
        Failure.refused(Answer(400, body=b'{"message":"bad"}')),
        Failure.throttled(Answer(429, headers=(("Retry-After", "7"),)), 7.0),
        Failure.failing(Answer(500, body=b"oops")),
        Failure.refused(Answer(202), Reason.OTHER, name="202-is-not-200"),
        Failure.hang(),
    ),
)
async def test_failures_are_classified(failure: Failure, sink: HttpSink, transports: Transports) -> None:
    await assert_failure(failure, critical_request, sink, transports, secrets=[KEY])

"""The opsgenie kind (v1 API) against Kapacitor's vectors, every level, its section, service test and failures."""

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
from tocsin.handlers import opsgenie
from tocsin.handlers.opsgenie_config import SECTION
from tocsin.handlers.options import normalize
from tocsin.handlers.requests import HttpRequest
from tocsin.transports import Transports

# The TICKscript of stream/opsgenie sets two `.opsGenie()` handlers with these teams and recipients.
STREAM_OPTIONS = [
    {"teams-list": ["test_team", "another_team"], "recipients-list": ["test_recipient", "another_recipient"]},
    {"teams-list": ["test_team2"], "recipients-list": ["test_recipient2", "another_recipient"]},
]
KEY = "SECRETapikey0123456"
SERIES = {
    "series": [
        {"name": "cpu", "tags": {"host": "a"}, "columns": ["time", "v"], "values": [["1970-01-01T00:00:00Z", 2.5]]}
    ]
}


def config(values: dict[str, Any]) -> StaticConfig:
    return StaticConfig(values, sections=[SECTION])


def enabled(url: str, **more: Any) -> StaticConfig:
    return config({"opsgenie": {"enabled": True, "api-key": KEY, "url": url, "recovery_url": url + "/note", **more}})


def event(level: Level) -> Event:
    return Event(topic="t", id="cpu/a", level=level, time=0, message="m<", data=SERIES)


@pytest.mark.parametrize("case_id", ["server/opsgenie", "stream/opsgenie"])
async def test_vectors(case_id: str, sink: HttpSink, transports: Transports) -> None:
    vector = substitute(case(case_id), {"<server>": sink.url})
    cfg = config(vector["config"])
    alert = event_from_alert(vector["alert"])
    for raw in STREAM_OPTIONS if case_id.startswith("stream/") else [vector["options"]]:
        await transports.send(opsgenie.render(alert, normalize(opsgenie.KIND, raw, cfg), cfg), 5)
    got = await sink.wait_for(len(vector["exact"]))
    assert_received_as_vector(got, vector["exact"])


@pytest.mark.parametrize(
    ("level", "path", "message_type", "note"),
    [
        (Level.OK, "/og/note/", "RECOVERY", "m\\u003c"),
        (Level.INFO, "/og/", "INFO", ""),
        (Level.WARNING, "/og/", "WARNING", ""),
        (Level.CRITICAL, "/og/", "CRITICAL", ""),
    ],
    ids=["OK", "INFO", "WARNING", "CRITICAL"],
)
def test_levels(level: Level, path: str, message_type: str, note: str) -> None:
    cfg = enabled("http://og.example/og", teams=["ops"])
    req = opsgenie.render(event(level), normalize(opsgenie.KIND, {"recipients-list": ["ann"]}, cfg), cfg)
    assert (req.method, req.url, req.headers) == (
        "POST",
        "http://og.example" + path,
        (("Content-Type", "application/json"),),
    )
    assert (
        req.body
        == (
            f'{{"alias":"cpu/a","apiKey":"{KEY}","description":"{{\\"series\\":[{{\\"name\\":\\"cpu\\",'
            '\\"tags\\":{\\"host\\":\\"a\\"},\\"columns\\":[\\"time\\",\\"v\\"],\\"values\\":[[\\"1970-01-01T00:00:00Z\\",'
            f'2.5]]}}]}}","details":{{"Level":"{message_type}","Monitoring Tool":"Kapacitor"}},"entity":"cpu/a",'
            f'"message":"m\\u003c","monitoring_tool":"kapacitor","note":"{note}","recipients":["ann"],"teams":["ops"]}}\n'
        ).encode()
    )


def test_without_teams_or_recipients_the_keys_are_absent() -> None:
    cfg = enabled("http://og.example/og")
    body = json.loads(opsgenie.render(event(Level.CRITICAL), normalize(opsgenie.KIND, {}, cfg), cfg).body)
    assert "teams" not in body and "recipients" not in body


def test_disabled_service() -> None:
    cfg = config({})
    with pytest.raises(DeliveryError) as info:
        opsgenie.render(event(Level.CRITICAL), normalize(opsgenie.KIND, {}, cfg), cfg)
    assert (str(info.value), info.value.reason, info.value.retryable) == (
        "service is not enabled",
        Reason.CONFIG,
        False,
    )


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({}, None),
        ({"enabled": True, "api-key": "k"}, None),
        ({"enabled": True}, "api-key cannot be empty"),
        ({"url": ""}, "url cannot be empty"),
        ({"recovery_url": ""}, "recovery_url cannot be empty"),
        ({"url": "http://h:x/"}, 'invalid URL "http://h:x/": parse "http://h:x/": invalid port ":x" after host'),
        (
            {"recovery_url": ":r"},
            'invalid recovery_url "https://api.opsgenie.com/v1/json/alert": parse ":r": missing protocol scheme',
        ),
    ],
    ids=["defaults", "enabled", "no-api-key", "no-url", "no-recovery-url", "bad-url", "bad-recovery-url"],
)
def test_section_checks(values: dict[str, Any], problem: str | None) -> None:
    assert SECTION.validate is not None
    assert SECTION.validate({**SECTION.defaults(), **values}) == problem


def test_service_test_defaults() -> None:
    assert opsgenie.SERVICE_TEST.name == "opsgenie"
    assert dict(opsgenie.SERVICE_TEST.defaults) == {
        "teams": None,
        "recipients": None,
        "message-type": "CRITICAL",
        "message": "test opsgenie message",
        "entity-id": "testEntityID",
    }


async def test_service_test_success_with_posted_options(sink: HttpSink, transports: Transports) -> None:
    cfg = enabled(sink.url + "/alert", teams=["conf-team"])
    posted = {"message-type": "RECOVERY", "teams": ["t1"], "recipients": ["r1"]}
    first, second = await assert_service_test_passes(opsgenie.SERVICE_TEST, cfg, transports, sink, None, posted)
    assert first.path == "/alert/"
    assert (
        first.body
        == (
            f'{{"alias":"testEntityID","apiKey":"{KEY}","description":"{{\\"series\\":null}}",'
            '"details":{"Level":"CRITICAL","Monitoring Tool":"Kapacitor"},"entity":"testEntityID",'
            '"message":"test opsgenie message","monitoring_tool":"kapacitor","note":"","teams":["conf-team"]}\n'
        ).encode()
    )
    assert second.path == "/alert/note/"
    body = second.json()
    assert (body["details"]["Level"], body["note"], body["teams"], body["recipients"]) == (
        "RECOVERY",
        "test opsgenie message",
        ["t1"],
        ["r1"],
    )


async def test_service_test_when_disabled(transports: Transports) -> None:
    await assert_service_test_fails(opsgenie.SERVICE_TEST, None, config({}), transports, "service is not enabled")


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (Answer(403, body=b"denied"), "failed to understand OpsGenie response. code: 403 content: denied"),
        (Answer(422, body=b'{"Message":"Key format is not valid!","took":0.0}'), "Key format is not valid!"),
    ],
    ids=["text-body", "json-message"],
)
async def test_service_test_failure_message(
    answer: Answer, message: str, sink: HttpSink, transports: Transports
) -> None:
    sink.answer(answer)
    await assert_service_test_fails(opsgenie.SERVICE_TEST, None, enabled(sink.url), transports, message, secrets=[KEY])


def critical_request(url: str) -> HttpRequest:
    cfg = enabled(url)
    return opsgenie.render(event(Level.CRITICAL), normalize(opsgenie.KIND, {}, cfg), cfg)


@pytest.mark.parametrize(
    "failure",
    Failure.cases(
        Failure.refused(Answer(400, body=b"bad")),
        Failure.throttled(Answer(429, headers=(("Retry-After", "11"),)), 11.0),
        Failure.failing(Answer(500)),
        Failure.refused(Answer(202), Reason.OTHER, name="202-is-not-200"),
        Failure.hang(),
    ),
)
async def test_failures_are_classified(failure: Failure, sink: HttpSink, transports: Transports) -> None:
    await assert_failure(failure, critical_request, sink, transports, secrets=[KEY])

"""The opsgenie2 kind (v2 API) against Kapacitor's vectors, every level, recovery, region, service test, failures."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
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
from tocsin.handlers import opsgenie2
from tocsin.handlers.opsgenie_config import SECTION_V2, api_url_v2
from tocsin.handlers.options import normalize
from tocsin.handlers.requests import HttpRequest
from tocsin.transports import Transports

# What the TICKscripts of the stream cases set on their `.opsGenie2()` handlers.
STREAM_OPTIONS: dict[str, list[dict[str, Any]]] = {
    "stream/opsgenie2": [
        {"teams-list": ["test_team", "another_team"], "recipients-list": ["test_recipient", "another_recipient"]},
        {"teams-list": ["test_team2"], "recipients-list": ["test_recipient2", "another_recipient"]},
    ],
    "stream/opsgenie2-recovery": [{"teams-list": ["test_team"]}],
}
KEY = "SECRETgeniekey01234"
SERIES = {"series": [{"name": "cpu", "tags": {"host": "a", "Level": "tag"}, "columns": ["time", "v"], "values": []}]}


def config(values: dict[str, Any]) -> StaticConfig:
    return StaticConfig(values, sections=[SECTION_V2])


def enabled(url: str, **more: Any) -> StaticConfig:
    return config({"opsgenie2": {"enabled": True, "api-key": KEY, "url": url, **more}})


def event(level: Level, **more: Any) -> Event:
    return Event(topic="t", id="cpu/a", level=level, time=0, message="m", details="d", **more)


def headers(req: Any) -> tuple[tuple[str, str], ...]:
    return tuple(req.headers)


@pytest.mark.parametrize("case_id", ["server/opsgenie2", "stream/opsgenie2", "stream/opsgenie2-recovery"])
async def test_vectors(case_id: str, sink: HttpSink, transports: Transports) -> None:
    sink.set_default(202)
    vector = substitute(case(case_id), {"<server>": sink.url})
    cfg = config(vector["config"])
    alert = event_from_alert(vector["alert"])
    for raw in STREAM_OPTIONS.get(case_id) or [vector["options"]]:
        await transports.send(opsgenie2.render(alert, normalize(opsgenie2.KIND, raw, cfg), cfg), 5)
    if case_id == "stream/opsgenie2-recovery":  # the same alert recovers
        recovered = dataclasses.replace(alert, level=Level.OK, message="kapacitor/cpu/serverA is OK")
        options = normalize(opsgenie2.KIND, STREAM_OPTIONS[case_id][0], cfg)
        await transports.send(opsgenie2.render(recovered, options, cfg), 5)
    got = await sink.wait_for(len(vector["exact"]))
    assert_received_as_vector(got, vector["exact"])


@pytest.mark.parametrize(
    ("level", "priority"),
    [(Level.INFO, "P5"), (Level.WARNING, "P3"), (Level.CRITICAL, "P1")],
    ids=["INFO", "WARNING", "CRITICAL"],
)
def test_alert_levels(level: Level, priority: str) -> None:
    cfg = enabled("https://og.example/v2/alerts", recipients=["ann"])
    req = opsgenie2.render(event(level, data=SERIES), normalize(opsgenie2.KIND, {}, cfg), cfg)
    assert (req.method, req.url) == ("POST", "https://og.example/v2/alerts")
    assert headers(req) == (("Content-Type", "application/json"), ("Authorization", f"GenieKey {KEY}"))
    assert (
        req.body
        == (
            '{"alias":"Y3B1L2E=","description":"{\\"series\\":[{\\"name\\":\\"cpu\\",\\"tags\\":{\\"Level\\":\\"tag\\",'
            '\\"host\\":\\"a\\"},\\"columns\\":[\\"time\\",\\"v\\"]}]}","details":{"Kapacitor Task Name":"cpu",'
            '"Level":"tag","Monitoring Tool":"Kapacitor","host":"a"},"entity":"cpu/a","message":"m","note":"",'
            f'"priority":"{priority}","responders":[{{"type":"user","username":"ann"}}]}}\n'
        ).encode()
    )


def test_ok_adds_a_note_by_alias() -> None:
    cfg = enabled("https://og.example/v2/alerts/")
    req = opsgenie2.render(event(Level.OK), normalize(opsgenie2.KIND, {}, cfg), cfg)
    assert (req.method, req.url, req.body) == (
        "POST",
        "https://og.example/v2/alerts/Y3B1L2E=/notes?identifierType=alias",
        b'{"note":"m"}\n',
    )
    assert headers(req) == (("Content-Type", "application/json"), ("Authorization", f"GenieKey {KEY}"))


@pytest.mark.parametrize(
    ("section_action", "option", "action"),
    [
        ("close", "", "close"),
        ("notes", "close", "close"),
        ("close", "notes", "notes"),
        ("close", "delete", "close"),
        ("bogus", "delete", "notes"),
    ],
    ids=["section-close", "option-close", "option-notes", "invalid-option", "invalid-both"],
)
def test_recovery_action_choice(section_action: str, option: str, action: str) -> None:
    cfg = enabled("http://og.example/a/../v2//alerts?x=1", recovery_action=section_action)
    req = opsgenie2.render(event(Level.OK), normalize(opsgenie2.KIND, {"recovery_action": option}, cfg), cfg)
    assert req.url == f"http://og.example/v2/alerts/Y3B1L2E=/{action}?identifierType=alias"


def test_alias_is_url_safe_base64_with_padding() -> None:
    assert [opsgenie2.alias(i) for i in ("id", "a?>", "kapacitor/cpu/serverA")] == [
        "aWQ=",
        "YT8-",
        "a2FwYWNpdG9yL2NwdS9zZXJ2ZXJB",
    ]


@pytest.mark.parametrize(
    ("details_on", "details", "description"),
    [(True, "d<", "d\\u003c"), (True, "", '{\\"series\\":null}'), (False, "d", '{\\"series\\":null}')],
    ids=["details", "empty-details", "details-off"],
)
def test_details_config_picks_the_description(details_on: bool, details: str, description: str) -> None:
    cfg = enabled("http://og.example/", details=details_on)
    alert = dataclasses.replace(event(Level.CRITICAL), details=details)
    req = opsgenie2.render(alert, normalize(opsgenie2.KIND, {}, cfg), cfg)
    assert req.body.startswith(f'{{"alias":"Y3B1L2E=","description":"{description}","details":'.encode())


@pytest.mark.parametrize(
    ("url", "region", "expected"),
    [
        ("https://api.opsgenie.com/v2/alerts", "us", "https://api.opsgenie.com/v2/alerts"),
        ("https://api.opsgenie.com/v2/alerts", "eu", "https://api.eu.opsgenie.com/v2/alerts"),
        ("http://proxy.example/og", "eu", "http://proxy.example/og"),
    ],
    ids=["us-default", "eu", "explicit-url-wins"],
)
def test_region_picks_the_host_of_the_default_url(url: str, region: str, expected: str) -> None:
    cfg = enabled(url, region=region)
    section = cfg.element("opsgenie2")
    assert section is not None and api_url_v2(section) == expected
    req = opsgenie2.render(event(Level.OK), normalize(opsgenie2.KIND, {}, cfg), cfg)
    assert req.url == f"{expected}/Y3B1L2E=/notes?identifierType=alias"


def test_region_defaults_to_us_and_is_a_choice() -> None:
    field = SECTION_V2.field_map["region"]
    assert (field.zero(), field.choices) == ("us", ("us", "eu"))


def test_disabled_service_text_is_wrapped() -> None:
    cfg = config({})
    with pytest.raises(DeliveryError) as info:
        opsgenie2.render(event(Level.CRITICAL), normalize(opsgenie2.KIND, {}, cfg), cfg)
    assert (str(info.value), info.value.reason, info.value.retryable) == (
        "failed to prepare API request: service is not enabled",
        Reason.CONFIG,
        False,
    )


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({}, None),
        ({"enabled": True}, "api-key cannot be empty"),
        ({"url": ""}, "url cannot be empty"),
        ({"recovery_action": ""}, "recovery_action cannot be empty"),
        ({"url": "http://[x/"}, 'invalid URL "http://[x/": parse "http://[x/": missing \']\' in host'),
    ],
    ids=["defaults", "no-api-key", "no-url", "no-recovery-action", "bad-url"],
)
def test_section_checks(values: dict[str, Any], problem: str | None) -> None:
    assert SECTION_V2.validate is not None
    assert SECTION_V2.validate({**SECTION_V2.defaults(), **values}) == problem


def test_service_test_defaults() -> None:
    assert opsgenie2.SERVICE_TEST.name == "opsgenie2"
    assert dict(opsgenie2.SERVICE_TEST.defaults) == {
        "teams": None,
        "recipients": None,
        "message-type": "CRITICAL",
        "message": "test opsgenie message",
        "entity-id": "testEntityID",
        "recovery_action": "notes",
    }


async def test_service_test_success_with_posted_options(sink: HttpSink, transports: Transports) -> None:
    sink.set_default(202)
    cfg = enabled(sink.url + "/v2/alerts", teams=["conf-team"])
    posted = {"message-type": "RECOVERY", "recovery_action": "close", "message": "fixed"}
    first, second = await assert_service_test_passes(opsgenie2.SERVICE_TEST, cfg, transports, sink, None, posted)
    assert (first.path, first.query_string) == ("/v2/alerts", "")
    assert first.body == (
        b'{"alias":"dGVzdEVudGl0eUlE","description":"{\\"series\\":null}","details":{"Level":"CRITICAL",'
        b'"Monitoring Tool":"Kapacitor"},"entity":"testEntityID","message":"test opsgenie message","note":"",'
        b'"priority":"P1","responders":[{"name":"conf-team","type":"team"}]}\n'
    )
    assert first.header("Authorization") == f"GenieKey {KEY}"
    assert (second.path, second.query_string, second.body) == (
        "/v2/alerts/dGVzdEVudGl0eUlE/close",
        "identifierType=alias",
        b'{"note":"fixed"}\n',
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"message-type": "foo"}, "unknown alert level 'FOO'"),
        (None, "failed to prepare API request: service is not enabled"),
    ],
    ids=["bad-message-type", "disabled"],
)
async def test_service_test_refusals(body: dict[str, str] | None, message: str, transports: Transports) -> None:
    cfg = enabled("http://127.0.0.1:9/") if body else config({})
    await assert_service_test_fails(opsgenie2.SERVICE_TEST, body, cfg, transports, message)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            Answer(401, body=b"denied"),
            "opsgenie error: failed to understand OpsGenie response. code: 401 content: denied",
        ),
        (
            Answer(422, body=b'{"message":"Key format is not valid!","took":0.001}'),
            "opsgenie error: Key format is not valid!",
        ),
    ],
    ids=["text-body", "json-message"],
)
async def test_service_test_failure_message(
    answer: Answer, message: str, sink: HttpSink, transports: Transports
) -> None:
    sink.answer(answer)
    await assert_service_test_fails(opsgenie2.SERVICE_TEST, None, enabled(sink.url), transports, message, secrets=[KEY])


def request_for(level: Level) -> Callable[[str], HttpRequest]:
    def build(url: str) -> HttpRequest:
        cfg = enabled(url)
        return opsgenie2.render(event(level), normalize(opsgenie2.KIND, {}, cfg), cfg)

    return build


@pytest.mark.parametrize(
    ("failure", "level"),
    [
        (Failure.refused(Answer(404, body=b'{"message":"Alert not found"}')), Level.OK),
        (Failure.throttled(Answer(429, headers=(("Retry-After", "5"),)), 5.0), Level.OK),
        (Failure.failing(Answer(502)), Level.OK),
        (Failure.refused(Answer(200), Reason.OTHER, name="200-is-not-202"), Level.OK),
        (Failure.hang(), Level.CRITICAL),
    ],
    ids=["4xx", "429", "5xx", "200-is-not-202", "hang"],
)
async def test_failures_are_classified(failure: Failure, level: Level, sink: HttpSink, transports: Transports) -> None:
    await assert_failure(failure, request_for(level), sink, transports, secrets=[KEY])

"""The pushover kind against Kapacitor's vectors, every level, its service test and Pushover's answers."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import pytest

from tests.support.config import StaticConfig
from tests.support.http_matrix import Failure, assert_failure, assert_service_test_fails, assert_service_test_passes
from tests.support.sink import Answer, HttpSink
from tests.support.vectors import case, event_from_alert, substitute
from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.config.schema import Section
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers import pushover
from tocsin.handlers.options import OptionsError, normalize, tick_properties
from tocsin.handlers.requests import HttpRequest
from tocsin.transports import Transports

# The TICKscript of stream/pushover sets these two handlers.
STREAM_OPTIONS = [
    {"sound": "siren", "device": "mydev", "title": "mytitle", "url": "http://example.com", "url-title": "myurltitle"},
    {"title": "othertitle", "device": "otherdev"},
]
TOKEN = "KzGDORePKggMaC0QOYAMyEEuzJnyUi"
FORM = "application/x-www-form-urlencoded"


def config(**values: Any) -> StaticConfig:
    return StaticConfig(
        {"pushover": {"enabled": True, "token": TOKEN, "user-key": "user", **values}}, sections=[pushover.SECTION]
    )


def event(level: Level = Level.CRITICAL, message: str = "m") -> Event:
    return Event(topic="t", id="a", level=level, time=0, message=message)


@pytest.mark.parametrize("case_id", ["server/pushover", "stream/pushover"])
async def test_vectors(case_id: str, sink: HttpSink, transports: Transports) -> None:
    vector = substitute(case(case_id), {"<server>": sink.url})
    cfg = StaticConfig(vector["config"], sections=[pushover.SECTION])
    alert = event_from_alert(vector["alert"])
    for raw in STREAM_OPTIONS if case_id == "stream/pushover" else [vector["options"]]:
        await transports.send(pushover.render(alert, normalize(pushover.KIND, raw, cfg), cfg), 5)
    got = await sink.wait_for(len(vector["exact"]))
    for received, want in zip(got, vector["exact"], strict=True):
        assert (received.method, received.path, received.query_string) == (want["method"], want["path"], "")
        assert received.body == want["body"].encode()
        assert received.header_values("Content-Type") == [FORM]
        assert received.header("Content-Length") == want["headers"]["Content-Length"]


def test_tick_properties_are_kapacitors_capitalised_names() -> None:
    props = {name: opt.name for name, opt in tick_properties(pushover.KIND).items()}
    assert props == {
        "userKey": "user-key",
        "device": "device",
        "title": "title",
        "URL": "url",
        "URLTitle": "url-title",
        "sound": "sound",
    }


@pytest.mark.parametrize(
    ("level", "priority"),
    [(Level.OK, "-2"), (Level.INFO, "-1"), (Level.WARNING, "0"), (Level.CRITICAL, "1")],
    ids=["OK", "INFO", "WARNING", "CRITICAL"],
)
def test_level_priority(level: Level, priority: str) -> None:
    cfg = config()
    req = pushover.render(event(level), normalize(pushover.KIND, {}, cfg), cfg)
    assert req.body == f"message=m&priority={priority}&token={TOKEN}&user=user".encode()
    assert (req.method, req.url, req.headers) == ("POST", pushover.DEFAULT_URL, (("Content-Type", FORM),))


def test_form_escapes_as_go_url_values() -> None:
    cfg = config()
    options = normalize(pushover.KIND, {"user-key": "other", "title": "a+b & c", "sound": "x~y_z.-"}, cfg)
    req = pushover.render(event(message="100% é/?"), options, cfg)
    assert req.body == (
        b"message=100%25+%C3%A9%2F%3F&priority=1&sound=x~y_z.-&title=a%2Bb+%26+c&token="
        + TOKEN.encode()
        + b"&user=other"
    )


def test_options_are_decoded_as_kapacitor_does() -> None:
    with pytest.raises(OptionsError) as caught:
        normalize(pushover.KIND, {"url_title": "x", "priority": 2})
    assert str(caught.value) == (
        "failed to decode options into *pushover.HandlerConfig: 1 error(s) decoding:\n\n"
        "* '' has invalid keys: priority, url_title"
    )


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"enabled": True}, "must specify token"),
        ({"enabled": True, "token": "t"}, "must specify user key"),
        ({"enabled": True, "token": "t", "user-key": "u", "url": ""}, "must specify url"),
        ({"enabled": False, "url": ""}, None),
    ],
    ids=["token", "user-key", "url", "disabled"],
)
def test_section_validation(values: dict[str, Any], problem: str | None) -> None:
    assert isinstance(pushover.SECTION, Section) and pushover.SECTION.validate is not None
    assert pushover.SECTION.validate({**pushover.SECTION.defaults(), **values}) == problem


def test_section_shape() -> None:
    assert pushover.SECTION.defaults() == {"enabled": False, "token": "", "user-key": "", "url": pushover.DEFAULT_URL}
    assert pushover.SECTION.secrets == ("token", "user-key")


def test_disabled_service_sends_nothing() -> None:
    cfg = StaticConfig({"pushover": {"token": "t", "user-key": "u"}}, sections=[pushover.SECTION])
    with pytest.raises(DeliveryError) as caught:
        pushover.render(event(), normalize(pushover.KIND, {}, cfg), cfg)
    assert (str(caught.value), caught.value.reason, caught.value.retryable) == (
        "service is not enabled",
        Reason.CONFIG,
        False,
    )


def request_to(url: str) -> HttpRequest:
    cfg = config(url=url)
    return pushover.render(event(), normalize(pushover.KIND, {}, cfg), cfg)


async def test_200_with_status_0_is_a_permanent_refusal(sink: HttpSink, transports: Transports) -> None:
    failure = Failure.refused(
        Answer(200, body=b'{"user":"invalid","errors":["user identifier is invalid","x"],"status":0}'),
        message="HTTP 200 from {url}/1/messages.json: pushover status 0: user identifier is invalid, x",
    )
    await assert_failure(failure, lambda url: request_to(url + "/1/messages.json"), sink, transports, secrets=[TOKEN])


@pytest.mark.parametrize(
    "body",
    [b'{"status":1,"request":"647d2300"}', b"", b"not json", b"[1]"],
    ids=["status-1", "empty", "not-json", "not-object"],
)
async def test_other_200_answers_are_accepted(body: bytes, sink: HttpSink, transports: Transports) -> None:
    sink.answer(Answer(200, body=body))
    outcome = await transports.send(request_to(sink.url), 5)
    assert outcome.status == 200


@pytest.mark.parametrize(
    "failure",
    Failure.cases(
        Failure.refused(Answer(400, body=b'{"token":"invalid","errors":["application token is invalid"],"status":0}')),
        Failure.throttled(Answer(429, headers=(("Retry-After", "7"),), body=b"{}"), 7.0),
        Failure.failing(Answer(500, body=b"down")),
        Failure.refused(Answer(202), Reason.OTHER, name="202-is-not-200"),
        Failure.hang("POST {url}: no answer within 0.2s"),
    ),
)
async def test_failures_are_classified(failure: Failure, sink: HttpSink, transports: Transports) -> None:
    error = await assert_failure(failure, request_to, sink, transports, secrets=[TOKEN])
    if failure.answer is not None:
        assert str(error).startswith(f"HTTP {failure.answer.status} from {sink.url}")
        assert failure.answer.body.decode() in str(error)


def test_service_test_defaults() -> None:
    assert dict(pushover.SERVICE_TEST.defaults) == {
        "user-key": "",
        "message": "test pushover message",
        "device": "",
        "title": "",
        "url": "",
        "url-title": "",
        "sound": "",
        "level": "CRITICAL",
    }


async def test_service_test_success_and_failure(sink: HttpSink, transports: Transports) -> None:
    cfg = config(url=sink.url)
    body = {"title": "T", "level": "WARNING", "user-key": "someone", "url-title": "u t"}
    first, second = await assert_service_test_passes(pushover.SERVICE_TEST, cfg, transports, sink, None, body)
    assert first.body == f"message=test+pushover+message&priority=1&token={TOKEN}&user=user".encode()
    assert dict(parse_qsl(second.body.decode())) == {
        "message": "test pushover message",
        "priority": "0",
        "title": "T",
        "token": TOKEN,
        "url_title": "u t",
        "user": "someone",
    }
    sink.answer(Answer(400, body=b'{"errors":["message cannot be blank"],"status":0}'))
    message = f'HTTP 400 from {sink.url}: {{"errors":["message cannot be blank"],"status":0}}'
    await assert_service_test_fails(pushover.SERVICE_TEST, {"message": ""}, cfg, transports, message, secrets=[TOKEN])


@pytest.mark.parametrize(
    ("level", "message"),
    [("critical", "unknown alert level 'critical'"), ("BAD", "unknown alert level 'BAD'")],
    ids=["lower-case", "unknown"],
)
async def test_service_test_level_is_decoded_as_go_does(level: str, message: str, transports: Transports) -> None:
    await assert_service_test_fails(pushover.SERVICE_TEST, {"level": level}, config(), transports, message)


async def test_service_test_on_a_disabled_service(transports: Transports) -> None:
    cfg = StaticConfig(sections=[pushover.SECTION])
    await assert_service_test_fails(pushover.SERVICE_TEST, None, cfg, transports, "service is not enabled")

"""The teams kind against Kapacitor's vectors, every level, the Adaptive Card variant and its service test."""

from __future__ import annotations

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
from tocsin.handlers import teams
from tocsin.handlers.options import OptionsError, normalize
from tocsin.handlers.requests import HttpRequest
from tocsin.handlers.teams_config import MISSING_CHANNEL_URL, SECTION, validate
from tocsin.transports import Transports

# The TICKscript of stream/teams sets these two handlers.
STREAM_OPTIONS: list[dict[str, Any]] = [{}, {"channel-url": "<server>"}]
SECRET = "IncomingWebhook/SECRETKEY"


def config(**values: Any) -> StaticConfig:
    return StaticConfig({"teams": {"enabled": True, "channel-url": "http://h/x", **values}}, sections=[SECTION])


def event(level: Level = Level.CRITICAL, **fields: Any) -> Event:
    return Event(**{"topic": "t", "id": "cpu", "level": level, "time": 1_500_000_000, "message": "m", **fields})


@pytest.mark.parametrize("case_id", ["server/teams", "stream/teams"])
async def test_vectors(case_id: str, sink: HttpSink, transports: Transports) -> None:
    vector = substitute(case(case_id), {"<server>": sink.url})
    cfg = StaticConfig(vector["config"], sections=[SECTION])
    alert = event_from_alert(vector["alert"])
    raws = substitute(STREAM_OPTIONS, {"<server>": sink.url}) if case_id == "stream/teams" else [{}]
    for raw in raws:
        await transports.send(teams.render(alert, normalize(teams.KIND, raw, cfg), cfg), 5)
    got = await sink.wait_for(len(vector["exact"]))
    for received, want in zip(got, vector["exact"], strict=True):
        assert (received.method, received.path) == (want["method"], want["path"])
        assert received.body == want["body"].encode()
        assert received.header_values("Content-Type") == ["application/json"]


@pytest.mark.parametrize(
    ("level", "color"),
    [(Level.OK, "34CC25"), (Level.INFO, "34CC25"), (Level.WARNING, "FFA533"), (Level.CRITICAL, "CC4A31")],
    ids=["OK", "INFO", "WARNING", "CRITICAL"],
)
def test_levels(level: Level, color: str) -> None:
    cfg = config()
    request = teams.render(event(level, message="a <b>"), normalize(teams.KIND, {}, cfg), cfg)
    name = level.name
    assert (
        request.body
        == (
            '{"@type":"MessageCard","@context":"http://schema.org/extensions","title":"' + name + ': [cpu]",'
            '"text":"a \\u003cb\\u003e","summary":"'
            + name
            + ': [cpu] - a \\u003cb\\u003e...","themeColor":"'
            + color
            + '"}'
        ).encode()
    )


@pytest.mark.parametrize(
    ("topic", "alert_id", "message", "title", "summary"),
    [
        ("t", "", "m", "WARNING: [t]", "WARNING: [t] - m..."),
        ("", "", "m", "WARNING", "WARNING: m..."),
        ("t", "i", "x" * 80, "WARNING: [i]", "WARNING: [i] - " + "x" * 55 + "..."),
        ("t", "i", "é" * 40, "WARNING: [i]", "WARNING: [i] - " + "é" * 27 + "\ufffd..."),
    ],
    ids=["no-id-uses-topic", "no-id-no-topic", "cut-at-70-bytes", "cut-inside-a-character"],
)
def test_title_and_summary(topic: str, alert_id: str, message: str, title: str, summary: str) -> None:
    assert teams.title_and_summary(Level.WARNING, topic, alert_id, message) == (title, summary)


def _adaptive(title: str, color: str, details: str | None) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "color": color, "wrap": True},
        {"type": "TextBlock", "text": "m", "wrap": True},
    ]
    if details is not None:
        body.append({"type": "TextBlock", "text": details, "wrap": True, "isSubtle": True})
    body.append({"type": "FactSet", "facts": [{"title": "Time", "value": "1970-01-01T00:00:01.5Z"}]})
    card = {"$schema": teams.ADAPTIVE_SCHEMA, "type": "AdaptiveCard", "version": "1.4", "body": body}
    return {
        "type": "message",
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}],
    }


@pytest.mark.parametrize(
    ("level", "color"),
    [(Level.OK, "good"), (Level.INFO, "good"), (Level.WARNING, "warning"), (Level.CRITICAL, "attention")],
    ids=["OK", "INFO", "WARNING", "CRITICAL"],
)
async def test_adaptive_card_by_config(level: Level, color: str, sink: HttpSink, transports: Transports) -> None:
    sink.answer(Answer(202))
    cfg = config(**{"card": "adaptive", "channel-url": sink.url + "/workflows/x"})
    request = teams.render(event(level, details="d"), normalize(teams.KIND, {}, cfg), cfg)
    outcome = await transports.send(request, 5)
    (got,) = await sink.wait_for(1)
    assert outcome.status == 202
    assert got.path == "/workflows/x"
    assert got.json() == _adaptive(f"{level.name}: [cpu]", color, "d")


def test_adaptive_card_by_option_without_details() -> None:
    cfg = config()
    request = teams.render(event(), normalize(teams.KIND, {"card": "Adaptive"}, cfg), cfg)
    assert json.loads(request.body) == _adaptive("CRITICAL: [cpu]", "attention", None)


def test_messagecard_option_overrides_an_adaptive_config() -> None:
    cfg = config(card="adaptive")
    request = teams.render(event(), normalize(teams.KIND, {"card": "messagecard"}, cfg), cfg)
    assert request.body.startswith(b'{"@type":"MessageCard"')
    assert not request.success(202) and request.success(204)


def test_unknown_card_is_refused_at_definition() -> None:
    with pytest.raises(OptionsError) as info:
        normalize(teams.KIND, {"card": "hero"}, config())
    assert str(info.value) == 'card "hero" is not valid, use "messagecard" or "adaptive"'


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"enabled": True, "channel-url": ""}, MISSING_CHANNEL_URL),
        ({"enabled": False, "channel-url": ""}, None),
        (
            {"channel-url": "http://h:x/"},
            'invalid url "http://h:x/": parse "http://h:x/": invalid port ":x" after host',
        ),
    ],
    ids=["enabled-without-url", "disabled", "bad-url"],
)
def test_section_validation(values: dict[str, Any], message: str | None) -> None:
    assert validate({**SECTION.defaults(), **values}) == message


def test_disabled_service() -> None:
    cfg = StaticConfig({"teams": {"enabled": False, "channel-url": "http://h/x"}}, sections=[SECTION])
    with pytest.raises(DeliveryError) as info:
        teams.render(event(), normalize(teams.KIND, {"channel-url": "http://h/y"}, cfg), cfg)
    assert (str(info.value), info.value.reason, info.value.retryable) == (
        "service is not enabled",
        Reason.CONFIG,
        False,
    )


async def test_service_test_uses_the_config_url(sink: HttpSink, transports: Transports) -> None:
    assert dict(teams.SERVICE_TEST.defaults) == {
        "channel_url": "",
        "alert_topic": "test kapacitor alert topic",
        "alert_id": "foo/bar/bat",
        "message": "test teams message",
        "level": "CRITICAL",
    }
    cfg = config(**{"channel-url": f"{sink.url}/{SECRET}"})
    body = {"channel_url": "http://127.0.0.1:9/elsewhere", "level": "warning"}
    (got,) = await assert_service_test_passes(teams.SERVICE_TEST, cfg, transports, sink, body)
    assert got.path == f"/{SECRET}"
    assert got.json() == {
        "@type": "MessageCard",
        "@context": "http://schema.org/extensions",
        "title": "WARNING: [foo/bar/bat]",
        "text": "test teams message",
        "summary": "WARNING: [foo/bar/bat] - test teams message...",
        "themeColor": "FFA533",
    }


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            Answer(400, body=b"Summary or Text is required."),
            "failed to understand Teams response. code: 400 content: Summary or Text is required.",
        ),
        (Answer(403, body=b'{"error":"webhook disabled"}'), "webhook disabled"),
    ],
    ids=["text-body", "json-error-body"],
)
async def test_service_test_failure(answer: Answer, message: str, sink: HttpSink, transports: Transports) -> None:
    sink.answer(answer)
    cfg = config(**{"channel-url": f"{sink.url}/{SECRET}"})
    await assert_service_test_fails(teams.SERVICE_TEST, None, cfg, transports, message)


def webhook_request(url: str) -> HttpRequest:
    cfg = config(**{"channel-url": f"{url}/{SECRET}"})
    return teams.render(event(), normalize(teams.KIND, {}, cfg), cfg)


@pytest.mark.parametrize(
    "failure",
    Failure.cases(
        Failure.refused(
            Answer(400, body=b"bad"), message="failed to understand Teams response. code: 400 content: bad"
        ),
        Failure.throttled(
            Answer(429, headers=(("Retry-After", "7"),), body=b"slow down"),
            7.0,
            message="failed to understand Teams response. code: 429 content: slow down",
        ),
        Failure.failing(
            Answer(502, body=b"bad gateway"),
            message="failed to understand Teams response. code: 502 content: bad gateway",
        ),
        Failure.hang("POST {url}/***: no answer within 0.2s"),
    ),
)
async def test_failures_are_classified(failure: Failure, sink: HttpSink, transports: Transports) -> None:
    await assert_failure(failure, webhook_request, sink, transports, secrets=[SECRET])

"""The discord kind against Kapacitor's vectors, every level, workspaces, rate limits, service test, failures."""

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
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers import discord
from tocsin.handlers.discord_config import SECTION
from tocsin.handlers.options import OptionsError, normalize
from tocsin.handlers.requests import HttpRequest
from tocsin.transports import Transports

# The TICKscript of stream/discord sets these two handlers.
STREAM_OPTIONS = [{"workspace": "company_private"}, {"username": "testy"}]
WEBHOOK_PATH = "/api/webhooks/1234/SECRETwebhookToken"
EVENT = Event(
    topic="t", id="cpu", level=Level.CRITICAL, time=1_500_000_000, message="cpu <high>", name="cpu", tags={"host": "a"}
)


def config(values: dict[str, Any]) -> StaticConfig:
    return StaticConfig(values, sections=[SECTION])


def enabled(url: str, **more: Any) -> StaticConfig:
    return config({"discord": [{"enabled": True, "default": True, "url": url, **more}]})


@pytest.mark.parametrize("case_id", ["server/discord", "stream/discord"])
async def test_vectors(case_id: str, sink: HttpSink, transports: Transports) -> None:
    sink.set_default(204)
    vector = substitute(case(case_id), {"<server>": sink.url})
    cfg = config(vector["config"])
    event = event_from_alert(vector["alert"])
    for raw in STREAM_OPTIONS if case_id == "stream/discord" else [vector["options"]]:
        await transports.send(discord.render(event, normalize(discord.KIND, raw, cfg), cfg), 5)
    got = await sink.wait_for(len(vector["exact"]))
    assert_received_as_vector(got, vector["exact"], absent=["Authorization"])


@pytest.mark.parametrize(
    ("level", "color"),
    [(Level.OK, 8021490), (Level.INFO, 8021490), (Level.WARNING, 16026936), (Level.CRITICAL, 16342867)],
    ids=["OK", "INFO", "WARNING", "CRITICAL"],
)
def test_levels_with_config_timestamp(level: Level, color: int) -> None:
    cfg = enabled("https://discord.example" + WEBHOOK_PATH, timestamp=True, username="bot", **{"avatar-url": "a"})
    event = Event(topic="t", id="a", level=level, time=0, message="m")
    req = discord.render(event, normalize(discord.KIND, {"embed-title": "{{ .Level }} {{ .ID }}"}, cfg), cfg)
    assert req.url == "https://discord.example" + WEBHOOK_PATH
    assert req.body == (
        b'{"avatar_url":"a","embeds":[{"color":'
        + str(color).encode()
        + b',"title":"'
        + level.name.encode()
        + b' a","description":"m","timestamp":"1970-01-01T00:00:00Z"}],"username":"bot"}\n'
    )
    assert req.headers == (("Content-Type", "application/json"),)
    assert req.success(204) and not req.success(200)


@pytest.mark.parametrize(
    ("ns", "text"),
    [
        (1_500_000_000, "1970-01-01T00:00:01Z"),
        (-1, "1969-12-31T23:59:59Z"),
        (31_536_010_000_000_000, "1971-01-01T00:00:10Z"),
    ],
    ids=["fraction-dropped", "before-epoch", "stream-time"],
)
def test_embed_timestamp_is_rfc3339_seconds(ns: int, text: str) -> None:
    assert discord.embed_timestamp(ns) == text


@pytest.mark.parametrize(
    ("values", "options", "message"),
    [
        ([{"enabled": False, "default": True, "url": "http://h"}], {}, "service is not enabled"),
        ([{"enabled": True, "default": True, "url": "http://h"}], {"workspace": "nope"}, "workspace id not found"),
        (
            [{"enabled": True, "workspace": "a", "url": "http://h"}, {"enabled": True, "workspace": "b", "url": "x"}],
            {},
            "workspace id not found",
        ),
        ([], {}, "no discord configuration found"),
    ],
    ids=["disabled", "unknown-workspace", "no-default", "no-configuration"],
)
def test_config_errors(values: list[dict[str, Any]], options: dict[str, str], message: str) -> None:
    cfg = config({"discord": values})
    with pytest.raises(DeliveryError) as info:
        discord.render(EVENT, normalize(discord.KIND, options, cfg), cfg)
    assert (str(info.value), info.value.reason, info.value.retryable) == (message, Reason.CONFIG, False)


def test_workspace_options_fall_back_to_the_named_element() -> None:
    cfg = config(
        {
            "discord": [
                {"enabled": True, "default": True, "url": "http://h/default", "username": "d"},
                {
                    "enabled": True,
                    "workspace": "ops",
                    "url": "http://h/ops",
                    "username": "o",
                    "avatar-url": "http://img",
                },
            ]
        }
    )
    named = discord.render(EVENT, normalize(discord.KIND, {"workspace": "ops"}, cfg), cfg)
    fallback = discord.render(EVENT, normalize(discord.KIND, {"avatar-url": "http://mine"}, cfg), cfg)
    assert (named.url, fallback.url) == ("http://h/ops", "http://h/default")
    assert named.body == (
        b'{"avatar_url":"http://img","embeds":[{"color":16342867,"title":"","description":"cpu \\u003chigh\\u003e",'
        b'"timestamp":""}],"username":"o"}\n'
    )
    assert b'"avatar_url":"http://mine"' in fallback.body and b'"username":"d"' in fallback.body


def test_unparsable_embed_title_is_refused_at_definition() -> None:
    with pytest.raises(OptionsError) as info:
        normalize(discord.KIND, {"embed-title": "{{ .Name"}, enabled("http://h"))
    assert str(info.value) == "template: embedTitle:1: unclosed action"


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"enabled": True}, "Must specify the Discord channel webhook URL"),
        ({"global": True}, "only the default config may be assigned as global"),
        (
            {"default": True, "state-changes-only": True},
            "stateChangesOnly may only be assigned when the config is both default and global",
        ),
        ({"default": True, "global": True, "state-changes-only": True, "enabled": True, "url": "http://h"}, None),
    ],
    ids=["enabled-without-url", "global-not-default", "state-changes-not-global", "valid"],
)
def test_section_validation(values: dict[str, Any], problem: str | None) -> None:
    assert SECTION.validate is not None
    assert SECTION.validate({**SECTION.defaults(), **values}) == problem
    assert [f.name for f in SECTION.fields if f.secret] == ["url"]  # carries the webhook token
    assert SECTION.initial_elements() == [{**SECTION.defaults(), "default": True}]


def webhook_request(url: str) -> HttpRequest:
    cfg = enabled(url + WEBHOOK_PATH)
    return discord.render(EVENT, normalize(discord.KIND, {}, cfg), cfg)


RESET_AFTER = (("Retry-After", "2"), ("X-RateLimit-Reset-After", "1.5"))


@pytest.mark.parametrize(
    "failure",
    Failure.cases(
        Failure.throttled(
            Answer(429, RESET_AFTER, b'{"retry_after": 1.234, "global": false}'), 1.234, name="body-retry-after"
        ),
        Failure.throttled(Answer(429, RESET_AFTER, b"<html>cloudflare</html>"), 1.5, name="reset-after-header"),
        Failure.throttled(
            Answer(429, (("Retry-After", "3"),), b'{"retry_after": "soon"}'), 3.0, name="retry-after-header"
        ),
        Failure.throttled(Answer(429, body=b'{"message": "You are being rate limited."}'), None, name="no-wait-given"),
    ),
)
async def test_rate_limit_waits_exactly_what_discord_asks(
    failure: Failure, sink: HttpSink, transports: Transports
) -> None:
    error = await assert_failure(failure, webhook_request, sink, transports, secrets=["SECRET"])
    assert str(error).startswith(f"HTTP 429 from {sink.url}/***")


def test_inspect_leaves_other_statuses_to_the_shared_rules() -> None:
    inspect = discord.RateLimitInspector("http://h/***")
    assert inspect(204, (), b"") is None
    assert inspect(500, (("Retry-After", "1"),), b'{"retry_after": 1}') is None


def test_service_test_defaults() -> None:
    assert dict(discord.SERVICE_TEST.defaults) == {
        "workspace": "",
        "message": "test discord message",
        "level": "INFO",
        "username": "Kapacitor",
        "avatar-url": "https://influxdata.github.io/branding/img/downloads/influxdata-logo--symbol--pool-alpha.png",
        "embed-title": "Kapacitor Alert",
        "time-val": "1970-01-01T00:00:01Z",
    }


async def test_service_test(sink: HttpSink, transports: Transports) -> None:
    sink.set_default(204)
    cfg = config(
        {
            "discord": [
                {"enabled": True, "default": True, "url": sink.url + "/default"},
                {"enabled": True, "workspace": "ts", "url": sink.url + "/ts", "timestamp": True},
            ]
        }
    )
    posted = {"workspace": "ts", "level": "critical", "embed-title": "{{ .Name }}"}
    first, second = await assert_service_test_passes(discord.SERVICE_TEST, cfg, transports, sink, None, posted)
    assert first.path == "/default"
    assert first.body == (
        b'{"avatar_url":"https://influxdata.github.io/branding/img/downloads/influxdata-logo--symbol--pool-alpha.png",'
        b'"embeds":[{"color":8021490,"title":"Kapacitor Alert","description":"test discord message",'
        b'"timestamp":""}],"username":"Kapacitor"}\n'
    )
    assert second.path == "/ts"
    assert second.json()["embeds"] == [
        {
            "color": 16342867,
            "title": "{{ .Name }}",
            "description": "test discord message",
            "timestamp": "1970-01-01T00:00:01Z",
        }
    ]


async def test_service_test_failure_names_status_and_error_without_the_webhook_token(
    sink: HttpSink, transports: Transports
) -> None:
    sink.answer(Answer(404, body=b'{"message": "Unknown Webhook", "code": 10015}'))
    cfg = enabled(sink.url + WEBHOOK_PATH)
    message = f'HTTP 404 from {sink.url}/***: {{"message": "Unknown Webhook", "code": 10015}}'
    await assert_service_test_fails(discord.SERVICE_TEST, None, cfg, transports, message, secrets=["SECRET"])


@pytest.mark.parametrize(
    "failure",
    Failure.cases(
        Failure.refused(Answer(400, body=b'{"embeds": ["0"]}')),
        Failure.throttled(Answer(429, headers=(("Retry-After", "4"),)), 4.0),
        Failure.failing(Answer(500)),
        Failure.refused(Answer(200, body=b"{}"), Reason.OTHER, name="200-is-not-no-content"),
        Failure.hang(),
    ),
)
async def test_failures_are_classified(failure: Failure, sink: HttpSink, transports: Transports) -> None:
    await assert_failure(failure, webhook_request, sink, transports, secrets=["SECRET"])

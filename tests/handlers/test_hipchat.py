"""The hipchat kind against Kapacitor's vectors, every level, its service test and the failure classes."""

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
from tocsin.handlers import hipchat
from tocsin.handlers.options import normalize
from tocsin.handlers.requests import HttpRequest
from tocsin.transports import Transports

# The TICKscript of stream/hipchat sets these two handlers.
STREAM_OPTIONS = [{"room": "1234567", "token": "testtoken1234567"}, {"room": "Test Room", "token": "testtokenTestRoom"}]
TOKEN = "SECRETtoken42"


def config(values: dict[str, Any]) -> StaticConfig:
    return StaticConfig(values, sections=[hipchat.SECTION])


def enabled(url: str, **more: Any) -> StaticConfig:
    return config({"hipchat": {"enabled": True, "url": url, "token": TOKEN, "room": "ops", **more}})


@pytest.mark.parametrize("case_id", ["server/hipchat", "stream/hipchat"])
async def test_vectors(case_id: str, sink: HttpSink, transports: Transports) -> None:
    vector = substitute(case(case_id), {"<server>": sink.url})
    cfg = config(vector["config"])
    event = event_from_alert(vector["alert"])
    for raw in STREAM_OPTIONS if case_id == "stream/hipchat" else [vector["options"]]:
        await transports.send(hipchat.render(event, normalize(hipchat.KIND, raw, cfg), cfg), 5)
    got = await sink.wait_for(len(vector["exact"]))
    assert_received_as_vector(got, vector["exact"], absent=["Authorization"])


@pytest.mark.parametrize(
    ("level", "color"),
    [(Level.OK, "green"), (Level.INFO, "green"), (Level.WARNING, "yellow"), (Level.CRITICAL, "red")],
    ids=["OK", "INFO", "WARNING", "CRITICAL"],
)
def test_levels(level: Level, color: str) -> None:
    cfg = enabled("https://example.hipchat.com/v2/room")
    event = Event(topic="t", id="a", level=level, time=0, message="cpu <high> & rising")
    req = hipchat.render(event, normalize(hipchat.KIND, {}, cfg), cfg)
    assert req.url == f"https://example.hipchat.com/v2/room/ops/notification?auth_token={TOKEN}"
    assert req.body == (
        b'{"color":"' + color.encode() + b'","from":"kapacitor","message":"cpu \\u003chigh\\u003e \\u0026 rising",'
        b'"notify":true}\n'
    )
    assert req.redacted_url == "https://example.hipchat.com/v2/room/ops/notification?auth_token=xxxxx"
    assert req.success(200) and req.success(204) and not req.success(201)


@pytest.mark.parametrize(
    ("url", "room", "token", "want"),
    [
        ("http://h", "1", "t", "http://h/1/notification?auth_token=t"),
        ("http://h/v2/room/", "Test Room", "a b&c", "http://h/v2/room/Test%20Room/notification?auth_token=a+b%26c"),
        ("http://h/v2/room?old=1", "a/../b", "t", "http://h/v2/room/b/notification?auth_token=t"),
        ("http://h/x%20y//z", "r(1)?", "t", "http://h/x%20y/z/r%281%29%3F/notification?auth_token=t"),
        ("http://h/v2", "", "", "http://h/v2/ops/notification?auth_token=SECRETtoken42"),
    ],
    ids=["bare-host", "escaped-room-and-token", "dot-dot-and-old-query", "go-path-escaping", "config-fallbacks"],
)
def test_url_is_built_as_go_builds_it(url: str, room: str, token: str, want: str) -> None:
    cfg = enabled(url)
    req = hipchat.render(Event(topic="t", id="a", level=Level.OK, time=0), {"room": room, "token": token}, cfg)
    assert req.url == want


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"enabled": True}, "must specify url"),
        ({"enabled": True, "url": "http://h"}, None),
        ({"enabled": False}, None),
    ],
    ids=["enabled-without-url", "valid", "disabled"],
)
def test_section_validation(values: dict[str, Any], problem: str | None) -> None:
    assert hipchat.SECTION.validate is not None
    assert hipchat.SECTION.validate({**hipchat.SECTION.defaults(), **values}) == problem


def test_disabled_service_is_a_config_error() -> None:
    cfg = config({"hipchat": {"url": "http://h"}})
    with pytest.raises(DeliveryError) as info:
        hipchat.render(Event(topic="t", id="a", level=Level.OK, time=0), normalize(hipchat.KIND, {}, cfg), cfg)
    assert (str(info.value), info.value.reason, info.value.retryable) == (
        "service is not enabled",
        Reason.CONFIG,
        False,
    )


async def test_service_test(sink: HttpSink, transports: Transports) -> None:
    assert dict(hipchat.SERVICE_TEST.defaults) == {"room": "", "message": "test hipchat message", "level": "CRITICAL"}
    cfg, posted = enabled(sink.url), {"room": "dev", "level": "warning"}
    first, second = await assert_service_test_passes(hipchat.SERVICE_TEST, cfg, transports, sink, None, posted)
    assert (first.path, first.query_string) == ("/ops/notification", f"auth_token={TOKEN}")
    assert first.body == b'{"color":"red","from":"kapacitor","message":"test hipchat message","notify":true}\n'
    assert second.path == "/dev/notification"
    assert second.json()["color"] == "yellow"


async def test_service_test_failure_names_status_and_error_without_the_token(
    sink: HttpSink, transports: Transports
) -> None:
    sink.answer(Answer(401, body=b'{"error":{"code":401,"message":"Invalid OAuth session"}}'))
    message = (
        f"HTTP 401 from {sink.url}/ops/notification?auth_token=xxxxx: "
        '{"error":{"code":401,"message":"Invalid OAuth session"}}'
    )
    await assert_service_test_fails(hipchat.SERVICE_TEST, None, enabled(sink.url), transports, message, secrets=[TOKEN])


def ok_request(url: str) -> HttpRequest:
    cfg = enabled(url)
    return hipchat.render(Event(topic="t", id="a", level=Level.OK, time=0), normalize(hipchat.KIND, {}, cfg), cfg)


@pytest.mark.parametrize(
    "failure",
    Failure.cases(
        Failure.refused(Answer(404, body=b"no room")),
        Failure.throttled(Answer(429, headers=(("Retry-After", "7"),)), 7.0),
        Failure.failing(Answer(502)),
        Failure.hang(),
    ),
)
async def test_failures_are_classified(failure: Failure, sink: HttpSink, transports: Transports) -> None:
    await assert_failure(failure, ok_request, sink, transports, secrets=[TOKEN])

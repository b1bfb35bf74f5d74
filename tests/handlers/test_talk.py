"""The talk kind against Kapacitor's vectors, every level, its service test and a hidden webhook URL."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.config import StaticConfig
from tests.support.http_matrix import Failure, assert_failure, assert_service_test_fails, assert_service_test_passes
from tests.support.sink import Answer, HttpSink
from tests.support.vectors import case, event_from_alert, substitute
from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers import talk
from tocsin.handlers.options import normalize
from tocsin.handlers.requests import HttpRequest
from tocsin.transports import Transports

SECRET_PATH = "/v1/services/webhook/PLANTEDsecret0123"


def config(url: str = "https://jianliao.com" + SECRET_PATH, **values: Any) -> StaticConfig:
    return StaticConfig(
        {"talk": {"enabled": True, "url": url, "author_name": "Kapacitor", **values}}, sections=[talk.SECTION]
    )


@pytest.mark.parametrize("case_id", ["server/talk", "stream/talk"])
async def test_vectors(case_id: str, sink: HttpSink, transports: Transports) -> None:
    vector = substitute(case(case_id), {"<server>": sink.url})
    cfg = StaticConfig(vector["config"], sections=[talk.SECTION])
    alert = event_from_alert(vector["alert"])
    await transports.send(talk.render(alert, normalize(talk.KIND, vector.get("options"), cfg), cfg), 5)
    (received,) = await sink.wait_for(1)
    (want,) = vector["exact"]
    assert (received.method, received.path, received.query_string) == (want["method"], want["path"], "")
    assert received.body == want["body"].encode()
    assert received.header_values("Content-Type") == ["application/json"]


@pytest.mark.parametrize("level", list(Level), ids=[level.name for level in Level])
def test_every_level_sends_the_same_shape(level: Level) -> None:
    cfg = config()
    req = talk.render(Event(topic="t", id="cpu<1>", level=level, time=0, message=f"is {level.name}"), {}, cfg)
    assert (
        req.body
        == ('{"authorName":"Kapacitor","text":"is ' + level.name + '","title":"cpu\\u003c1\\u003e"}\n').encode()
    )
    assert (req.method, req.url, req.redacted_url) == (
        "POST",
        "https://jianliao.com" + SECRET_PATH,
        "https://jianliao.com/***",
    )


@pytest.mark.parametrize(
    "raw", [None, {}, {"anything": 1, "title": ["x"]}, ["not", "a", "map"]], ids=["null", "empty", "junk", "list"]
)
def test_options_are_ignored_as_kapacitor_never_decodes_them(raw: Any) -> None:
    assert normalize(talk.KIND, raw) == {}


def test_disabled_service_and_section_checks() -> None:
    cfg = StaticConfig({"talk": {"url": "http://h/x"}}, sections=[talk.SECTION])
    with pytest.raises(DeliveryError) as caught:
        talk.render(Event(topic="t", id="a", level=Level.CRITICAL, time=0), {}, cfg)
    assert (str(caught.value), caught.value.reason, caught.value.retryable) == (
        "service is not enabled",
        Reason.CONFIG,
        False,
    )
    assert talk.SECTION.defaults() == {"enabled": False, "url": "", "author_name": ""}
    assert talk.SECTION.secrets == ("url",)
    assert talk.SECTION.validate is not None
    assert talk.SECTION.validate({"enabled": True, "url": "", "author_name": ""}) == "must specify url"
    assert talk.SECTION.validate({"enabled": False, "url": "", "author_name": ""}) is None


def webhook_request(url: str) -> HttpRequest:
    return talk.render(Event(topic="t", id="a", level=Level.OK, time=0), {}, config(url + SECRET_PATH))


@pytest.mark.parametrize(
    "failure",
    Failure.cases(
        Failure.refused(
            Answer(404, body=b'{"code":404,"message":"not found"}'),
            message='HTTP 404 from {url}/***: {"code":404,"message":"not found"}',
        ),
        Failure.throttled(Answer(429, headers=(("Retry-After", "2"),)), 2.0, message="HTTP 429 from {url}/***"),
        Failure.failing(Answer(502, body=b"bad gateway"), message="HTTP 502 from {url}/***: bad gateway"),
        Failure.hang("POST {url}/***: no answer within 0.2s"),
    ),
)
async def test_failures_are_classified_without_the_webhook(
    failure: Failure, sink: HttpSink, transports: Transports
) -> None:
    await assert_failure(failure, webhook_request, sink, transports, secrets=["PLANTED"])


async def test_service_test_success_and_failure(sink: HttpSink, transports: Transports) -> None:
    assert dict(talk.SERVICE_TEST.defaults) == {"title": "testTitle", "text": "test talk text"}
    cfg = config(sink.url + SECRET_PATH, author_name="")
    first, second = await assert_service_test_passes(talk.SERVICE_TEST, cfg, transports, sink, None, {"TITLE": "t2"})
    assert (first.path, first.body) == (SECRET_PATH, b'{"authorName":"","text":"test talk text","title":"testTitle"}\n')
    assert second.body == b'{"authorName":"","text":"test talk text","title":"t2"}\n'
    sink.answer(Answer(403, body=b"token revoked"))
    message = f"HTTP 403 from {sink.url}/***: token revoked"
    await assert_service_test_fails(talk.SERVICE_TEST, None, cfg, transports, message, secrets=["PLANTED"])


async def test_service_test_on_a_disabled_service(transports: Transports) -> None:
    cfg = StaticConfig(sections=[talk.SECTION])
    await assert_service_test_fails(talk.SERVICE_TEST, None, cfg, transports, "service is not enabled")

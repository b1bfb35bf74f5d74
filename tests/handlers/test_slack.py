"""The slack kind against Kapacitor's vectors, every level, and its service test."""

from __future__ import annotations

import pytest

from tests.support.config import StaticConfig
from tests.support.sink import Answer, HttpSink
from tests.support.vectors import case, event_from_alert, substitute
from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers import slack
from tocsin.handlers.options import normalize
from tocsin.handlers.service_tests import run_service_test
from tocsin.handlers.slack_config import SECTION
from tocsin.transports import Transports

# The TICKscript of stream/slack sets these two handlers.
STREAM_OPTIONS = [{"workspace": "company_private", "channel": "#alerts"}, {"channel": "@jim"}]


def config(values: dict[str, object]) -> StaticConfig:
    return StaticConfig(values, sections=[SECTION])


@pytest.mark.parametrize("case_id", ["server/slack", "stream/slack"])
async def test_vectors(case_id: str, sink: HttpSink, transports: Transports) -> None:
    vector = substitute(case(case_id), {"<server>": sink.url.rstrip("/")})
    cfg = config(vector["config"])
    event = event_from_alert(vector["alert"])
    for raw in STREAM_OPTIONS if case_id == "stream/slack" else [vector["options"]]:
        await transports.send(slack.render(event, normalize(slack.KIND, raw, cfg), cfg), 5)
    got = await sink.wait_for(len(vector["exact"]))
    for received, want in zip(got, vector["exact"], strict=True):
        assert (received.method, received.path) == (want["method"], want["path"])
        assert received.body == want["body"].encode()
        assert received.header("Content-Type") == "application/json"
        assert received.header("Authorization") == want["headers"].get("Authorization")


@pytest.mark.parametrize(
    ("level", "color"),
    [(Level.OK, "good"), (Level.INFO, "good"), (Level.WARNING, "warning"), (Level.CRITICAL, "danger")],
)
def test_level_colors(level: Level, color: str) -> None:
    cfg = config({"slack": {"enabled": True, "url": "http://h/x", "channel": "#c", "icon-emoji": ":x:"}})
    event = Event(topic="t", id="a", level=level, time=0, message="m <&>")
    req = slack.render(event, normalize(slack.KIND, {"username": "bot"}, cfg), cfg)
    assert (
        req.body
        == (
            '{"attachments":[{"fallback":"m \\u003c\\u0026\\u003e","color":"'
            + color
            + '","text":"m \\u003c\\u0026\\u003e",'
            '"mrkdwn_in":["text"]}],"channel":"#c","icon_emoji":":x:","text":"","username":"bot"}\n'
        ).encode()
    )


@pytest.mark.parametrize(
    ("values", "options", "message"),
    [
        ({"slack": {"url": "http://h/x"}}, {}, "service is not enabled"),
        (
            {"slack": {"enabled": True, "url": "http://h/x"}},
            {"workspace": "nope"},
            'slack workspace "nope" does not exist',
        ),
    ],
    ids=["disabled", "unknown-workspace"],
)
def test_config_errors(values: dict[str, object], options: dict[str, str], message: str) -> None:
    cfg = config(values)
    event = Event(topic="t", id="a", level=Level.CRITICAL, time=0)
    with pytest.raises(DeliveryError) as info:
        slack.render(event, normalize(slack.KIND, options, cfg), cfg)
    assert (str(info.value), info.value.reason, info.value.retryable) == (message, Reason.CONFIG, False)


async def test_service_test_success_and_failure_hide_the_webhook(sink: HttpSink, transports: Transports) -> None:
    secret_url = sink.url.rstrip("/") + "/services/T0/B0/SECRET"
    cfg = config({"slack": {"enabled": True, "url": secret_url, "channel": "#general"}})
    assert await run_service_test(slack.SERVICE_TEST, None, cfg, transports, 5) == (True, "")
    (req,) = await sink.wait_for(1)
    assert req.json()["attachments"][0]["text"] == "test slack message"
    assert req.json()["channel"] == "#general"
    sink.answer(Answer(404, body=b"no_service"))
    ok, message = await run_service_test(slack.SERVICE_TEST, {"channel": "#x"}, cfg, transports, 5)
    assert not ok and "404" in message and "no_service" in message and "SECRET" not in message

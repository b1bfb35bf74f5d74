"""The telegram kind against Kapacitor's vectors, its URL, parse modes, escaping, answers and service test."""

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
from tocsin.handlers import telegram
from tocsin.handlers.options import normalize
from tocsin.handlers.requests import HttpRequest
from tocsin.handlers.telegram_config import MISSING_TOKEN, MISSING_URL, SECTION, validate
from tocsin.transports import Transports

# The TICKscript of stream/telegram sets these two handlers.
STREAM_OPTIONS: list[dict[str, Any]] = [
    {"chat-id": "12345678", "disable-notification": True, "parse-mode": "HTML"},
    {"chat-id": "87654321"},
]
TOKEN = "TOKEN:AUTH"


def config(**values: Any) -> StaticConfig:
    base = {"enabled": True, "url": "http://h/bot", "token": TOKEN, "chat-id": "42"}
    return StaticConfig({"telegram": {**base, **values}}, sections=[SECTION])


def event(message: str = "m", level: Level = Level.CRITICAL) -> Event:
    return Event(topic="t", id="a", level=level, time=0, message=message)


def sent(options: dict[str, Any], cfg: StaticConfig, message: str = "m") -> Any:
    return json.loads(telegram.render(event(message), normalize(telegram.KIND, options, cfg), cfg).body)


@pytest.mark.parametrize("case_id", ["server/telegram", "stream/telegram"])
async def test_vectors(case_id: str, sink: HttpSink, transports: Transports) -> None:
    vector = substitute(case(case_id), {"<server>": sink.url})
    cfg = StaticConfig(vector["config"], sections=[SECTION])
    alert = event_from_alert(vector["alert"])
    for raw in STREAM_OPTIONS if case_id == "stream/telegram" else [vector["options"]]:
        await transports.send(telegram.render(alert, normalize(telegram.KIND, raw, cfg), cfg), 5)
    got = await sink.wait_for(len(vector["exact"]))
    for received, want in zip(got, vector["exact"], strict=True):
        assert (received.method, received.path) == (want["method"], want["path"])
        assert received.body == want["body"].encode()
        assert received.header_values("Content-Type") == ["application/json"]


@pytest.mark.parametrize("level", list(Level), ids=[level.name for level in Level])
def test_levels_do_not_change_the_message(level: Level) -> None:
    cfg = config()
    request = telegram.render(event("a <b>", level), normalize(telegram.KIND, {}, cfg), cfg)
    assert request.body == b'{"chat_id":"42","text":"a \\u003cb\\u003e"}\n'


@pytest.mark.parametrize(
    ("base", "token", "url"),
    [
        ("https://api.telegram.org/bot", "123:ABC", "https://api.telegram.org/bot123:ABC/sendMessage"),
        ("http://h/bot/", "T", "http://h/bot/T/sendMessage"),
        ("http://h", "T", "http://h/T/sendMessage"),
        ("http://h//x/../bot", "T", "http://h/botT/sendMessage"),
        ("http://h/a%20b/bot", "T!", "http://h/a%20b/botT%21/sendMessage"),
        ("http://h/bot?x=1", "T", "http://h/botT/sendMessage?x=1"),
    ],
    ids=["default", "trailing-slash", "no-path", "cleaned", "escaped", "query-kept"],
)
def test_send_url(base: str, token: str, url: str) -> None:
    assert telegram.send_url(base, token) == url


def test_redacted_url_hides_token_and_userinfo() -> None:
    assert (
        telegram.redacted_send_url("https://u:p@api.telegram.org/bot") == "https://api.telegram.org/bot***/sendMessage"
    )


@pytest.mark.parametrize(
    ("option", "configured", "want"),
    [
        ("", "HTML", "HTML"),
        ("markdown", "HTML", "markdown"),
        ("MarkdownV2", "", "MarkdownV2"),
        ("none", "HTML", None),
        ("NONE", "", None),
    ],
    ids=["config", "option-as-written", "markdownv2", "none-beats-config", "none-any-case"],
)
def test_parse_mode(option: str, configured: str, want: str | None) -> None:
    body = sent({"parse-mode": option}, config(**{"parse-mode": configured}))
    assert body.get("parse_mode") == want


def test_invalid_parse_mode_is_refused_when_sending() -> None:
    cfg = config()
    options = normalize(telegram.KIND, {"parse-mode": "rst"}, cfg)
    with pytest.raises(DeliveryError) as info:
        telegram.render(event(), options, cfg)
    assert str(info.value) == "parseMode rst is not valid, please use 'Markdown' or 'HTML'"
    assert (info.value.reason, info.value.retryable) == (Reason.CONFIG, False)


TRICKY = "cpu_load > 90% [a*b] (x.y) #1 `c` & <d> ~e! {f}=g|h+i-j \\k"


@pytest.mark.parametrize(
    ("mode", "escaped"),
    [
        ("MarkdownV2", r"cpu\_load \> 90% \[a\*b\] \(x\.y\) \#1 \`c\` & <d\> \~e\! \{f\}\=g\|h\+i\-j \\k"),
        ("Markdown", r"cpu\_load > 90% \[a\*b] (x.y) #1 \`c\` & <d> ~e! {f}=g|h+i-j \k"),
        ("HTML", r"cpu_load &gt; 90% [a*b] (x.y) #1 `c` &amp; &lt;d&gt; ~e! {f}=g|h+i-j \k"),
        ("none", TRICKY),
    ],
    ids=["markdownv2", "markdown", "html", "none"],
)
def test_escape_text(mode: str, escaped: str) -> None:
    assert sent({"parse-mode": mode, "escape-text": True}, config(), TRICKY)["text"] == escaped


def test_text_is_kapacitors_unless_escaping_is_on() -> None:
    assert sent({"parse-mode": "HTML"}, config(), "<b>")["text"] == "<b>"
    assert sent({"parse-mode": "HTML"}, config(**{"escape-text": True}), "<b>")["text"] == "&lt;b&gt;"


@pytest.mark.parametrize(
    ("option", "configured", "present"),
    [(False, False, False), (True, False, True), (False, True, True), (True, True, True)],
    ids=["neither", "option", "config", "both"],
)
def test_flags_are_option_or_config(option: bool, configured: bool, present: bool) -> None:
    cfg = config(**{"disable-notification": configured, "disable-web-page-preview": configured})
    body = sent({"disable-notification": option, "disable-web-page-preview": option, "chat-id": "c"}, cfg)
    assert body == (
        {"chat_id": "c", "disable_notification": True, "disable_web_page_preview": True, "text": "m"}
        if present
        else {"chat_id": "c", "text": "m"}
    )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"enabled": True, "url": "", "token": "t"}, MISSING_URL),
        ({"enabled": True, "token": ""}, MISSING_TOKEN),
        ({"enabled": False, "token": ""}, None),
        ({"url": "http://h/%zz"}, 'invalid url "http://h/%zz": parse "http://h/%zz": invalid URL escape "%zz"'),
    ],
    ids=["no-url", "no-token", "disabled", "bad-url"],
)
def test_section_validation(values: dict[str, Any], message: str | None) -> None:
    assert validate({**SECTION.defaults(), **values}) == message


def test_disabled_service() -> None:
    cfg = config(enabled=False)
    with pytest.raises(DeliveryError) as info:
        telegram.render(event(), normalize(telegram.KIND, {}, cfg), cfg)
    assert (str(info.value), info.value.reason, info.value.retryable) == (
        "service is not enabled",
        Reason.CONFIG,
        False,
    )


async def test_service_test(sink: HttpSink, transports: Transports) -> None:
    assert dict(telegram.SERVICE_TEST.defaults) == {
        "chat-id": "",
        "parse-mode": "",
        "message": "test telegram message",
        "disable-web-page-preview": False,
        "disable-notification": False,
    }
    cfg = config(url=sink.url + "/bot", **{"parse-mode": "HTML"})
    (got,) = await assert_service_test_passes(telegram.SERVICE_TEST, cfg, transports, sink, None)
    assert got.path == "/botTOKEN:AUTH/sendMessage"
    assert got.body == b'{"chat_id":"42","parse_mode":"HTML","text":"test telegram message"}\n'
    sink.answer(Answer(400, body=b'{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}'))
    message = "sendMessage error (400) description: Bad Request: chat not found"
    await assert_service_test_fails(telegram.SERVICE_TEST, {"chat-id": "x"}, cfg, transports, message, secrets=[TOKEN])


def _answer(status: int, **body: Any) -> Answer:
    return Answer(status, body=json.dumps(body).encode())


def bot_request(url: str) -> HttpRequest:
    cfg = config(url=url + "/bot")
    return telegram.render(event(), normalize(telegram.KIND, {}, cfg), cfg)


@pytest.mark.parametrize(
    "failure",
    Failure.cases(
        Failure.refused(
            _answer(400, ok=False, error_code=400, description="Bad Request: can't parse entities"),
            name="400",
            message="sendMessage error (400) description: Bad Request: can't parse entities",
        ),
        Failure.refused(
            _answer(403, ok=False, error_code=403, description="Forbidden: bot was blocked by the user"),
            Reason.AUTH_ERROR,
            name="403",
            message="sendMessage error (403) description: Forbidden: bot was blocked by the user",
        ),
        Failure.throttled(
            _answer(
                429,
                ok=False,
                error_code=429,
                description="Too Many Requests: retry after 12",
                parameters={"retry_after": 12},
            ),
            12.0,
            name="429-retry-after-parameter",
            message="sendMessage error (429) description: Too Many Requests: retry after 12",
        ),
        Failure.throttled(
            Answer(429, headers=(("Retry-After", "3"),), body=b"slow"),
            3.0,
            name="429-header",
            message="HTTP 429 from {url}/bot***/sendMessage: slow",
        ),
        Failure.failing(
            Answer(502, body=b"<html>Bad Gateway</html>"),
            name="5xx-not-json",
            message="HTTP 502 from {url}/bot***/sendMessage: <html>Bad Gateway</html>",
        ),
        Failure.refused(
            _answer(200, ok=False, error_code=400, description="Bad Request: message text is empty"),
            name="200-not-ok",
            message="sendMessage error (400) description: Bad Request: message text is empty",
        ),
        Failure.throttled(
            _answer(200, ok=False, error_code=429, description="Too Many Requests", parameters={"retry_after": 5}),
            5.0,
            name="200-not-ok-429",
            message="sendMessage error (429) description: Too Many Requests",
        ),
        Failure.hang("POST {url}/bot***/sendMessage: no answer within 0.2s"),
    ),
)
async def test_failures_are_classified(failure: Failure, sink: HttpSink, transports: Transports) -> None:
    await assert_failure(failure, bot_request, sink, transports, secrets=[TOKEN])


async def test_ok_answer_is_accepted(sink: HttpSink, transports: Transports) -> None:
    sink.answer(_answer(200, ok=True, result={"message_id": 1}))
    outcome = await transports.send(bot_request(sink.url), 5)
    assert outcome.status == 200

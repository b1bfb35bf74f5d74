"""The slack kind against Kapacitor's vectors, every level, and its service test."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from tests.support.config import StaticConfig
from tests.support.http_matrix import Failure, assert_failure, assert_service_test_fails, assert_service_test_passes
from tests.support.sink import Answer, HttpSink
from tests.support.vectors import case, event_from_alert, substitute
from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.config.loader import load_text
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.errors import ConfigError
from tocsin.handlers import slack, slack_config
from tocsin.handlers.options import OptionsError, normalize
from tocsin.handlers.requests import HttpRequest
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
    (req,) = await assert_service_test_passes(slack.SERVICE_TEST, cfg, transports, sink, None)
    assert req.json()["attachments"][0]["text"] == "test slack message"
    assert req.json()["channel"] == "#general"
    sink.answer(Answer(404, body=b"no_service"))
    message = f"HTTP 404 from {sink.url}/***: no_service"
    await assert_service_test_fails(slack.SERVICE_TEST, {"channel": "#x"}, cfg, transports, message, secrets=["SECRET"])


# Tocsin's additions: Block Kit, chat.postMessage with a bot token, threads.

TOKEN = "xoxb-SECRET-token"
NS = 1_000_000_000
T0 = 1_700_000_000 * NS
POST_MESSAGE = "/api/chat.postMessage"


def event(
    level: Level = Level.CRITICAL, previous: Level = Level.OK, message: str = "cpu is hot", alert_id: str = "cpu"
) -> Event:
    return Event(topic="t", id=alert_id, level=level, previous_level=previous, time=T0, message=message)


def workspace(url: str, **extra: object) -> StaticConfig:
    return config({"slack": {"enabled": True, "url": url, "channel": "#c", "icon-emoji": ":x:", **extra}})


def api_workspace(base: str, **extra: object) -> StaticConfig:
    return workspace(base + POST_MESSAGE, token=TOKEN, **extra)


def render(cfg: StaticConfig, options: Mapping[str, object] | None = None, ev: Event | None = None) -> HttpRequest:
    return slack.render(ev or event(), normalize(slack.KIND, options or {}, cfg), cfg)


def render_memo(
    cfg: StaticConfig, ev: Event, memo: str | None, options: Mapping[str, object] | None = None
) -> HttpRequest:
    return slack.render_memo(ev, normalize(slack.KIND, options or {}, cfg), cfg, memo)


def body_of(req: HttpRequest) -> Any:
    return json.loads(req.body)


def test_blocks_layout_exact_body() -> None:
    cfg = workspace("http://h/x")
    req = render(cfg, {"layout": "blocks", "username": "bot"}, event(message="cpu <&> *hot*", alert_id="cpu/a"))
    assert req.body == (
        b'{"attachments":[{"color":"danger","blocks":[{"type":"section","text":{"type":"mrkdwn","text":'
        b'"cpu \\u003c\\u0026\\u003e *hot*"}},{"type":"context","elements":[{"type":"mrkdwn","text":'
        b'"\\u003c!date^1700000000^{date_short_pretty} {time_secs}|2023-11-14T22:13:20Z\\u003e"}]}]}],'
        b'"blocks":[{"type":"header","text":{"type":"plain_text","text":"CRITICAL: cpu/a"}}],'
        b'"channel":"#c","icon_emoji":":x:","text":"cpu \\u003c\\u0026\\u003e *hot*","username":"bot"}\n'
    )
    assert (req.url, req.headers, req.inspect) == ("http://h/x", (("Content-Type", "application/json"),), None)


@pytest.mark.parametrize(
    ("level", "color"),
    [(Level.OK, "good"), (Level.INFO, "good"), (Level.WARNING, "warning"), (Level.CRITICAL, "danger")],
    ids=["ok", "info", "warning", "critical"],
)
def test_blocks_layout_keeps_level_colors(level: Level, color: str) -> None:
    body = body_of(render(workspace("http://h/x", layout="blocks"), ev=event(level)))
    assert body["attachments"][0]["color"] == color
    assert body["blocks"][0]["text"]["text"] == f"{level}: cpu"


def test_blocks_layout_omits_an_empty_section_and_cuts_long_texts() -> None:
    cfg = workspace("http://h/x", layout="blocks")
    body = body_of(render(cfg, ev=event(message="")))
    assert [b["type"] for b in body["attachments"][0]["blocks"]] == ["context"]
    body = body_of(render(cfg, ev=event(message="m" * 3001, alert_id="i" * 200)))
    assert body["blocks"][0]["text"]["text"] == "CRITICAL: " + "i" * 139 + "…"
    assert body["attachments"][0]["blocks"][0]["text"]["text"] == "m" * 2999 + "…"


@pytest.mark.parametrize(
    ("workspace_layout", "option", "has_blocks"),
    [("attachment", "", False), ("blocks", "", True), ("blocks", "attachment", False), ("attachment", "Blocks", True)],
    ids=["default", "workspace", "option-overrides", "option-any-case"],
)
def test_layout_option_overrides_the_workspace(workspace_layout: str, option: str, has_blocks: bool) -> None:
    body = body_of(render(workspace("http://h/x", layout=workspace_layout), {"layout": option}))
    assert ("blocks" in body) is has_blocks


def test_unknown_layout_option_is_refused() -> None:
    with pytest.raises(OptionsError) as info:
        normalize(slack.KIND, {"layout": "cards"}, workspace("http://h/x"))
    assert str(info.value) == 'layout "cards" is not valid, use "attachment" or "blocks"'


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"enabled": True, "api-url": "https://s/api/chat.postMessage", "token": "t"}, None),
        (
            {"api-url": "https://s/api/chat.postMessage"},
            "api-url needs token: chat.postMessage only accepts a bot token",
        ),
        ({"enabled": True}, "must specify url"),
    ],
    ids=["api-url-instead-of-url", "api-url-without-token", "neither"],
)
def test_section_validation_of_api_url(changes: dict[str, object], message: str | None) -> None:
    assert slack_config.validate({**SECTION.defaults(), "default": True, **changes}) == message


def test_bad_layout_in_config_names_the_line() -> None:
    with pytest.raises(ConfigError) as info:
        load_text('[[slack]]\nlayout = "cards"\n', "k.conf", environ={})
    assert str(info.value) == 'k.conf:2: [slack] layout: invalid value "cards", must be one of "attachment", "blocks"'


KAPACITOR_BODY = (
    b'{"attachments":[{"fallback":"cpu is hot","color":"danger","text":"cpu is hot","mrkdwn_in":["text"]}],'
    b'"channel":"#c","icon_emoji":":x:","text":"","username":"kapacitor"}\n'
)


@pytest.mark.parametrize(
    ("values", "url"),
    [
        ({"url": "https://slack.com/api/chat.postMessage"}, "https://slack.com/api/chat.postMessage"),
        (
            {"url": "https://hooks.slack.com/services/A", "api-url": "https://chat.example/api/chat.postMessage"},
            "https://chat.example/api/chat.postMessage",
        ),
    ],
    ids=["url-is-post-message", "api-url-wins"],
)
def test_post_message_sends_bearer_token_and_utf8(values: dict[str, object], url: str) -> None:
    cfg = config({"slack": {"enabled": True, "token": TOKEN, "channel": "#c", "icon-emoji": ":x:", **values}})
    req = render(cfg)
    assert (req.method, req.url, req.body) == ("POST", url, KAPACITOR_BODY)
    assert req.headers == (("Content-Type", "application/json; charset=utf-8"), ("Authorization", f"Bearer {TOKEN}"))
    assert req.redacted_url == url and req.inspect is not None and req.memo is None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"channel": ""},
            'slack workspace "": chat.postMessage needs a channel: set `channel` in the handler or workspace',
        ),
        (
            {"token": "", "workspace": "ops"},
            'slack workspace "ops": chat.postMessage needs a bot token: set `token` in the workspace',
        ),
    ],
    ids=["no-channel", "no-token"],
)
def test_post_message_needs_channel_and_token(values: dict[str, object], message: str) -> None:
    cfg = config(
        {
            "slack": {
                "enabled": True,
                "url": "https://slack.com/api/chat.postMessage",
                "token": TOKEN,
                "channel": "#c",
                **values,
            }
        }
    )
    with pytest.raises(DeliveryError) as info:
        render(cfg)
    assert (str(info.value), info.value.reason, info.value.retryable) == (message, Reason.CONFIG, False)


def test_post_message_channel_option_overrides_the_workspace() -> None:
    assert body_of(render(api_workspace("https://slack.com"), {"channel": "C0123"}))["channel"] == "C0123"


def refused(error: str, **extra: object) -> bytes:
    return json.dumps({"ok": False, "error": error, **extra}).encode()


AT = "HTTP 200 from {url}/api/chat.postMessage: "
ANSWERS = [
    Failure(
        "channel-not-found",
        Answer(200, body=refused("channel_not_found")),
        Reason.CLIENT_ERROR,
        False,
        None,
        AT + 'slack error "channel_not_found"',
    ),
    Failure(
        "not-in-channel",
        Answer(200, body=refused("not_in_channel")),
        Reason.CLIENT_ERROR,
        False,
        None,
        AT + 'slack error "not_in_channel"',
    ),
    Failure(
        "invalid-auth",
        Answer(200, body=refused("invalid_auth")),
        Reason.AUTH_ERROR,
        False,
        None,
        AT + 'slack error "invalid_auth"',
    ),
    Failure(
        "not-authed",
        Answer(200, body=refused("not_authed")),
        Reason.AUTH_ERROR,
        False,
        None,
        AT + 'slack error "not_authed"',
    ),
    Failure(
        "token-revoked",
        Answer(200, body=refused("token_revoked")),
        Reason.AUTH_ERROR,
        False,
        None,
        AT + 'slack error "token_revoked"',
    ),
    Failure(
        "missing-scope",
        Answer(200, body=refused("missing_scope", needed="chat:write")),
        Reason.AUTH_ERROR,
        False,
        None,
        AT + 'slack error "missing_scope": needs scope chat:write',
    ),
    Failure(
        "ratelimited-429",
        Answer(429, (("Retry-After", "7"),), refused("ratelimited")),
        Reason.RATE_LIMITED,
        True,
        7.0,
        'HTTP 429 from {url}/api/chat.postMessage: slack error "ratelimited"',
    ),
    Failure(
        "rate-limited-200",
        Answer(200, (("Retry-After", "3"),), refused("rate_limited")),
        Reason.RATE_LIMITED,
        True,
        3.0,
        AT + 'slack error "rate_limited"',
    ),
    Failure(
        "internal-error",
        Answer(200, body=refused("internal_error")),
        Reason.SERVER_ERROR,
        True,
        None,
        AT + 'slack error "internal_error"',
    ),
    Failure(
        "fatal-error",
        Answer(200, body=refused("fatal_error")),
        Reason.SERVER_ERROR,
        True,
        None,
        AT + 'slack error "fatal_error"',
    ),
    Failure(
        "invalid-blocks",
        Answer(
            200,
            body=refused(
                "invalid_blocks",
                response_metadata={
                    "messages": ["[ERROR] must be more than 0 characters [json-pointer:/blocks/0/text]"]
                },
            ),
        ),
        Reason.OTHER,
        False,
        None,
        AT + 'slack error "invalid_blocks": [ERROR] must be more than 0 characters [json-pointer:/blocks/0/text]',
    ),
    Failure(
        "unknown-code-without-error-text",
        Answer(200, body=b'{"ok":false}'),
        Reason.OTHER,
        False,
        None,
        AT + 'slack error "unknown_error"',
    ),
    Failure(
        "unknown-code-on-503-uses-http-rules",
        Answer(503, (("Retry-After", "2"),), refused("odd")),
        Reason.SERVER_ERROR,
        True,
        2.0,
        'HTTP 503 from {url}/api/chat.postMessage: {"ok": false, "error": "odd"}',
    ),
    Failure(
        "plain-500",
        Answer(500, body=b"oops"),
        Reason.SERVER_ERROR,
        True,
        None,
        "HTTP 500 from {url}/api/chat.postMessage: oops",
    ),
]


def post_message_request(url: str) -> HttpRequest:
    return render(api_workspace(url))


@pytest.mark.parametrize("failure", Failure.cases(*ANSWERS))
async def test_post_message_answers_are_classified(failure: Failure, sink: HttpSink, transports: Transports) -> None:
    await assert_failure(failure, post_message_request, sink, transports, secrets=[TOKEN])


async def test_post_message_ok_answer_is_delivered(sink: HttpSink, transports: Transports) -> None:
    sink.answer(Answer(200, body=b'{"ok":true,"channel":"C1","ts":"1.2","warning":"missing_charset"}'))
    outcome = await transports.send(render(api_workspace(sink.url)), 5)
    assert (outcome.status, outcome.memo) == (200, None)
    (got,) = await sink.wait_for(1)
    assert (got.path, got.body) == (POST_MESSAGE, KAPACITOR_BODY)
    assert got.header("Authorization") == f"Bearer {TOKEN}"
    assert got.header("Content-Type") == "application/json; charset=utf-8"


async def test_webhook_ignores_json_bodies_and_success_is_200(sink: HttpSink, transports: Transports) -> None:
    cfg = workspace(sink.url + "/services/T0/B0/SECRET")
    sink.answer(Answer(200, body=refused("channel_not_found")), Answer(201, body=b"created"))
    assert (await transports.send(render(cfg), 5)).status == 200
    with pytest.raises(DeliveryError) as info:
        await transports.send(render(cfg), 5)
    assert (info.value.reason, info.value.retryable) == (Reason.OTHER, False)
    assert str(info.value) == f"HTTP 201 from {sink.url}/***: created"


def webhook_request(url: str) -> HttpRequest:
    return render(workspace(url + "/services/T0/B0/SECRET"))


@pytest.mark.parametrize(
    "failure",
    Failure.cases(
        Failure.refused(Answer(404, body=b"no_service"), name="404", message="HTTP 404 from {url}/***: no_service"),
        Failure.refused(
            Answer(403, body=b"invalid_token"),
            Reason.AUTH_ERROR,
            name="403",
            message="HTTP 403 from {url}/***: invalid_token",
        ),
        Failure.throttled(
            Answer(429, (("Retry-After", "30"),), b"rate_limited"),
            30.0,
            message="HTTP 429 from {url}/***: rate_limited",
        ),
        Failure.failing(Answer(500, body=b"rollup_error"), name="500", message="HTTP 500 from {url}/***: rollup_error"),
        Failure.hang("POST {url}/***: no answer within 0.2s"),
    ),
)
async def test_webhook_failures_are_classified_and_hide_the_url(
    failure: Failure, sink: HttpSink, transports: Transports
) -> None:
    await assert_failure(failure, webhook_request, sink, transports, secrets=["SECRET"])


async def test_service_test_through_post_message(sink: HttpSink, transports: Transports) -> None:
    cfg = api_workspace(sink.url)
    sink.answer(Answer(200, body=b'{"ok":true,"ts":"1.2"}'), Answer(200, body=refused("not_in_channel")))
    await assert_service_test_passes(slack.SERVICE_TEST, cfg, transports, sink, None)
    message = f'HTTP 200 from {sink.url}{POST_MESSAGE}: slack error "not_in_channel"'
    await assert_service_test_fails(slack.SERVICE_TEST, {"channel": "#x"}, cfg, transports, message, secrets=[TOKEN])
    first, second = await sink.wait_for(2)
    assert (first.json()["channel"], second.json()["channel"]) == ("#c", "#x")


# Threads: render_memo with the memo the engine kept for (handler, alert ID).

THREADED = {"thread-recoveries": True}
ANSWER_TS = b'{"ok":true,"channel":"C1","ts":"1700000000.000100"}'


@pytest.mark.parametrize(
    ("cfg", "options"),
    [
        (api_workspace("https://slack.com"), {}),
        (workspace("https://hooks.slack.com/services/A"), THREADED),
        (workspace("https://hooks.slack.com/services/A", **{"thread-recoveries": True}), {}),
    ],
    ids=["option-off", "webhook-option-on", "webhook-workspace-on"],
)
@pytest.mark.parametrize("level", [Level.CRITICAL, Level.OK], ids=["critical", "ok"])
def test_render_memo_is_render_unless_threading_applies(
    cfg: StaticConfig, options: dict[str, object], level: Level
) -> None:
    ev = event(level, previous=Level.CRITICAL)
    assert render_memo(cfg, ev, "1.2", options) == render(cfg, options, ev)
    assert render_memo(cfg, ev, None, options) == render(cfg, options, ev)


@pytest.mark.parametrize(
    ("cfg", "options"),
    [(api_workspace("https://slack.com"), THREADED), (api_workspace("https://slack.com", **THREADED), {})],
    ids=["handler-option", "workspace-option"],
)
def test_first_message_of_an_incident_is_posted_and_its_ts_remembered(
    cfg: StaticConfig, options: dict[str, object]
) -> None:
    req = render_memo(cfg, event(), None, options)
    assert req.body == KAPACITOR_BODY and req.memo is not None
    assert req.memo(200, [], ANSWER_TS) == "1700000000.000100"
    assert req.memo(200, [], b'{"ok":true}') is None
    assert req.memo(200, [], b"ok") is None


THREAD_CASES: list[tuple[str, Level, Level, str | None, dict[str, object], str | None]] = [
    ("repeat", Level.CRITICAL, Level.CRITICAL, "1.2", {"thread_ts": "1.2", "reply_broadcast": False}, None),
    ("escalation", Level.CRITICAL, Level.WARNING, "1.2", {"thread_ts": "1.2", "reply_broadcast": True}, None),
    ("recovery", Level.OK, Level.CRITICAL, "1.2", {"thread_ts": "1.2", "reply_broadcast": True}, ""),
    ("recovery-without-thread", Level.OK, Level.CRITICAL, None, {}, None),
    ("new-incident-replaces-stale-thread", Level.WARNING, Level.OK, "1.2", {}, "1700000000.000100"),
]


@pytest.mark.parametrize(
    ("level", "previous", "memo", "thread", "remembered"),
    [c[1:] for c in THREAD_CASES],
    ids=[c[0] for c in THREAD_CASES],
)
def test_later_messages_go_to_the_thread(
    level: Level, previous: Level, memo: str | None, thread: dict[str, object], remembered: str | None
) -> None:
    req = render_memo(api_workspace("https://slack.com"), event(level, previous), memo, THREADED)
    body = body_of(req)
    assert {k: body[k] for k in ("thread_ts", "reply_broadcast") if k in body} == thread
    assert (req.memo(200, [], ANSWER_TS) if req.memo is not None else None) == remembered


def test_thread_reply_exact_body() -> None:
    req = render_memo(api_workspace("https://slack.com"), event(Level.OK, Level.CRITICAL), "1.2", THREADED)
    assert req.body == (
        b'{"attachments":[{"fallback":"cpu is hot","color":"good","text":"cpu is hot","mrkdwn_in":["text"]}],'
        b'"channel":"#c","icon_emoji":":x:","reply_broadcast":true,"text":"","thread_ts":"1.2",'
        b'"username":"kapacitor"}\n'
    )


async def test_answer_ts_becomes_the_outcome_memo(sink: HttpSink, transports: Transports) -> None:
    sink.answer(Answer(200, body=ANSWER_TS), Answer(200, body=b'{"ok":true,"ts":"1700000009.000200"}'))
    cfg = api_workspace(sink.url)
    first = await transports.send(render_memo(cfg, event(), None, THREADED), 5)
    last = await transports.send(render_memo(cfg, event(Level.OK, Level.CRITICAL), first.memo, THREADED), 5)
    assert (first.memo, last.memo) == ("1700000000.000100", "")


def test_kind_declares_its_extras_and_memo_path() -> None:
    assert slack.KIND.render_memo is slack.render_memo and slack.KIND.render is slack.render
    assert slack.KIND.extras.startswith('Block Kit (`layout = "blocks"`)')
    assert [(o.name, o.tick, o.default) for o in slack.KIND.options[-2:]] == [
        ("layout", "layout", ""),
        ("thread-recoveries", "threadRecoveries", False),
    ]

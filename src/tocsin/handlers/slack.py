"""The `slack` kind: Kapacitor's webhook message, plus (Tocsin) Block Kit, chat.postMessage and threads.

Capabilities: resolve = no by default (a recovery is another message, colour `good`; with `thread-recoveries`
it is a reply in the incident's thread); idempotency key = none; honours Retry-After = yes (shared classifier,
and Slack's `ratelimited` answers); max payload = not enforced (Block Kit texts are cut to Slack's limits);
secrets = `url` and `token` (the webhook URL is never shown: errors name only its host; the token travels only
in the Authorization header).

The defaults send Kapacitor's request byte for byte. What Tocsin adds:
- `layout = "blocks"`: a top-level `blocks` array with a `header` (level and alert ID), `text` = the message as
  the notification fallback, and one attachment with the level `color` holding a mrkdwn `section` (the
  message) and a `context` block (the event time, shown in the reader's time zone). Why split: only
  attachments carry a colour bar, and without top-level blocks Slack would also display `text`, showing the
  message twice.
- chat.postMessage (workspace `url` ending in /api/chat.postMessage, or `api-url`): Bearer `token` and a
  channel are required, Content-Type gains `charset=utf-8`, and Slack's HTTP 200 `{"ok":false,"error":..}`
  answers are failures classified by their error code (see `ERROR_RULES`).
- `thread-recoveries` (chat.postMessage only: webhooks answer no `ts`): the first non-OK message of an
  incident is posted in the channel and its `ts` remembered for the (handler, alert ID); later messages are
  replies in that thread. Level changes, the recovery included, are also broadcast to the channel
  (`reply_broadcast`), so the channel shows each state change while repeats stay in the thread. After the
  recovery the thread is forgotten. A non-OK event whose previous level is OK starts a new thread even when
  the old one is still remembered (its recovery was never sent, e.g. with `.noRecoveries()`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.gocompat import json as gojson
from tocsin.gocompat.timefmt import format_rfc3339nano, now_ns
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType, ServiceTest
from tocsin.handlers.requests import HttpRequest, TlsFiles
from tocsin.handlers.sections import NOT_ENABLED
from tocsin.handlers.slack_config import ATTACHMENT, BLOCKS, LAYOUTS, SECTION, api_endpoint
from tocsin.transports.classify import BODY_SNIPPET_CHARS, parse_retry_after

UNKNOWN_WORKSPACE = 'slack workspace "{}" does not exist'
NEEDS_CHANNEL = (
    'slack workspace "{workspace}": chat.postMessage needs a channel: set `channel` in the handler or workspace'
)
NEEDS_TOKEN = 'slack workspace "{workspace}": chat.postMessage needs a bot token: set `token` in the workspace'
UNKNOWN_LAYOUT = 'layout "{layout}" is not valid, use "attachment" or "blocks"'
REFUSED = 'HTTP {status} from {url}: slack error "{error}"'
JSON_UTF8 = "application/json; charset=utf-8"
HEADER_LIMIT = 150  # characters of a header block's plain_text
SECTION_LIMIT = 3000  # characters of a section block's text
_COLORS = {Level.WARNING: "warning", Level.CRITICAL: "danger"}
_NS = 1_000_000_000

# Slack's error codes (chat.postMessage and the Web API's common ones) -> (reason, retryable). Codes not
# listed are OTHER and permanent: Slack documents them as problems of the request.
ERROR_RULES: Mapping[str, tuple[Reason, bool]] = {
    **dict.fromkeys(("ratelimited", "rate_limited"), (Reason.RATE_LIMITED, True)),
    **dict.fromkeys(
        (
            "invalid_auth",
            "not_authed",
            "token_revoked",
            "token_expired",
            "account_inactive",
            "missing_scope",
            "not_allowed_token_type",
            "no_permission",
            "access_denied",
            "ekm_access_denied",
            "team_access_not_granted",
        ),
        (Reason.AUTH_ERROR, False),
    ),
    **dict.fromkeys(("channel_not_found", "not_in_channel", "is_archived"), (Reason.CLIENT_ERROR, False)),
    **dict.fromkeys(
        ("internal_error", "fatal_error", "service_unavailable", "team_added_to_org"), (Reason.SERVER_ERROR, True)
    ),
    "request_timeout": (Reason.TIMEOUT, True),
}

Memo = Callable[[int, Sequence[tuple[str, str]], bytes], str | None]


@dataclass(frozen=True, slots=True)
class Message:
    """What one Slack message says: the alert message, its level, and (for Block Kit) its ID and time (ns)."""

    text: str
    level: Level
    alert_id: str = ""
    time: int = 0


@dataclass(frozen=True, slots=True)
class Target:
    """Where and how a handler posts, from its options over its workspace; `api_url` "" = incoming webhook."""

    workspace: str
    url: str
    api_url: str
    token: str
    channel: str
    icon_emoji: str
    username: str
    layout: str
    threads: bool
    verify_tls: bool
    tls: TlsFiles | None = None


@dataclass(frozen=True, slots=True)
class Thread:
    """A reply in the thread of message `ts`, also shown in the channel when `broadcast`."""

    ts: str
    broadcast: bool = False


def _workspace(config: ConfigView, name: str) -> dict[str, Any]:
    element = config.element("slack", name or None)
    if element is None:
        raise DeliveryError(Reason.CONFIG, UNKNOWN_WORKSPACE.format(name), retryable=False)
    if not element.get("enabled"):
        raise DeliveryError(Reason.CONFIG, NOT_ENABLED, retryable=False)
    return element


def target(options: Mapping[str, Any], config: ConfigView) -> Target:
    """The handler's target; raises DeliveryError (CONFIG) for a missing or disabled workspace."""
    ws = _workspace(config, str(options.get("workspace") or ""))
    return Target(
        workspace=ws["workspace"],
        url=ws["url"],
        api_url=api_endpoint(ws),
        token=ws["token"],
        channel=options.get("channel") or ws["channel"],
        icon_emoji=options.get("icon-emoji") or ws["icon-emoji"],
        username=options.get("username") or ws["username"],
        layout=str(options.get("layout") or ws["layout"]).lower(),
        threads=bool(options.get("thread-recoveries") or ws["thread-recoveries"]),
        verify_tls=not ws["insecure-skip-verify"],
        tls=TlsFiles.of(ws),
    )


def _is_200(status: int) -> bool:
    return status == 200


def _hidden(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/***" if parts.netloc else "***"


def _endpoint_shown(url: str) -> str:
    # A chat.postMessage URL holds no secret, but userinfo or a query might.
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _attachment_layout(msg: Message, color: str) -> dict[str, Any]:
    attachment = {"fallback": msg.text, "color": color, "text": msg.text, "mrkdwn_in": ["text"]}
    return {"attachments": [attachment], "text": ""}


def _blocks_layout(msg: Message, color: str) -> dict[str, Any]:
    title = f"{msg.level}: {msg.alert_id}" if msg.alert_id else str(msg.level)
    header = {"type": "header", "text": {"type": "plain_text", "text": _cut(title, HEADER_LIMIT)}}
    # Slack's date token shows the time in each reader's zone; the text after | is for clients that cannot.
    when = f"<!date^{msg.time // _NS}^{{date_short_pretty}} {{time_secs}}|{format_rfc3339nano(msg.time)}>"
    inner: list[dict[str, Any]] = []
    if msg.text:  # a section's text may not be empty
        inner.append({"type": "section", "text": {"type": "mrkdwn", "text": _cut(msg.text, SECTION_LIMIT)}})
    inner.append({"type": "context", "elements": [{"type": "mrkdwn", "text": when}]})
    return {"attachments": [{"color": color, "blocks": inner}], "blocks": [header], "text": msg.text}


def build(msg: Message, tgt: Target, thread: Thread | None = None, memo: Memo | None = None) -> HttpRequest:
    """The request for one message; without `thread`, Tocsin's extras off and a webhook, Kapacitor's exactly."""
    color = _COLORS.get(msg.level, "good")
    layout = _blocks_layout(msg, color) if tgt.layout == BLOCKS else _attachment_layout(msg, color)
    body = {**layout, "channel": tgt.channel, "icon_emoji": tgt.icon_emoji, "username": tgt.username}
    if thread is not None:
        body.update(thread_ts=thread.ts, reply_broadcast=thread.broadcast)
    content = gojson.encode_line(gojson.sorted_map(body))
    if not tgt.api_url:
        headers = [("Content-Type", "application/json")]
        if tgt.token:
            headers.append(("Authorization", f"Bearer {tgt.token}"))
        return HttpRequest(
            "POST",
            tgt.url,
            tuple(headers),
            content,
            verify_tls=tgt.verify_tls,
            tls=tgt.tls,
            success=_is_200,
            redacted_url=_hidden(tgt.url),
        )
    shown = _endpoint_shown(tgt.api_url)
    if not tgt.token:
        raise DeliveryError(Reason.CONFIG, NEEDS_TOKEN.format(workspace=tgt.workspace), retryable=False)
    if not tgt.channel:
        raise DeliveryError(Reason.CONFIG, NEEDS_CHANNEL.format(workspace=tgt.workspace), retryable=False)
    headers = [("Content-Type", JSON_UTF8), ("Authorization", f"Bearer {tgt.token}")]
    return HttpRequest(
        "POST",
        tgt.api_url,
        tuple(headers),
        content,
        verify_tls=tgt.verify_tls,
        tls=tgt.tls,
        success=_is_200,
        redacted_url=shown,
        inspect=ApiAnswer(shown),
        memo=memo,
    )


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        answer = json.loads(body)
    except ValueError:
        return None
    return answer if isinstance(answer, dict) else None


@dataclass(frozen=True, slots=True)
class ApiAnswer:
    """Reads a Web API answer: Slack reports refusals as `{"ok":false,"error":"<code>"}`, mostly with HTTP 200."""

    url: str

    def __call__(self, status: int, headers: Sequence[tuple[str, str]], body: bytes) -> DeliveryError | None:
        answer = _json_object(body)
        if answer is None or answer.get("ok") is not False:
            return None
        error = answer.get("error")
        code = error if isinstance(error, str) and error else "unknown_error"
        rule = ERROR_RULES.get(code)
        if rule is None and status != 200:
            return None  # an HTTP error status says more than an unknown code: the shared rules decide
        reason, retryable = rule or (Reason.OTHER, False)
        wait = next((v for k, v in headers if k.lower() == "retry-after"), None)
        return DeliveryError(
            reason,
            REFUSED.format(status=status, url=self.url, error=code) + _explanation(answer),
            retryable=retryable,
            retry_after=parse_retry_after(wait) if retryable else None,
            status=status,
        )


def _explanation(answer: Mapping[str, Any]) -> str:
    """Slack's details of a refusal: the scope it needs, or its messages on invalid blocks."""
    parts = [f"needs scope {answer['needed']}"] if isinstance(answer.get("needed"), str) else []
    metadata = answer.get("response_metadata")
    messages = metadata.get("messages") if isinstance(metadata, dict) else None
    if isinstance(messages, list):
        parts.extend(str(m) for m in messages)
    return (": " + "; ".join(parts))[:BODY_SNIPPET_CHARS] if parts else ""


def remember_ts(status: int, headers: Sequence[tuple[str, str]], body: bytes) -> str | None:
    """The posted message's `ts` from an `ok` answer (a thread's parent), or None to leave the memo."""
    answer = _json_object(body)
    ts = answer.get("ts") if answer is not None and answer.get("ok") is True else None
    return ts if isinstance(ts, str) and ts else None


def forget(status: int, headers: Sequence[tuple[str, str]], body: bytes) -> str | None:
    """The recovery closed the thread: forget it."""
    return ""


def _message(event: Event) -> Message:
    return Message(event.message, event.level, event.id, event.time)


def render(event: Event, options: dict[str, Any], config: ConfigView) -> HttpRequest:
    """Every event as a new message (Kapacitor's behaviour)."""
    return build(_message(event), target(options, config))


def render_memo(event: Event, options: dict[str, Any], config: ConfigView, memo: str | None) -> HttpRequest:
    """With `thread-recoveries` and chat.postMessage, an alert's later messages go to its first one's thread."""
    tgt = target(options, config)
    msg = _message(event)
    if not (tgt.threads and tgt.api_url):
        return build(msg, tgt)
    if event.level is not Level.OK and event.previous_level is Level.OK:
        memo = None  # a new incident starts a new thread, even if the last one never saw its recovery
    if not memo:
        return build(msg, tgt, memo=None if event.level is Level.OK else remember_ts)
    thread = Thread(memo, broadcast=event.level != event.previous_level)
    return build(msg, tgt, thread, memo=forget if event.level is Level.OK else None)


def validate(options: dict[str, Any], config: ConfigView) -> str | None:
    """The Tocsin `layout` option names a known layout."""
    layout = str(options["layout"])
    return UNKNOWN_LAYOUT.format(layout=layout) if layout and layout.lower() not in LAYOUTS else None


def build_test_request(options: dict[str, Any], config: ConfigView) -> HttpRequest:
    try:
        level = Level[str(options.get("level", "CRITICAL")).upper()]
    except KeyError:
        raise DeliveryError(Reason.CONFIG, f"unknown level {options.get('level')!r}", retryable=False) from None
    return build(Message(str(options.get("message", "")), level, time=now_ns()), target(options, config))


SERVICE_TEST = ServiceTest(
    name="slack",
    defaults={
        "workspace": "",
        "channel": "",
        "icon-emoji": "",
        "level": "CRITICAL",
        "message": "test slack message",
        "username": "",
    },
    build=build_test_request,
)

KIND = HandlerKind(
    name="slack",
    help="Post the alert message to a Slack channel through an incoming webhook or chat.postMessage.",
    extras='Block Kit (`layout = "blocks"`); bot token with chat.postMessage, whose `ok: false` answers are '
    "classified failures; recoveries threaded under the first message (`thread-recoveries`); URL hidden in errors.",
    options=(
        Option("workspace", OptionType.STRING, "", tick="workspace", help="Workspace config to use (default one)."),
        Option("channel", OptionType.STRING, "", tick="channel", help="Channel or @user; the workspace's by default."),
        Option("username", OptionType.STRING, "", tick="username", help="Bot username; the workspace's by default."),
        Option("icon-emoji", OptionType.STRING, "", tick="iconEmoji", help="Bot icon emoji."),
        Option(
            "layout",
            OptionType.STRING,
            "",
            tick="layout",
            choices=LAYOUTS,
            help=f"`{ATTACHMENT}` (Kapacitor's) or `{BLOCKS}` (Block Kit); the workspace's by default. Tocsin only.",
        ),
        Option(
            "thread-recoveries",
            OptionType.BOOL,
            False,
            tick="threadRecoveries",
            help="With chat.postMessage, reply in the thread of the alert's first message (on when this or "
            "the workspace's `thread-recoveries` is). Tocsin only.",
        ),
    ),
    render=render,
    render_memo=render_memo,
    validate=validate,
    config=SECTION,
    service_tests=(SERVICE_TEST,),
)

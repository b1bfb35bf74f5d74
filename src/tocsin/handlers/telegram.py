"""The `telegram` kind: Kapacitor's Bot API `sendMessage` call. Its `[telegram]` section is in `telegram_config`.

Capabilities: resolve = no (the message text is all there is); idempotency key = none; honours Retry-After =
yes (the header, and `parameters.retry_after` of a 429 answer); max payload = not enforced (Telegram refuses
texts over 4096 characters); secrets = `token` (it sits in the URL path: errors show `bot***`).

Tocsin additions, off by default so the request stays Kapacitor's: `parse-mode` also takes `MarkdownV2` and
`none` (send no parse_mode, even when the config sets one); `escape-text` (option or config) escapes the
message for its parse mode (MarkdownV2: `_*[]()~\\`>#+-=|{}.!` and `\\`; Markdown: `_*\\`[`; HTML: `<>&`) so
that Telegram shows it as written instead of refusing it. A 200 answer with `"ok": false` is a failure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from tocsin.alert.event import Event
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.gocompat import json as gojson
from tocsin.gocompat.urlpath import GO_PATH_SAFE, go_join
from tocsin.handlers.answers import answer_error
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType, ServiceTest
from tocsin.handlers.requests import HttpRequest
from tocsin.handlers.sections import enabled_section
from tocsin.handlers.telegram_config import SECTION

# Kapacitor's texts (services/telegram/service.go).
INVALID_PARSE_MODE = "parseMode {mode} is not valid, please use 'Markdown' or 'HTML'"
SEND_FAILED = "sendMessage error ({code}) description: {description}"

PARSE_MODES = ("markdown", "html", "markdownv2", "none")
JSON = "application/json"
_ESCAPES = {
    "markdownv2": re.compile(r"([_*\[\]()~`>#+\-=|{}.!\\])"),
    "markdown": re.compile(r"([_*`\[])"),
}


def send_url(base: str, token: str) -> str:
    """`<base path + token>/sendMessage` as Kapacitor builds it (path.Join, then Go's path escaping)."""
    parts = urlsplit(base)
    joined = unquote(parts.path) + token
    path = go_join(joined, "sendMessage")
    if parts.netloc and not path.startswith("/"):
        path = "/" + path
    return urlunsplit((parts.scheme, parts.netloc, quote(path, safe=GO_PATH_SAFE), parts.query, parts.fragment))


def redacted_send_url(base: str) -> str:
    """`send_url` with `***` for the token and no userinfo."""
    shown = send_url(base, "\0").replace("%00", "***")
    parts = urlsplit(shown)
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def escape_text(text: str, parse_mode: str) -> str:
    """`text` escaped so that Telegram shows it literally under `parse_mode` (case-insensitive)."""
    mode = parse_mode.lower()
    if mode == "html":
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    pattern = _ESCAPES.get(mode)
    return pattern.sub(r"\\\1", text) if pattern is not None else text


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def inspect_answer(status: int, headers: Sequence[tuple[str, str]], body: bytes) -> DeliveryError | None:
    """Telegram's error answer (also a 200 with `ok: false`) with Kapacitor's text and its retry_after."""
    answer = _json_object(body)
    if answer is None or (status == 200 and answer.get("ok") is not False):
        return None  # a success, or a non-JSON refusal that the shared rules describe
    code = answer.get("error_code")
    code = code if isinstance(code, int) and not isinstance(code, bool) else 0
    description = answer.get("description")
    text = SEND_FAILED.format(code=code, description=description if isinstance(description, str) else "")
    parameters = answer.get("parameters")
    wait = parameters.get("retry_after") if isinstance(parameters, dict) else None
    if isinstance(wait, (int, float)) and not isinstance(wait, bool) and wait >= 0:
        return DeliveryError(Reason.RATE_LIMITED, text, retryable=True, retry_after=float(wait), status=status)
    return answer_error(status, headers, b"", text, classify_as=status if status >= 400 else code)


def _is_200(status: int) -> bool:
    return status == 200


def build(message: str, options: dict[str, Any], config: ConfigView) -> HttpRequest:
    """Kapacitor's sendMessage request: handler values, else the config's; flags are option OR config."""
    service = enabled_section(config, SECTION.name)
    parse_mode = str(options.get("parse-mode") or service["parse-mode"])
    if parse_mode and parse_mode.lower() not in PARSE_MODES:
        raise DeliveryError(Reason.CONFIG, INVALID_PARSE_MODE.format(mode=parse_mode), retryable=False)
    if parse_mode.lower() == "none":
        parse_mode = ""
    if parse_mode and (options.get("escape-text") or service["escape-text"]):
        message = escape_text(message, parse_mode)
    body: dict[str, Any] = {"chat_id": options.get("chat-id") or service["chat-id"]}
    if options.get("disable-notification") or service["disable-notification"]:
        body["disable_notification"] = True
    if options.get("disable-web-page-preview") or service["disable-web-page-preview"]:
        body["disable_web_page_preview"] = True
    if parse_mode:
        body["parse_mode"] = parse_mode
    body["text"] = message
    return HttpRequest(
        "POST",
        send_url(service["url"], service["token"]),
        (("Content-Type", JSON),),
        gojson.encode_line(body),
        success=_is_200,
        redacted_url=redacted_send_url(service["url"]),
        inspect=inspect_answer,
    )


def render(event: Event, options: dict[str, Any], config: ConfigView) -> HttpRequest:
    return build(event.message, options, config)


def build_test_request(options: dict[str, Any], config: ConfigView) -> HttpRequest:
    """Kapacitor's test message; empty values fall back to the config as in an alert."""
    return build(str(options.get("message", "")), options, config)


SERVICE_TEST = ServiceTest(
    name="telegram",
    defaults={
        "chat-id": "",
        "parse-mode": "",
        "message": "test telegram message",
        "disable-web-page-preview": False,
        "disable-notification": False,
    },
    build=build_test_request,
)

KIND = HandlerKind(
    name="telegram",
    extras="`parse-mode` `none` and `MarkdownV2`; `escape-text` so special characters never fail a send; "
    "waits `retry_after` on 429.",
    help="Send the alert message to a Telegram chat through a bot.",
    options=(
        Option("chat-id", OptionType.STRING, "", tick="chatId", help="Chat to post to; the config's by default."),
        Option(
            "parse-mode",
            OptionType.STRING,
            "",
            tick="parseMode",
            help="Markdown or HTML (Tocsin also: MarkdownV2, none); the config's by default.",
        ),
        Option(
            "disable-web-page-preview",
            OptionType.BOOL,
            tick="disableWebPagePreview",
            help="Disable link previews (or the config's setting).",
        ),
        Option(
            "disable-notification",
            OptionType.BOOL,
            tick="disableNotification",
            help="Send silently (or the config's setting).",
        ),
        Option(
            "escape-text",
            OptionType.BOOL,
            tick="escapeText",
            help="Escape the message for its parse mode (Tocsin only; or the config's setting).",
        ),
    ),
    render=render,
    config=SECTION,
    service_tests=(SERVICE_TEST,),
)

"""The `[telegram]` config section."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tocsin.config.schema import Field, FieldType, Section
from tocsin.gocompat.quoting import go_quote
from tocsin.gocompat.urlpath import url_parse_problem

DEFAULT_URL = "https://api.telegram.org/bot"

# Kapacitor's texts (services/telegram/config.go).
MISSING_URL = "must specify url"
MISSING_TOKEN = "must specify token"
INVALID_URL = "invalid url {url}: parse {url}: {problem}"


def validate(values: Mapping[str, Any]) -> str | None:
    """Kapacitor's checks: an enabled service needs a URL and a bot token; the URL must parse."""
    if values["enabled"]:
        if not values["url"]:
            return MISSING_URL
        if not values["token"]:
            return MISSING_TOKEN
    problem = url_parse_problem(values["url"])
    return INVALID_URL.format(url=go_quote(values["url"]), problem=problem) if problem else None


BOOL = FieldType.BOOL
STR = FieldType.STRING

SECTION = Section(
    name="telegram",
    help="Telegram bot messages (sendMessage of the Bot API).",
    validate=validate,
    fields=(
        Field("enabled", BOOL, help="Enable sending alerts to Telegram."),
        Field("url", STR, DEFAULT_URL, help="Bot API URL; the token and /sendMessage are appended to its path."),
        Field("token", STR, secret=True, help="Bot token from @BotFather.", example="123456:ABC-DEF"),
        Field("chat-id", STR, help="Default chat (user, group or @channel) for alerts that name none."),
        Field("parse-mode", STR, help="Default parse mode: Markdown or HTML (Tocsin also: MarkdownV2, none)."),
        Field("disable-web-page-preview", BOOL, help="Disable link previews in every message."),
        Field("disable-notification", BOOL, help="Send every message silently."),
        Field(
            "escape-text",
            BOOL,
            help="Escape the message for its parse mode so that special characters "
            "show as written (Tocsin only; off keeps Kapacitor's text).",
        ),
        Field("global", BOOL, help="Send every alert to Telegram without naming it in the TICKscript."),
        Field("state-changes-only", BOOL, help="With global, only send alerts whose level changed."),
    ),
)

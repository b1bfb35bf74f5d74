"""The `[[slack]]` config section (also accepted as a single `[slack]` table), keyed by `workspace`.

Tocsin adds three fields to Kapacitor's, each off by default: `api-url` (a chat.postMessage endpoint used
with `token`), `layout` (`attachment` = Kapacitor's payload, or `blocks`) and `thread-recoveries`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from tocsin.config.lists import default_global_problem, tls_fields
from tocsin.config.schema import Field, FieldType, Section

DEFAULT_USERNAME = "kapacitor"
POST_MESSAGE_PATH = "/api/chat.postMessage"
ATTACHMENT = "attachment"
BLOCKS = "blocks"
LAYOUTS = (ATTACHMENT, BLOCKS)

# Kapacitor's text (services/slack/config.go).
MISSING_URL = "must specify url"
# Tocsin's own.
API_URL_WITHOUT_TOKEN = "api-url needs token: chat.postMessage only accepts a bot token"


def validate(values: Mapping[str, Any]) -> str | None:
    """Kapacitor's checks of one workspace, then Tocsin's for `api-url`."""
    if values["enabled"] and not values["url"] and not values["api-url"]:
        return MISSING_URL
    problem = default_global_problem(values)
    if problem:
        return problem
    if values["api-url"] and not values["token"]:
        return API_URL_WITHOUT_TOKEN
    return None


def api_endpoint(values: Mapping[str, Any]) -> str:
    """The Web API URL a workspace posts to: `api-url`, else `url` when it is chat.postMessage; "" = webhook."""
    if values["api-url"]:
        return str(values["api-url"])
    url = str(values["url"])
    return url if urlsplit(url).path.rstrip("/").endswith(POST_MESSAGE_PATH) else ""


STR = FieldType.STRING
BOOL = FieldType.BOOL

SECTION = Section(
    name="slack",
    help="Slack workspaces. Repeat [[slack]] for several; the one with default = true serves alerts "
    "that name no workspace.",
    element_key="workspace",
    single_table_ok=True,
    default_elements=({"workspace": "", "default": True},),
    validate=validate,
    fields=(
        Field("enabled", BOOL, help="Enable sending alerts to this workspace."),
        Field("default", BOOL, help="Use this workspace for alerts that name none."),
        Field("workspace", STR, help="Name of this workspace configuration; required when there are several."),
        Field(
            "url",
            STR,
            secret=True,
            help="Incoming webhook URL, or https://slack.com/api/chat.postMessage "
            "(then `token` and a channel are required and Slack's `ok: false` answers count as failures).",
            example="https://hooks.slack.com/services/T000/B000/XXXX",
        ),
        Field(
            "token",
            STR,
            secret=True,
            help="API token; when set it is sent as a Bearer token (a bot token xoxb-... for chat.postMessage).",
        ),
        Field("channel", STR, help="Default channel, can be overridden per alert.", example="#alerts"),
        Field("username", STR, DEFAULT_USERNAME, help="Username of the Slack bot."),
        Field("icon-emoji", STR, help="Emoji used as the bot icon, e.g. :chart_with_upwards_trend:."),
        Field(
            "global",
            BOOL,
            help="Send every alert to Slack without naming it in the TICKscript (default workspace only).",
        ),
        Field("state-changes-only", BOOL, help="With global, only send alerts whose level changed."),
        *tls_fields(),
        Field(
            "api-url",
            STR,
            help="chat.postMessage URL of Slack or a Slack-compatible server; when set, "
            "messages go there with `token` instead of to `url`. Tocsin only.",
            example="https://slack.com/api/chat.postMessage",
        ),
        Field(
            "layout",
            STR,
            ATTACHMENT,
            choices=LAYOUTS,
            help="Message layout: `attachment` (Kapacitor's "
            "coloured attachment) or `blocks` (Block Kit: level and alert ID, message, time). Tocsin only.",
        ),
        Field(
            "thread-recoveries",
            BOOL,
            help="With chat.postMessage, post the later messages of an alert, "
            "its recovery included, in the thread of its first message. Tocsin only.",
        ),
    ),
)

"""The `slack` kind: Kapacitor's webhook message. Its `[[slack]]` section lives in `slack_config`.

Capabilities: resolve = no (a recovery is another message, colour `good`); idempotency key = none; honours
Retry-After = yes (shared classifier); max payload = not enforced; secrets = `url` and `token` (the webhook URL
is never shown: errors name only its host).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.gocompat import json as gojson
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType, ServiceTest
from tocsin.handlers.requests import HttpRequest
from tocsin.handlers.slack_config import SECTION

NOT_ENABLED = "service is not enabled"
UNKNOWN_WORKSPACE = 'slack workspace "{}" does not exist'
_COLORS = {Level.WARNING: "warning", Level.CRITICAL: "danger"}


def _workspace(config: ConfigView, name: str) -> dict[str, Any]:
    element = config.element("slack", name or None)
    if element is None:
        raise DeliveryError(Reason.CONFIG, UNKNOWN_WORKSPACE.format(name), retryable=False)
    if not element.get("enabled"):
        raise DeliveryError(Reason.CONFIG, NOT_ENABLED, retryable=False)
    return element


def _is_200(status: int) -> bool:
    return status == 200


def _hidden(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/***" if parts.netloc else "***"


def build(message: str, level: Level, options: Mapping[str, Any], config: ConfigView) -> HttpRequest:
    """Kapacitor's Slack request: a webhook POST of one attachment, keys sorted as Go sorts a map."""
    ws = _workspace(config, str(options.get("workspace") or ""))
    body = {
        "attachments": [
            {"fallback": message, "color": _COLORS.get(level, "good"), "text": message, "mrkdwn_in": ["text"]}
        ],
        "channel": options.get("channel") or ws["channel"],
        "icon_emoji": options.get("icon-emoji") or ws["icon-emoji"],
        "text": "",
        "username": options.get("username") or ws["username"],
    }
    headers = [("Content-Type", "application/json")]
    if ws["token"]:
        headers.append(("Authorization", f"Bearer {ws['token']}"))
    return HttpRequest(
        "POST",
        ws["url"],
        tuple(headers),
        gojson.encode_line(body),
        verify_tls=not ws["insecure-skip-verify"],
        success=_is_200,
        redacted_url=_hidden(ws["url"]),
    )


def render(event: Event, options: dict[str, Any], config: ConfigView) -> HttpRequest:
    return build(event.message, event.level, options, config)


def build_test_request(options: dict[str, Any], config: ConfigView) -> HttpRequest:
    try:
        level = Level[str(options.get("level", "CRITICAL")).upper()]
    except KeyError:
        raise DeliveryError(Reason.CONFIG, f"unknown level {options.get('level')!r}", retryable=False) from None
    return build(str(options.get("message", "")), level, options, config)


SERVICE_TEST = ServiceTest(
    name="slack",
    defaults={"workspace": "", "channel": "", "icon-emoji": "", "level": "CRITICAL",
              "message": "test slack message", "username": ""},
    build=build_test_request,
)  # fmt: skip

KIND = HandlerKind(
    name="slack",
    help="Post the alert message to a Slack channel through an incoming webhook.",
    options=(
        Option("workspace", OptionType.STRING, "", tick="workspace", help="Workspace config to use (default one)."),
        Option("channel", OptionType.STRING, "", tick="channel", help="Channel or @user; the workspace's by default."),
        Option("username", OptionType.STRING, "", tick="username", help="Bot username; the workspace's by default."),
        Option("icon-emoji", OptionType.STRING, "", tick="iconEmoji", help="Bot icon emoji."),
    ),
    render=render,
    config=SECTION,
    service_tests=(SERVICE_TEST,),
)

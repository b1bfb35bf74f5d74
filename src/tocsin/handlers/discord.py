"""The `discord` kind: Kapacitor's webhook message with one embed. Its `[[discord]]` section is in `discord_config`.

Capabilities: resolve = no (a recovery is another message, in the OK/INFO colour); idempotency key = none; honours
Retry-After = yes: a 429 waits exactly what Discord asks, from the body's `retry_after` (seconds), else
`X-RateLimit-Reset-After`, else `Retry-After`; max payload = not enforced; secrets = none in the config API
(Kapacitor shows the webhook `url`), but errors and logs show only the webhook's host, since its path holds the
webhook token.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tocsin.alert.event import Event
from tocsin.alert.levels import Level, parse_level
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.gocompat import json as gojson
from tocsin.gocompat.duration import SECOND
from tocsin.gocompat.timefmt import format_rfc3339nano, parse_rfc3339
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType, ServiceTest
from tocsin.handlers.discord_config import SECTION
from tocsin.handlers.requests import HttpRequest, TlsFiles
from tocsin.handlers.sections import NOT_ENABLED
from tocsin.handlers.templating import execute, parse_problem, template_data
from tocsin.transports.classify import http_error_message, parse_retry_after

NO_CONFIGURATION = "no discord configuration found"
UNKNOWN_WORKSPACE = "workspace id not found"
INFLUXDATA_AVATAR = "https://influxdata.github.io/branding/img/downloads/influxdata-logo--symbol--pool-alpha.png"
COLORS = {Level.CRITICAL: 0xF95F53, Level.WARNING: 0xF48D38}
OTHER_COLOR = 0x7A65F2


def _workspace(config: ConfigView, name: str) -> dict[str, Any]:
    element = config.element(SECTION.name, name or None)
    if element is None:
        problem = UNKNOWN_WORKSPACE if config.section(SECTION.name) else NO_CONFIGURATION
        raise DeliveryError(Reason.CONFIG, problem, retryable=False)
    if not element["enabled"]:
        raise DeliveryError(Reason.CONFIG, NOT_ENABLED, retryable=False)
    return element


def embed_timestamp(ns: int) -> str:
    """Go's `Time.Format(time.RFC3339)` in UTC: whole seconds, `Z`."""
    return format_rfc3339nano(ns - ns % SECOND)


def _number(value: Any) -> float | None:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        return None
    return float(value)


def rate_limit_wait(headers: Sequence[tuple[str, str]], body: bytes) -> float | None:
    """Seconds Discord asks a rate-limited client to wait, or None when the answer does not say."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    wait = _number(data.get("retry_after")) if isinstance(data, dict) else None
    lowered = {k.lower(): v for k, v in reversed(headers)}  # the first of repeated headers wins
    if wait is None:
        wait = _number(lowered.get("x-ratelimit-reset-after"))
    if wait is None:
        wait = parse_retry_after(lowered.get("retry-after"))
    return wait


@dataclass(frozen=True, slots=True)
class RateLimitInspector:
    """The `inspect` of Discord requests: a 429 becomes a RATE_LIMITED error carrying Discord's exact wait."""

    shown_url: str

    def __call__(self, status: int, headers: Sequence[tuple[str, str]], body: bytes) -> DeliveryError | None:
        if status != 429:
            return None
        return DeliveryError(
            Reason.RATE_LIMITED,
            http_error_message(status, self.shown_url, body),
            retryable=True,
            retry_after=rate_limit_wait(headers, body),
            status=status,
        )


def _is_204(status: int) -> bool:
    return status == 204


def _hidden(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/***" if parts.netloc else "***"


def build(
    workspace: str,
    message: str,
    username: str,
    avatar_url: str,
    title: str,
    time: int,
    level: Level,
    config: ConfigView,
) -> HttpRequest:
    """Kapacitor's webhook POST: a Go map (sorted keys) holding one embed, and a newline."""
    ws = _workspace(config, workspace)
    embed = {
        "color": COLORS.get(level, OTHER_COLOR),
        "title": title,
        "description": message,
        "timestamp": embed_timestamp(time) if ws["timestamp"] else "",
    }
    body = {"avatar_url": avatar_url or ws["avatar-url"], "embeds": [embed], "username": username or ws["username"]}
    shown = _hidden(ws["url"])
    return HttpRequest(
        "POST",
        ws["url"],
        (("Content-Type", "application/json"),),
        gojson.encode_line(body),
        verify_tls=not ws["insecure-skip-verify"],
        tls=TlsFiles.of(ws),
        success=_is_204,
        redacted_url=shown,
        inspect=RateLimitInspector(shown),
    )


def validate(options: dict[str, Any], config: ConfigView) -> str | None:
    """The embed title template must parse."""
    return parse_problem([("embedTitle", options["embed-title"])])


def render(event: Event, options: dict[str, Any], config: ConfigView) -> HttpRequest:
    title = execute("embedTitle", options["embed-title"], template_data(event))
    return build(
        options["workspace"],
        event.message,
        options["username"],
        options["avatar-url"],
        title,
        event.time,
        event.level,
        config,
    )


def build_test_request(options: dict[str, Any], config: ConfigView) -> HttpRequest:
    """Kapacitor's test message; the embed title is sent as it is (no template)."""
    try:
        level = parse_level(str(options.get("level") or ""))
        time = parse_rfc3339(str(options.get("time-val") or ""))
    except ValueError as exc:
        raise DeliveryError(Reason.CONFIG, str(exc), retryable=False) from None
    return build(
        str(options.get("workspace") or ""),
        str(options.get("message") or ""),
        str(options.get("username") or ""),
        str(options.get("avatar-url") or ""),
        str(options.get("embed-title") or ""),
        time,
        level,
        config,
    )


SERVICE_TEST = ServiceTest(
    name="discord",
    defaults={
        "workspace": "",
        "message": "test discord message",
        "level": "INFO",
        "username": "Kapacitor",
        "avatar-url": INFLUXDATA_AVATAR,
        "embed-title": "Kapacitor Alert",
        "time-val": "1970-01-01T00:00:01Z",
    },
    build=build_test_request,
)

KIND = HandlerKind(
    name="discord",
    extras="Waits Discord's `retry_after` / `X-RateLimit-Reset-After` on 429; webhook token hidden in errors.",
    help="Post the alert message to a Discord channel webhook as an embed coloured by level.",
    options=(
        Option("workspace", OptionType.STRING, "", tick="workspace", help="Workspace config to use (default one)."),
        Option("username", OptionType.STRING, "", tick="username", help="Webhook username; the workspace's default."),
        Option(
            "avatar-url",
            OptionType.STRING,
            "",
            tick="avatarURL",
            help="Webhook avatar image URL; the workspace's by default.",
        ),
        Option(
            "embed-title",
            OptionType.STRING,
            "",
            tick="embedTitle",
            help="Title of the embed (template); empty by default, the config's embed-title is not used.",
        ),
    ),
    render=render,
    config=SECTION,
    service_tests=(SERVICE_TEST,),
    validate=validate,
    timeout=30.0,
)

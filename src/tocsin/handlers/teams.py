"""The `teams` kind: Kapacitor's MessageCard to a Teams webhook, or (Tocsin) an Adaptive Card for Workflows.

Capabilities: resolve = no (a recovery is another card, coloured green); idempotency key = none; honours
Retry-After = yes (shared classifier); max payload = not enforced (Teams refuses cards over 28 KB); secrets =
the webhook URL (its path or query is the key: errors show only its host).

Kapacitor does not redact `channel-url`; Tocsin keeps that in the config API but never prints the URL.
The `card` option (config and handler; `messagecard` by default) picks the payload: `adaptive` sends
`{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive",...}]}`
with a schema 1.4 card showing the title, message, details and time, coloured per level.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tocsin.alert.event import Event
from tocsin.alert.levels import Level, parse_level
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.gocompat import json as gojson
from tocsin.gocompat.quoting import go_quote
from tocsin.gocompat.timefmt import format_rfc3339nano, now_ns
from tocsin.handlers.answers import ErrorBody
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType, ServiceTest
from tocsin.handlers.requests import HttpRequest
from tocsin.handlers.sections import enabled_section
from tocsin.handlers.teams_config import ADAPTIVE_CARD, CARDS, MESSAGE_CARD, SECTION

TEAMS_FAILED = "failed to understand Teams response. code: {status} content: {content}"
UNKNOWN_CARD = 'card {card} is not valid, use "messagecard" or "adaptive"'
SUMMARY_CUTOFF = 70  # bytes, then "..." is always appended (Kapacitor)
JSON = "application/json"
ADAPTIVE_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
ADAPTIVE_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
_THEME_COLORS = {Level.WARNING: "FFA533", Level.CRITICAL: "CC4A31"}
_ADAPTIVE_COLORS = {Level.WARNING: "warning", Level.CRITICAL: "attention"}


def go_truncate(text: str, limit: int) -> str:
    """Go's `text[:limit]` (bytes) as json.Marshal then writes it: each byte of a cut character is U+FFFD."""
    raw = text.encode("utf-8", "surrogatepass")
    if len(raw) <= limit:
        return text
    cut = raw[:limit].decode("utf-8", "surrogateescape")
    return "".join("\ufffd" if "\udc80" <= c <= "\udcff" else c for c in cut)


def hidden_url(url: str) -> str:
    """The URL as errors show it: scheme and host only (the rest of a webhook URL is its key)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return f"{parts.scheme}://{host}/***" if host else "***"


def _legacy_accepted(status: int) -> bool:
    return status in (200, 204)


def _workflow_accepted(status: int) -> bool:
    return status in (200, 202, 204)  # Workflows webhooks answer 202 Accepted


def title_and_summary(level: Level, topic: str, alert_id: str, message: str) -> tuple[str, str]:
    """Kapacitor's card title (`CRITICAL: [id]`) and summary (cut to 70 bytes, then `...`)."""
    if not alert_id and not topic:
        title = level.name
        summary = f"{title}: {message}"
    else:
        title = f"{level.name}: [{alert_id or topic}]"
        summary = f"{title} - {message}"
    return title, go_truncate(summary, SUMMARY_CUTOFF) + "..."


def message_card(level: Level, topic: str, alert_id: str, message: str) -> dict[str, Any]:
    """Kapacitor's MessageCard, fields in its struct order."""
    title, summary = title_and_summary(level, topic, alert_id, message)
    return {
        "@type": "MessageCard",
        "@context": "http://schema.org/extensions",
        "title": title,
        "text": message,
        "summary": summary,
        "themeColor": _THEME_COLORS.get(level, "34CC25"),
    }


def adaptive_card(level: Level, topic: str, alert_id: str, message: str, details: str, time: int) -> dict[str, Any]:
    """A Workflows message holding one Adaptive Card: coloured title, message, details, time."""
    title, _ = title_and_summary(level, topic, alert_id, message)
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": title,
            "weight": "Bolder",
            "size": "Medium",
            "color": _ADAPTIVE_COLORS.get(level, "good"),
            "wrap": True,
        },
        {"type": "TextBlock", "text": message, "wrap": True},
    ]
    if details:
        body.append({"type": "TextBlock", "text": details, "wrap": True, "isSubtle": True})
    body.append({"type": "FactSet", "facts": [{"title": "Time", "value": format_rfc3339nano(time)}]})
    card = {"$schema": ADAPTIVE_SCHEMA, "type": "AdaptiveCard", "version": "1.4", "body": body}
    return {"type": "message", "attachments": [{"contentType": ADAPTIVE_CONTENT_TYPE, "content": card}]}


def _card_kind(option: str, service: dict[str, Any]) -> str:
    card = (option or service.get("card") or MESSAGE_CARD).lower()
    if card not in CARDS:
        raise DeliveryError(Reason.CONFIG, UNKNOWN_CARD.format(card=go_quote(card)), retryable=False)
    return card


def build(event: Event, channel_url: str, card: str, config: ConfigView) -> HttpRequest:
    """The POST Kapacitor makes (or the Adaptive Card variant) for one event."""
    service = enabled_section(config, SECTION.name)
    url = channel_url or service["channel-url"]
    if _card_kind(card, service) == ADAPTIVE_CARD:
        payload = adaptive_card(event.level, event.topic, event.id, event.message, event.details, event.time)
        success = _workflow_accepted
    else:
        payload = message_card(event.level, event.topic, event.id, event.message)
        success = _legacy_accepted
    shown = hidden_url(url)
    return HttpRequest(
        "POST",
        url,
        (("Content-Type", JSON),),
        gojson.dumps(payload).encode(),
        success=success,
        redacted_url=shown,
        inspect=ErrorBody(TEAMS_FAILED, success),
    )


def render(event: Event, options: dict[str, Any], config: ConfigView) -> HttpRequest:
    return build(event, options["channel-url"], options["card"], config)


def validate(options: dict[str, Any], config: ConfigView) -> str | None:
    """The Tocsin `card` option names a known payload."""
    card = options["card"]
    return UNKNOWN_CARD.format(card=go_quote(card)) if card and card.lower() not in CARDS else None


def build_test_request(options: dict[str, Any], config: ConfigView) -> HttpRequest:
    """Kapacitor's test: always the configured channel URL (its `channel_url` option is listed, not used)."""
    try:
        level = parse_level(str(options.get("level", "CRITICAL")))
    except ValueError as exc:
        raise DeliveryError(Reason.CONFIG, str(exc), retryable=False) from None
    event = Event(
        topic=str(options.get("alert_topic", "")),
        id=str(options.get("alert_id", "")),
        level=level,
        time=now_ns(),
        message=str(options.get("message", "")),
    )
    return build(event, "", "", config)


SERVICE_TEST = ServiceTest(
    name="teams",
    defaults={
        "channel_url": "",
        "alert_topic": "test kapacitor alert topic",
        "alert_id": "foo/bar/bat",
        "message": "test teams message",
        "level": "CRITICAL",
    },
    build=build_test_request,
)

KIND = HandlerKind(
    name="teams",
    extras='Adaptive Card (schema 1.4) for Power Automate / Workflows webhooks (`card = "adaptive"`); '
    "URL hidden in errors.",
    help="Post the alert to a Microsoft Teams channel webhook as a card.",
    options=(
        Option(
            "channel-url",
            OptionType.STRING,
            "",
            tick="channelURL",
            secret=True,
            help="Webhook URL (it carries a key: shown redacted); the config's by default.",
        ),
        Option(
            "card",
            OptionType.STRING,
            "",
            tick="card",
            choices=CARDS,
            help="`messagecard` or `adaptive` (Tocsin only); the config's `card` by default.",
        ),
    ),
    render=render,
    config=SECTION,
    service_tests=(SERVICE_TEST,),
    validate=validate,
)

"""The `pagerduty` kind: PagerDuty Events API v1. Its `[pagerduty]` section lives in `pagerduty_config`.

Capabilities: resolve = yes (an OK event sends `event_type: resolve` for the same `incident_key`); idempotency
key = `incident_key` = the alert ID; honours Retry-After = yes (shared classifier); max payload = not enforced;
secrets = `service-key` (in the body only). INFO events are never sent (Kapacitor ignores them): the kind's
`skip` keeps them from being queued at all.

Also home of Kapacitor's level text parsing (`unmarshal_level`), which pagerduty2 shares.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tocsin.alert.event import Event
from tocsin.alert.levels import Level, parse_min_level
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.gocompat import json as gojson
from tocsin.handlers.answers import MessageBody
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType, ServiceTest
from tocsin.handlers.pagerduty_config import SECTION, client_url
from tocsin.handlers.requests import HttpRequest
from tocsin.handlers.sections import enabled_section
from tocsin.transports.headers import redact_url

# Kapacitor's texts (services/pagerduty/service.go, alert/types.go).
INFO_IGNORED = "AlertLevel 'info' is currently ignored by the PagerDuty service"
NOT_UNDERSTOOD = "failed to understand PagerDuty response. code: {status} content: {body}"
UNKNOWN_LEVEL = "unknown alert level '{text}'"
CLIENT = "kapacitor"
JSON_TYPE = "application/json"
_EVENT_TYPES = {Level.OK: "resolve", Level.WARNING: "trigger", Level.CRITICAL: "trigger"}


def unmarshal_level(text: str) -> Level:
    """A level from JSON text as alert.Level decodes it: upper case, a prefix of a level name allowed."""
    try:
        if text != text.upper():
            raise ValueError(text)
        return parse_min_level(text)
    except ValueError:
        raise DeliveryError(Reason.CONFIG, UNKNOWN_LEVEL.format(text=text), retryable=False) from None


def _is_200(status: int) -> bool:
    return status == 200


def build(
    incident_key: str, description: str, level: Level, details: str, options: Mapping[str, Any], config: ConfigView
) -> HttpRequest:
    """Kapacitor's v1 event: a Go map of strings (sorted keys), trigger or resolve."""
    section = enabled_section(config, SECTION.name)
    if level == Level.INFO:
        raise DeliveryError(Reason.CONFIG, INFO_IGNORED, retryable=False)
    body = {
        "client": CLIENT,
        "client_url": client_url(config),
        "description": description,
        "details": details,
        "event_type": _EVENT_TYPES.get(level, "resolve"),
        "incident_key": incident_key,
        "service_key": options.get("service-key") or section["service-key"],
    }
    url = section["url"]
    return HttpRequest(
        "POST",
        url,
        (("Content-Type", JSON_TYPE),),
        gojson.encode_line(body),
        success=_is_200,
        inspect=MessageBody(NOT_UNDERSTOOD, _is_200),
        redacted_url=redact_url(url),
    )


def render(event: Event, options: dict[str, Any], config: ConfigView) -> HttpRequest:
    return build(event.id, event.message, event.level, event.details, options, config)


def skip(event: Event, options: dict[str, Any]) -> bool:
    """Kapacitor never sends INFO to PagerDuty v1."""
    return event.level == Level.INFO


def build_test_request(options: dict[str, Any], config: ConfigView) -> HttpRequest:
    """Kapacitor's test: the configured service key, the posted incident key, description, level, details."""
    level = unmarshal_level(str(options.get("level", "")))
    return build(
        str(options.get("incident-key", "")),
        str(options.get("description", "")),
        level,
        str(options.get("details", "")),
        {},
        config,
    )


SERVICE_TEST = ServiceTest(
    name="pagerduty",
    defaults={
        "incident-key": "testIncidentKey",
        "description": "test pagerduty message",
        "details": "",
        "level": "CRITICAL",
    },
    build=build_test_request,
)

KIND = HandlerKind(
    name="pagerduty",
    help="Trigger and resolve PagerDuty incidents through the Events API v1 (INFO events are not sent).",
    options=(
        Option(
            "service-key",
            OptionType.STRING,
            "",
            tick="serviceKey",
            help="Service key; the [pagerduty] service-key by default.",
            secret=True,
        ),
    ),
    render=render,
    config=SECTION,
    service_tests=(SERVICE_TEST,),
    skip=skip,
)

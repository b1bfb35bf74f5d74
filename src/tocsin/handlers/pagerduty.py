"""The `pagerduty` kind: PagerDuty Events API v1. Its `[pagerduty]` section lives in `pagerduty_config`.

Capabilities: resolve = yes (an OK event sends `event_type: resolve` for the same `incident_key`); idempotency
key = `incident_key` = the alert ID; honours Retry-After = yes (shared classifier); max payload = not enforced;
secrets = `service-key` (in the body only). INFO events are never sent (Kapacitor ignores them): the kind's
`skip` keeps them from being queued at all.

Also home of what the opsgenie and pagerduty kinds share: reading a provider's JSON error answer and
classifying it under Kapacitor's wording (`answer_error`, `json_fields`), and Kapacitor's level text parsing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from tocsin.alert.event import Event
from tocsin.alert.levels import Level, parse_min_level
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.gocompat import json as gojson
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType, ServiceTest
from tocsin.handlers.pagerduty_config import SECTION, client_url
from tocsin.handlers.requests import HttpRequest
from tocsin.transports.classify import classify_http
from tocsin.transports.headers import redact_url

# Kapacitor's texts (services/pagerduty/service.go, alert/types.go).
NOT_ENABLED = "service is not enabled"
INFO_IGNORED = "AlertLevel 'info' is currently ignored by the PagerDuty service"
NOT_UNDERSTOOD = "failed to understand PagerDuty response. code: {status} content: {body}"
UNKNOWN_LEVEL = "unknown alert level '{text}'"
CLIENT = "kapacitor"
JSON_TYPE = "application/json"
_EVENT_TYPES = {Level.OK: "resolve", Level.WARNING: "trigger", Level.CRITICAL: "trigger"}


def json_fields(body: bytes, names: Sequence[str]) -> dict[str, Any]:
    """The named fields of a JSON object answer, matched as Go's decoder matches struct fields.

    Keys match exactly or case-insensitively, the last match wins; a body that is not one JSON object
    (trailing text after it is ignored, as by Go's json.Decoder) yields nothing.
    """
    try:
        text = body.decode("utf-8", "replace").lstrip()
        value, _ = json.JSONDecoder().raw_decode(text)
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    folded = {name.casefold(): name for name in names}
    found: dict[str, Any] = {}
    for key, item in value.items():
        name = folded.get(key.casefold())
        if name is not None and item is not None:
            found[name] = item
    return found


def json_message(body: bytes, fallback: str) -> str:
    """The `message` string of a JSON error answer, else `fallback`."""
    message = json_fields(body, ["message"]).get("message")
    return message if isinstance(message, str) else fallback


def answer_error(status: int, headers: Sequence[tuple[str, str]], body: bytes, text: str) -> DeliveryError:
    """An unaccepted answer, classified by the shared HTTP rules but worded as Kapacitor words it."""
    shared = classify_http(status, headers, body)
    if shared is None:  # a 1xx-3xx status the provider does not use for success
        return DeliveryError(Reason.OTHER, text, retryable=False, status=status)
    return DeliveryError(shared.reason, text, retryable=shared.retryable, retry_after=shared.retry_after, status=status)


def unmarshal_level(text: str) -> Level:
    """A level from JSON text as alert.Level decodes it: upper case, a prefix of a level name allowed."""
    try:
        if text != text.upper():
            raise ValueError(text)
        return parse_min_level(text)
    except ValueError:
        raise DeliveryError(Reason.CONFIG, UNKNOWN_LEVEL.format(text=text), retryable=False) from None


def enabled_section(config: ConfigView, name: str, not_enabled: str = NOT_ENABLED) -> dict[str, Any]:
    """The section `name`, or DeliveryError(CONFIG, `not_enabled`) when it is off."""
    section = config.element(name)
    if section is None or not section.get("enabled"):
        raise DeliveryError(Reason.CONFIG, not_enabled, retryable=False)
    return section


def _is_200(status: int) -> bool:
    return status == 200


def _inspect(status: int, headers: Sequence[tuple[str, str]], body: bytes) -> DeliveryError | None:
    if status == 200:
        return None
    fallback = NOT_UNDERSTOOD.format(status=status, body=body.decode("utf-8", "replace"))
    return answer_error(status, headers, body, json_message(body, fallback))


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
        inspect=_inspect,
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
        str(options.get("incident-key", "")), str(options.get("description", "")), level,
        str(options.get("details", "")), {}, config,
    )  # fmt: skip


SERVICE_TEST = ServiceTest(
    name="pagerduty",
    defaults={"incident-key": "testIncidentKey", "description": "test pagerduty message", "details": "",
              "level": "CRITICAL"},
    build=build_test_request,
)  # fmt: skip

KIND = HandlerKind(
    name="pagerduty",
    help="Trigger and resolve PagerDuty incidents through the Events API v1 (INFO events are not sent).",
    options=(
        Option("service-key", OptionType.STRING, "", tick="serviceKey",
               help="Service key; the [pagerduty] service-key by default.", secret=True),
    ),
    render=render,
    config=SECTION,
    service_tests=(SERVICE_TEST,),
    skip=skip,
)  # fmt: skip

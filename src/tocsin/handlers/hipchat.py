"""The `hipchat` kind and its `[hipchat]` section: Kapacitor's room notification (HipChat API v2).

Capabilities: resolve = no (a recovery is another notification, colour `green`); idempotency key = none; honours
Retry-After = yes (shared classifier); max payload = not enforced; secrets = `token` (section and option; it
travels in the query string, which errors and logs replace with `auth_token=xxxxx`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from tocsin.alert.event import Event
from tocsin.alert.levels import Level, parse_level
from tocsin.config.schema import Field, FieldType, Section
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.gocompat import json as gojson
from tocsin.gocompat.urlpath import join_url_path
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType, ServiceTest
from tocsin.handlers.requests import HttpRequest
from tocsin.handlers.sections import enabled_section
from tocsin.transports.headers import REDACTED

MISSING_URL = "must specify url"
FROM = "kapacitor"
_COLORS = {Level.WARNING: "yellow", Level.CRITICAL: "red"}


def _validate(values: Any) -> str | None:
    if values["enabled"] and not values["url"]:
        return MISSING_URL
    return None


SECTION = Section(
    name="hipchat",
    help="HipChat room notifications (API v2). HipChat itself is discontinued; the kind is kept as Kapacitor does.",
    validate=_validate,
    fields=(
        Field("enabled", FieldType.BOOL, help="Enable sending alerts to HipChat."),
        Field(
            "url",
            FieldType.STRING,
            help="HipChat room API URL; the room and /notification are appended.",
            example="https://subdomain.hipchat.com/v2/room",
        ),
        Field("token", FieldType.STRING, secret=True, help="Room notification token, sent as ?auth_token=."),
        Field("room", FieldType.STRING, help="Default room (name or ID), can be overridden per alert."),
        Field("global", FieldType.BOOL, help="Send every alert to HipChat without naming it in the TICKscript."),
        Field("state-changes-only", FieldType.BOOL, help="With global, only send alerts whose level changed."),
    ),
)


def _is_200_or_204(status: int) -> bool:
    return status in (200, 204)


def build(room: str, token: str, message: str, level: Level, config: ConfigView) -> HttpRequest:
    """Kapacitor's notification: POST `<url>/<room>/notification?auth_token=<token>`, keys sorted, newline."""
    section = enabled_section(config, SECTION.name)
    base = urlsplit(join_url_path(section["url"], room or section["room"], "notification"))
    token = token or section["token"]
    url = urlunsplit(base._replace(query=urlencode({"auth_token": token})))
    shown = urlunsplit(base._replace(query=f"auth_token={REDACTED}")) if token else url
    body = {"color": _COLORS.get(level, "green"), "from": FROM, "message": message, "notify": True}
    return HttpRequest(
        "POST",
        url,
        (("Content-Type", "application/json"),),
        gojson.encode_line(body),
        success=_is_200_or_204,
        redacted_url=shown,
    )


def render(event: Event, options: dict[str, Any], config: ConfigView) -> HttpRequest:
    return build(options["room"], options["token"], event.message, event.level, config)


def build_test_request(options: dict[str, Any], config: ConfigView) -> HttpRequest:
    """The test notification: the posted room (else the config's) with the config's token."""
    try:
        level = parse_level(str(options.get("level") or ""))
    except ValueError as exc:
        raise DeliveryError(Reason.CONFIG, str(exc), retryable=False) from None
    return build(str(options.get("room") or ""), "", str(options.get("message") or ""), level, config)


SERVICE_TEST = ServiceTest(
    name="hipchat",
    defaults={"room": "", "message": "test hipchat message", "level": "CRITICAL"},
    build=build_test_request,
)

KIND = HandlerKind(
    name="hipchat",
    help="Post the alert message to a HipChat room (colour by level, notify on).",
    options=(
        Option("room", OptionType.STRING, "", tick="room", help="Room name or ID; the config's room by default."),
        Option(
            "token",
            OptionType.STRING,
            "",
            tick="token",
            secret=True,
            help="Room notification token; the config's token by default.",
        ),
    ),
    render=render,
    config=SECTION,
    service_tests=(SERVICE_TEST,),
    timeout=30.0,
)

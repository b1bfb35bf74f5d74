"""The `opsgenie2` kind: OpsGenie's v2 Alert API. Its `[opsgenie2]` section lives in `opsgenie_config`.

Capabilities: resolve = yes (an OK event adds a note to, or closes, the alert named by its alias, per
`recovery_action`); idempotency key = `alias` = URL-safe base64 of the alert ID (OpsGenie deduplicates open
alerts by alias); honours Retry-After = yes (shared classifier); max payload = not enforced; secrets = `api-key`
(the `Authorization: GenieKey` header). Beyond Kapacitor: `[opsgenie2] region = "eu"` picks the EU API host.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tocsin.alert.event import Event, alert_data
from tocsin.alert.levels import Level, parse_min_level
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.gocompat import json as gojson
from tocsin.gocompat.urlpath import go_join
from tocsin.handlers.answers import MessageBody
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType, ServiceTest
from tocsin.handlers.opsgenie import EMPTY_RESULT, MONITORING_TOOL, NOT_UNDERSTOOD, RECOVERY
from tocsin.handlers.opsgenie_config import DEFAULT_RECOVERY_ACTION, RECOVERY_ACTIONS, SECTION_V2, api_url_v2
from tocsin.handlers.pagerduty import JSON_TYPE, UNKNOWN_LEVEL
from tocsin.handlers.requests import HttpRequest
from tocsin.handlers.sections import NOT_ENABLED, enabled_section
from tocsin.transports.headers import redact_url

# Kapacitor's texts (services/opsgenie2/service.go).
PREPARE_FAILED = "failed to prepare API request: {error}"
REFUSED = "opsgenie error: {message}"
RECOVERY_QUERY = "identifierType=alias"
_PRIORITIES = {Level.INFO: "P5", Level.WARNING: "P3", Level.CRITICAL: "P1"}


def alias(alert_id: str) -> str:
    """The OpsGenie alias of an alert: URL-safe base64 of its ID, with padding."""
    return base64.urlsafe_b64encode(alert_id.encode()).decode("ascii")


def recovery_action(chosen: str, section: dict[str, Any]) -> str:
    """The handler's action when valid, else the section's, else `notes`."""
    for action in (chosen, section.get("recovery_action")):
        if action in RECOVERY_ACTIONS:
            return str(action)
    return DEFAULT_RECOVERY_ACTION


def recovery_url(url: str, alert_alias: str, action: str) -> str:
    """`<url path>/<alias>/<action>?identifierType=alias`, the path joined and cleaned as Go's path.Join."""
    parts = urlsplit(url)
    path = go_join(parts.path, alert_alias, action)
    if parts.netloc and not path.startswith("/"):
        path = "/" + path
    return urlunsplit((parts.scheme, parts.netloc, path, RECOVERY_QUERY, parts.fragment))


def _responders(teams: list[str], recipients: list[str]) -> list[dict[str, str]]:
    # Go maps: keys sorted.
    return [{"name": t, "type": "team"} for t in teams] + [{"type": "user", "username": u} for u in recipients]


def _details(result: dict[str, Any], level: Level) -> dict[str, str]:
    details = {"Monitoring Tool": MONITORING_TOOL, "Level": level.name}
    rows = result.get("series") or []
    if rows:
        details.update(rows[0].get("tags") or {})
        details["Kapacitor Task Name"] = rows[0].get("name", "")
    return gojson.sorted_map(details)


def _is_202(status: int) -> bool:
    return status == 202


def build(
    teams: list[str] | None,
    recipients: list[str] | None,
    level: Level,
    message: str,
    details: str,
    entity_id: str,
    result: dict[str, Any],
    action: str,
    config: ConfigView,
) -> HttpRequest:
    """Kapacitor's v2 request: create the alert, or for OK add a note to it or close it."""
    section = enabled_section(config, SECTION_V2.name, PREPARE_FAILED.format(error=NOT_ENABLED))
    alert_alias = alias(entity_id)
    url = api_url_v2(section)
    body: dict[str, Any]
    if level == Level.OK:
        url = recovery_url(url, alert_alias, recovery_action(action, section))
        body = {"note": message}
    else:
        responders = _responders(teams or section["teams"], recipients or section["recipients"])
        body = {
            "alias": alert_alias,
            "description": details if section["details"] and details else gojson.dumps(result),
            "details": _details(result, level),
            "entity": entity_id,
            "message": message,
            "note": "",
            "priority": _PRIORITIES.get(level, ""),
        }
        if responders:
            body["responders"] = responders
    headers = (("Content-Type", JSON_TYPE), ("Authorization", f"GenieKey {section['api-key']}"))
    return HttpRequest(
        "POST",
        url,
        headers,
        gojson.encode_line(body),
        success=_is_202,
        inspect=MessageBody(NOT_UNDERSTOOD, _is_202, REFUSED),
        redacted_url=redact_url(url),
    )


def render(event: Event, options: dict[str, Any], config: ConfigView) -> HttpRequest:
    return build(
        options["teams-list"],
        options["recipients-list"],
        event.level,
        event.message,
        event.details,
        event.id,
        alert_data(event)["data"],
        options["recovery_action"],
        config,
    )


def build_test_request(options: dict[str, Any], config: ConfigView) -> HttpRequest:
    """Kapacitor's test: message-type RECOVERY means OK, anything else is parsed as a level."""
    kind_of_message = str(options.get("message-type", ""))
    if kind_of_message == RECOVERY:
        level = Level.OK
    else:
        try:
            level = parse_min_level(kind_of_message)
        except ValueError:
            text = UNKNOWN_LEVEL.format(text=kind_of_message.upper())
            raise DeliveryError(Reason.CONFIG, text, retryable=False) from None
    return build(
        options.get("teams"),
        options.get("recipients"),
        level,
        str(options.get("message", "")),
        "",
        str(options.get("entity-id", "")),
        EMPTY_RESULT,
        str(options.get("recovery_action", "")),
        config,
    )


SERVICE_TEST = ServiceTest(
    name="opsgenie2",
    # teams, recipients and recovery_action list the [opsgenie2] ones in Kapacitor; these are its defaults.
    defaults={
        "teams": None,
        "recipients": None,
        "message-type": "CRITICAL",
        "message": "test opsgenie message",
        "entity-id": "testEntityID",
        "recovery_action": DEFAULT_RECOVERY_ACTION,
    },
    build=build_test_request,
)

KIND = HandlerKind(
    name="opsgenie2",
    extras='`region = "us" | "eu"` picks the API host.',
    help="Create OpsGenie alerts through the v2 API; OK events add a note to, or close, the alert.",
    options=(
        Option("teams-list", OptionType.STRING_LIST, tick="teams", help="Teams; the [opsgenie2] teams by default."),
        Option(
            "recipients-list",
            OptionType.STRING_LIST,
            tick="recipients",
            help="User recipients; the [opsgenie2] recipients by default.",
        ),
        Option(
            "recovery_action",
            OptionType.STRING,
            "",
            tick="recoveryAction",
            help="On OK: `notes` or `close`; anything else uses [opsgenie2] recovery_action.",
        ),
    ),
    render=render,
    config=SECTION_V2,
    service_tests=(SERVICE_TEST,),
)

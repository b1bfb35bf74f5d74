"""The `opsgenie` kind: OpsGenie's legacy v1 JSON API. Its `[opsgenie]` section lives in `opsgenie_config`.

Capabilities: resolve = yes, as configured (an OK event goes to `recovery_url`: a note by default, or e.g. the
close URL); idempotency key = `alias` = the alert ID (OpsGenie folds repeats into one alert); honours
Retry-After = yes (shared classifier); max payload = not enforced; secrets = `api-key` (in the body only).
"""

from __future__ import annotations

from typing import Any

from tocsin.alert.event import Event, alert_data
from tocsin.alert.levels import Level
from tocsin.gocompat import json as gojson
from tocsin.handlers.answers import MessageBody
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType, ServiceTest
from tocsin.handlers.opsgenie_config import SECTION
from tocsin.handlers.pagerduty import JSON_TYPE
from tocsin.handlers.requests import HttpRequest
from tocsin.handlers.sections import enabled_section
from tocsin.transports.headers import redact_url

# Kapacitor's texts (services/opsgenie/service.go).
NOT_UNDERSTOOD = "failed to understand OpsGenie response. code: {status} content: {body}"
RECOVERY = "RECOVERY"
MONITORING_TOOL = "Kapacitor"
EMPTY_RESULT: dict[str, Any] = {"series": None}


def message_type(level: Level) -> str:
    """Kapacitor's OpsGenie message type: RECOVERY for OK, else the level's name."""
    return RECOVERY if level == Level.OK else level.name


def _is_200(status: int) -> bool:
    return status == 200


def build(
    teams: list[str] | None,
    recipients: list[str] | None,
    kind_of_message: str,
    message: str,
    entity_id: str,
    result: dict[str, Any],
    config: ConfigView,
) -> HttpRequest:
    """Kapacitor's v1 alert: a Go map (sorted keys) to `<url>/`, or to `<recovery_url>/` for RECOVERY."""
    section = enabled_section(config, SECTION.name)
    recovery = kind_of_message == RECOVERY
    body: dict[str, Any] = {
        "alias": entity_id,
        "apiKey": section["api-key"],
        "description": gojson.dumps(result),
        "details": {"Level": kind_of_message, "Monitoring Tool": MONITORING_TOOL},
        "entity": entity_id,
        "message": message,
        "monitoring_tool": "kapacitor",
        "note": message if recovery else "",
    }
    teams = teams or section["teams"]
    if teams:
        body["teams"] = teams
    recipients = recipients or section["recipients"]
    if recipients:
        body["recipients"] = recipients
    url = (section["recovery_url"] if recovery else section["url"]) + "/"
    return HttpRequest(
        "POST",
        url,
        (("Content-Type", JSON_TYPE),),
        gojson.encode_line(gojson.sorted_map(body)),
        success=_is_200,
        inspect=MessageBody(NOT_UNDERSTOOD, _is_200),
        redacted_url=redact_url(url),
    )


def render(event: Event, options: dict[str, Any], config: ConfigView) -> HttpRequest:
    return build(
        options["teams-list"],
        options["recipients-list"],
        message_type(event.level),
        event.message,
        event.id,
        alert_data(event)["data"],
        config,
    )


def build_test_request(options: dict[str, Any], config: ConfigView) -> HttpRequest:
    """Kapacitor's test: the message type is used as given (RECOVERY goes to the recovery URL)."""
    return build(
        options.get("teams"),
        options.get("recipients"),
        str(options.get("message-type", "")),
        str(options.get("message", "")),
        str(options.get("entity-id", "")),
        EMPTY_RESULT,
        config,
    )


SERVICE_TEST = ServiceTest(
    name="opsgenie",
    # teams and recipients list the [opsgenie] ones in Kapacitor; null here falls back to them when sent.
    defaults={
        "teams": None,
        "recipients": None,
        "message-type": "CRITICAL",
        "message": "test opsgenie message",
        "entity-id": "testEntityID",
    },
    build=build_test_request,
)

KIND = HandlerKind(
    name="opsgenie",
    help="Create OpsGenie alerts through the legacy v1 API; OK events go to the recovery URL.",
    options=(
        Option("teams-list", OptionType.STRING_LIST, tick="teams", help="Teams; the [opsgenie] teams by default."),
        Option(
            "recipients-list",
            OptionType.STRING_LIST,
            tick="recipients",
            help="Recipients; the [opsgenie] recipients by default.",
        ),
    ),
    render=render,
    config=SECTION,
    service_tests=(SERVICE_TEST,),
)

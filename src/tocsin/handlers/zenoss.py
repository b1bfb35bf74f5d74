"""The `zenoss` kind: one event through Zenoss's JSON-RPC router. Its `[zenoss]` section is in `zenoss_config`.

Capabilities: resolve = yes, by severity (OK maps to `Clear`, which closes the event in Zenoss); idempotency
key = none; honours Retry-After = yes (shared classifier); max payload = summary cut to 256 bytes, message
to 4096; secrets = `password` (basic auth; userinfo in the URL is hidden in errors).

Option keys are Kapacitor's: `action`, `method`, `type`, `tid`, then the Go field names `summary`, `device`,
`component`, `eventClassKey`, `eventClass`, `collector`, `message` (matched case-insensitively) and
`customField`. Every string is a Go template over Name, TaskName, ID, Message, Details, Time, Duration,
Level, Recoverable and Tags; as in Kapacitor an execution error keeps the output written so far.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from tocsin.alert.event import Event
from tocsin.alert.levels import parse_level
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.gocompat import json as gojson
from tocsin.gotemplate import GoDuration, GoTime, StringMap, Struct
from tocsin.gotemplate.gotime import ZERO_TIME_NS
from tocsin.handlers.answers import ErrorBody
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType, ServiceTest
from tocsin.handlers.post import AlertLevel
from tocsin.handlers.requests import HttpRequest
from tocsin.handlers.sections import enabled_section
from tocsin.handlers.teams import go_truncate
from tocsin.handlers.templating import execute_partial
from tocsin.handlers.zenoss_config import (
    DEFAULT_ACTION,
    DEFAULT_COLLECTOR,
    DEFAULT_METHOD,
    DEFAULT_TID,
    DEFAULT_TYPE,
    SECTION,
    SEVERITY_KEYS,
)
from tocsin.transports.headers import redact_url

ZENOSS_FAILED = "failed to understand Zenoss response. code: {status} content: {content}"
SUMMARY_CUTOFF = 256
MESSAGE_CUTOFF = 4096
JSON = "application/json"
# The fields of the anonymous struct Kapacitor executes zenoss templates with, in declaration order.
_DATA_TYPE = (
    "struct { Name string; TaskName string; ID string; Message string; Details string; Time time.Time; "
    "Duration time.Duration; Level alert.Level; Recoverable bool; Tags map[string]string }"
)
# Option -> template name (Kapacitor names each template after its event field).
_TEMPLATED = {
    "summary": "summary",
    "device": "device",
    "component": "component",
    "eventClassKey": "evclasskey",
    "eventClass": "evclass",
    "message": "message",
    "collector": "collector",
}


def template_data(event: Event) -> Struct:
    """What zenoss templates see (no Fields, Level prints as its name)."""
    return Struct(
        _DATA_TYPE,
        {
            "Name": event.name,
            "TaskName": event.task_name,
            "ID": event.id,
            "Message": event.message,
            "Details": event.details,
            "Time": GoTime(event.time),
            "Duration": GoDuration(event.duration),
            "Level": AlertLevel(event.level),
            "Recoverable": event.recoverable,
            "Tags": StringMap(event.tags),
        },
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON constant {name}")


def custom_value(key: str, value: Any, data: Struct) -> Any:
    """A custom field: strings are templates, and a result that parses as a JSON object or array is JSON."""
    if not isinstance(value, str):
        return value
    text = execute_partial(f"customData.{key}", value, data)
    if text.startswith(("{", "[")):
        try:
            return json.loads(text, parse_constant=_reject_constant)
        except ValueError:
            pass
    return text


def _go_order(value: Any) -> Any:
    """Nested maps in Go's JSON order (sorted keys)."""
    if isinstance(value, dict):
        return {k: _go_order(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_go_order(v) for v in value]
    return value


def build(event: Event, options: dict[str, Any], config: ConfigView) -> HttpRequest:
    """Kapacitor's router call: handler values, else the config's; custom fields may override any key."""
    service = enabled_section(config, SECTION.name)
    data = template_data(event)
    text = {opt: execute_partial(name, str(options.get(opt) or ""), data) for opt, name in _TEMPLATED.items()}
    fields: dict[str, Any] = {
        "summary": go_truncate(text["summary"] or event.message, SUMMARY_CUTOFF),
        "device": text["device"],
        "component": text["component"],
        "severity": (service["severity-map"] or {}).get(SEVERITY_KEYS[event.level]),
        "evclasskey": text["eventClassKey"],
        "evclass": text["eventClass"],
    }
    collector = text["collector"] or service["collector"]
    if collector:
        fields["collector"] = collector
    message = go_truncate(text["message"], MESSAGE_CUTOFF)
    if message:
        fields["message"] = message
    for key, value in (options.get("customField") or {}).items():
        fields[key] = custom_value(key, value, data)
    body = {
        "action": options.get("action") or service["action"],
        "method": options.get("method") or service["method"],
        "data": [_go_order(fields)],
        "type": options.get("type") or service["type"],
        "tid": options.get("tid") or service["tid"],
    }
    headers = [("Content-Type", JSON)]
    if service["username"] and service["password"]:
        token = base64.b64encode(f"{service['username']}:{service['password']}".encode()).decode("ascii")
        headers.append(("Authorization", f"Basic {token}"))
    url = service["url"]
    shown = redact_url(url) or url
    return HttpRequest(
        "POST",
        url,
        tuple(headers),
        gojson.dumps(body).encode(),
        success=_is_200,
        redacted_url=shown,
        inspect=ErrorBody(ZENOSS_FAILED, _is_200),
    )


def _is_200(status: int) -> bool:
    return status == 200


def render(event: Event, options: dict[str, Any], config: ConfigView) -> HttpRequest:
    return build(event, options, config)


# Kapacitor lists the config's values; these are the default config's. Posting them back means "the config's
# value", so a test follows the configuration as Kapacitor's does.
_LISTED_FROM_CONFIG = {
    "action": DEFAULT_ACTION,
    "method": DEFAULT_METHOD,
    "type": DEFAULT_TYPE,
    "tid": DEFAULT_TID,
    "collector": DEFAULT_COLLECTOR,
}


def build_test_request(options: dict[str, Any], config: ConfigView) -> HttpRequest:
    """Kapacitor's test event: ID 1001, no tags, zero time, with the posted handler values."""
    try:
        level = parse_level(str(options.get("level", "CRITICAL")))
    except ValueError as exc:
        raise DeliveryError(Reason.CONFIG, str(exc), retryable=False) from None
    handler = {key: options.get(key) for key in _LISTED_FROM_CONFIG}
    for key, listed in _LISTED_FROM_CONFIG.items():
        if handler[key] == listed:
            handler[key] = None
    handler |= {
        "summary": options.get("summary"),
        "device": options.get("device"),
        "component": options.get("component"),
        "eventClassKey": options.get("eventclasskey"),
        "eventClass": options.get("eventclass"),
        "customField": options.get("custom_fields"),
    }
    event = Event(
        topic="",
        id=str(options.get("alert_id", "")),
        level=level,
        time=ZERO_TIME_NS,
        message=str(options.get("message", "")),
        recoverable=False,
    )
    return build(event, handler, config)


SERVICE_TEST = ServiceTest(
    name="zenoss",
    defaults={
        "alert_id": "1001",
        "level": "CRITICAL",
        "message": "test zenoss message",
        "action": DEFAULT_ACTION,
        "method": DEFAULT_METHOD,
        "type": DEFAULT_TYPE,
        "tid": DEFAULT_TID,
        "summary": "",
        "device": "",
        "component": "",
        "eventclasskey": "",
        "eventclass": "",
        "collector": DEFAULT_COLLECTOR,
        "custom_fields": {},
    },
    build=build_test_request,
)


def _template_option(name: str, tick: str, what: str) -> Option:
    return Option(name, OptionType.STRING, "", tick=tick, help=f"{what} (a template).")


KIND = HandlerKind(
    name="zenoss",
    help="Send the alert as a Zenoss event through the JSON-RPC router.",
    options=(
        Option("action", OptionType.STRING, "", tick="action", help="Router name; the config's by default."),
        Option("method", OptionType.STRING, "", tick="method", help="Router method; the config's by default."),
        Option("type", OptionType.STRING, "", tick="type", help="Event type; the config's by default."),
        Option("tid", OptionType.INT, 0, tick="tid", go_type="int64", help="Transaction id; 0 uses the config's."),
        _template_option("summary", "summary", "Event summary; the alert message when empty"),
        _template_option("device", "device", "Device of the event"),
        _template_option("component", "component", "Component of the event"),
        _template_option("eventClassKey", "eventClassKey", "Event class key (evclasskey)"),
        _template_option("eventClass", "eventClass", "Event class (evclass), e.g. /App"),
        _template_option("collector", "collector", "Collector; the config's when empty"),
        _template_option("message", "message", "Event message"),
        Option(
            "customField",
            OptionType.MAP,
            tick="customField",
            help="Extra event fields; string values are templates, JSON-looking results are sent as JSON.",
        ),
    ),
    render=render,
    config=SECTION,
    service_tests=(SERVICE_TEST,),
)

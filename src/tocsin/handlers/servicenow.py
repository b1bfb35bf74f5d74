"""The `servicenow` kind: one event record posted to ServiceNow's event management API (`[servicenow]`).

Capabilities: resolve = yes (severity "5" is ServiceNow's Clear for the same message_key); idempotency key =
`message_key` (the event ID unless templated: ServiceNow groups events into one alert by it); honours
Retry-After = yes (shared classifier); max payload = Kapacitor's byte cut-offs (100 bytes per name field,
1024 for message_key, 4000 for description); secrets = `password` (sent as basic auth, never shown).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from tocsin.alert.event import Event
from tocsin.alert.levels import Level, decode_level
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.gocompat import json as gojson
from tocsin.gotemplate import StringMap, Struct, format_value
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType, ServiceTest
from tocsin.handlers.requests import HttpRequest
from tocsin.handlers.sections import enabled_section
from tocsin.handlers.servicenow_config import SECTION
from tocsin.handlers.templating import execute_partial
from tocsin.transports.headers import redact_url

JSON = "application/json"
NAME_CUTOFF = 100
MESSAGE_KEY_CUTOFF = 1024
DESCRIPTION_CUTOFF = 4000

_SEVERITY = {Level.OK: "5", Level.INFO: "5", Level.WARNING: "4", Level.CRITICAL: "1"}
# Handler options rendered as templates, with the template names Kapacitor gives them, in its order.
_TEMPLATED = (
    ("node", "node"),
    ("type", "type"),
    ("resource", "resource"),
    ("metricName", "metricName"),
    ("messageKey", "messageKey"),
)


def _json_string(text: str, limit: int) -> str:
    """`text` cut to `limit` bytes as a Go JSON string: bytes of a split character become `\\ufffd` each."""
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return gojson.dumps(text)
    cut = raw[:limit]
    for broken in range(4):
        try:
            whole = cut[: len(cut) - broken].decode("utf-8")
        except UnicodeDecodeError:
            continue
        return gojson.dumps(whole)[:-1] + "\\ufffd" * broken + '"'
    raise AssertionError("a cut of valid UTF-8 ends in at most 3 bytes of a split character")


def _as_decoded_json(value: Any) -> Any:
    # Options arrive as JSON, where Kapacitor sees every number as float64 (`%v` prints 1e+06, not 1000000).
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, list):
        return [_as_decoded_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_decoded_json(v) for k, v in value.items()}
    return value


def build(
    url: str,
    alert_id: str,
    message: str,
    level: Level,
    data: Struct,
    options: Mapping[str, Any],
    config: ConfigView,
) -> HttpRequest:
    """Kapacitor's ServiceNow request: `{"records":[event]}` compact, omitempty fields, basic auth from config."""
    section = enabled_section(config, SECTION.name)
    url = url or section["url"]
    rendered = {key: execute_partial(name, str(options.get(key) or ""), data) for key, name in _TEMPLATED}
    info: dict[str, str] = {}
    for key in sorted(options.get("additional_info") or {}):
        value = options["additional_info"][key]
        if isinstance(value, str):
            info[key] = execute_partial(f"additional_info.{key}", value, data)
        else:
            info[key] = format_value(_as_decoded_json(value))
    record = [
        ("source", _json_string(str(options.get("source") or section["source"]), NAME_CUTOFF), True),
        ("node", _json_string(rendered["node"], NAME_CUTOFF), False),
        ("type", _json_string(rendered["type"], NAME_CUTOFF), False),
        ("resource", _json_string(rendered["resource"], NAME_CUTOFF), False),
        ("metric_name", _json_string(rendered["metricName"], NAME_CUTOFF), False),
        ("message_key", _json_string(rendered["messageKey"] or alert_id, MESSAGE_KEY_CUTOFF), False),
        ("severity", gojson.dumps(_SEVERITY.get(level, "0")), False),
        ("description", _json_string(message, DESCRIPTION_CUTOFF), False),
        ("additional_info", gojson.dumps(gojson.dumps(info)) if info else '""', False),
    ]
    fields = ",".join(f'"{key}":{value}' for key, value, always in record if always or value != '""')
    headers = [("Content-Type", JSON)]
    if section["username"] and section["password"]:
        token = base64.b64encode(f"{section['username']}:{section['password']}".encode()).decode("ascii")
        headers.append(("Authorization", f"Basic {token}"))
    return HttpRequest(
        "POST",
        url,
        tuple(headers),
        ('{"records":[{' + fields + "}]}").encode("utf-8"),
        success=_is_200,
        redacted_url=redact_url(url),
    )


def _is_200(status: int) -> bool:
    return status == 200


def template_data(
    alert_id: str, name: str, task_name: str, fields: Mapping[str, Any], tags: Mapping[str, str]
) -> Struct:
    """The data of servicenow templates: ID, Name (measurement), TaskName, Fields and Tags."""
    return Struct(
        "servicenow.dataInfo",
        {"ID": alert_id, "Name": name, "TaskName": task_name, "Fields": dict(fields), "Tags": StringMap(tags)},
    )


def render(event: Event, options: dict[str, Any], config: ConfigView) -> HttpRequest:
    data = template_data(event.id, event.name, event.task_name, event.fields, event.tags)
    return build(options["url"], event.id, event.message, event.level, data, options, config)


def build_test_request(options: dict[str, Any], config: ConfigView) -> HttpRequest:
    try:
        level = decode_level(options.get("level"))
    except ValueError as exc:
        raise DeliveryError(Reason.CONFIG, str(exc), retryable=False) from None
    alert_id = str(options.get("alert_id") or "")
    handler_options = {
        "source": options.get("source"),
        "node": options.get("node"),
        "type": options.get("type"),
        "resource": options.get("resource"),
        "metricName": options.get("metric_name"),
        "messageKey": options.get("message_key"),
        "additional_info": options.get("additional_info"),
    }
    data = template_data(alert_id, "", "", {}, {})
    return build("", alert_id, str(options.get("message") or ""), level, data, handler_options, config)


SERVICE_TEST = ServiceTest(
    name="servicenow",
    defaults={
        "alert_id": "1001",
        "message": "test servicenow message",
        "level": "CRITICAL",
        "source": "Kapacitor",
        "node": "",
        "type": "",
        "resource": "",
        "metric_name": "",
        "message_key": "",
        "additional_info": {},
    },
    build=build_test_request,
)

KIND = HandlerKind(
    name="servicenow",
    help="Post each event as a ServiceNow event record; the level sets its severity.",
    options=(
        Option("url", OptionType.STRING, tick="URL", help="Events API URL; the [servicenow] url by default."),
        Option("source", OptionType.STRING, tick="source", help="Event source; the [servicenow] source by default."),
        Option(
            "username",
            OptionType.STRING,
            tick="username",
            help="Accepted for compatibility and ignored: the [servicenow] username is used.",
        ),
        Option(
            "password",
            OptionType.STRING,
            tick="password",
            secret=True,
            help="Accepted for compatibility and ignored: the [servicenow] password is used.",
        ),
        Option("node", OptionType.STRING, tick="node", help="Node name (template)."),
        Option("type", OptionType.STRING, tick="type", help="Metric type (template)."),
        Option("resource", OptionType.STRING, tick="resource", help="Node resource of the event (template)."),
        Option("metricName", OptionType.STRING, tick="metricName", help="Metric name (template)."),
        Option(
            "messageKey",
            OptionType.STRING,
            tick="messageKey",
            help="Key that groups events into one alert (template); the event ID by default.",
        ),
        Option(
            "additional_info",
            OptionType.MAP,
            tick="additionalInfo",
            help="Extra key/value pairs; string values are templates, others print as Go's %v.",
        ),
    ),
    render=render,
    config=SECTION,
    service_tests=(SERVICE_TEST,),
)

"""The `alerta` kind: Kapacitor's POST of one alert to Alerta's `/alert`. Its section lives in `alerta_config`.

Capabilities: resolve = yes in effect (an OK event is sent with severity `ok`, which Alerta treats as cleared);
idempotency key = none (Alerta itself de-duplicates on environment, resource and event); honours Retry-After =
yes (shared classifier); max payload = not enforced; secrets = `token` (section and option; it only travels in
the Authorization header).

The body's `tags` lists `k=v` for every event tag sorted by tag key: Kapacitor builds it by walking a Go map, so
its order is unspecified there; sorting keeps Tocsin's requests stable.

Also home of the handler-side template helpers (`template_data`, `execute`, `parse_problem`) that the bigpanda
and discord kinds share: Kapacitor gives all of them the same TemplateData and plain text/template.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tocsin.alert.event import Event, alert_data
from tocsin.alert.levels import Level
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.gocompat import json as gojson
from tocsin.gocompat.duration import HOUR, SECOND, parse_duration
from tocsin.gocompat.urlpath import join_url_path
from tocsin.gotemplate import StringMap, Struct, to_jsonable
from tocsin.handlers.alerta_config import SECTION
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType, ServiceTest
from tocsin.handlers.requests import HttpRequest
from tocsin.handlers.sections import enabled_section
from tocsin.handlers.templating import execute, parse_problem, template_data
from tocsin.transports.headers import redact_url

RESOURCE_AND_EVENT_REQUIRED = "Resource and Event are required to send an alert"
DEFAULT_TOKEN_PREFIX = "Bearer"
DEFAULT_TIMEOUT = 24 * HOUR
SEVERITIES = {Level.OK: "ok", Level.INFO: "informational", Level.WARNING: "warning", Level.CRITICAL: "critical"}


def event_template_data(event: Event) -> Struct:
    """The smaller struct Kapacitor gives alerta's `event` template."""
    fields = {
        "ID": event.id,
        "Name": event.name,
        "TaskName": event.task_name,
        "Group": event.group,
        "Tags": StringMap(event.tags),
    }
    return Struct("alerta.eventData", fields)


@dataclass(frozen=True, slots=True)
class AlertaAlert:
    """What Kapacitor's alerta service sends for one alert, templates already executed."""

    resource: str
    event: str
    environment: str
    severity: str
    group: str
    value: str
    text: str
    origin: str
    service: list[str]
    correlate: list[str]
    timeout: int  # nanoseconds; Alerta gets whole seconds
    attributes: Mapping[str, Any] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    raw_data: Mapping[str, Any] = field(default_factory=lambda: {"series": None})


def build(alert: AlertaAlert, token: str, token_prefix: str, config: ConfigView) -> HttpRequest:
    """Kapacitor's request: POST `<url>/alert`, `Authorization: <prefix> <token>`, a Go map (sorted keys)."""
    if not alert.resource or not alert.event:
        raise DeliveryError(Reason.CONFIG, RESOURCE_AND_EVENT_REQUIRED, retryable=False)
    section = enabled_section(config, SECTION.name)
    body: dict[str, Any] = {
        "environment": alert.environment or section["environment"],
        "event": alert.event,
        "group": alert.group,
        "origin": alert.origin or section["origin"],
        "rawData": alert.raw_data,
        "resource": alert.resource,
        "severity": alert.severity,
        "tags": [f"{k}={alert.tags[k]}" for k in sorted(alert.tags)],
        "text": alert.text,
        "timeout": _whole_seconds(alert.timeout),
        "value": alert.value,
    }
    if alert.attributes:
        body["attributes"] = to_jsonable(alert.attributes)
    if alert.service:
        body["service"] = alert.service
    if alert.correlate:
        body["correlate"] = alert.correlate
    prefix = token_prefix or section["token-prefix"] or DEFAULT_TOKEN_PREFIX
    url = join_url_path(section["url"], "alert")
    return HttpRequest(
        "POST",
        url,
        (("Authorization", f"{prefix} {token or section['token']}"), ("Content-Type", "application/json")),
        gojson.encode_line(gojson.sorted_map(body)),
        verify_tls=not section["insecure-skip-verify"],
        success=_is_201,
        redacted_url=redact_url(url),
    )


def _whole_seconds(ns: int) -> int:
    # Go's Duration / time.Second truncates toward zero.
    return ns // SECOND if ns >= 0 else -(-ns // SECOND)


def _is_201(status: int) -> bool:
    return status == 201


def _templates(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    named = [(n, options[n]) for n in ("resource", "event", "environment", "group", "value")]
    named += [("service", t) for t in options["service"]] + [("correlate", t) for t in options["correlate"]]
    return named + [(k, v) for k, v in sorted(options["attributes"].items()) if isinstance(v, str)]


def validate(options: dict[str, Any], config: ConfigView) -> str | None:
    """Every template must parse, as Kapacitor checks when it creates the handler."""
    return parse_problem(_templates(options))


def render(event: Event, options: dict[str, Any], config: ConfigView) -> HttpRequest:
    data = template_data(event)
    attributes = {k: execute(k, v, data) if isinstance(v, str) else v for k, v in options["attributes"].items()}
    alert = AlertaAlert(
        resource=execute("resource", options["resource"], data),
        event=execute("event", options["event"], event_template_data(event)),
        environment=execute("environment", options["environment"], data),
        severity=SEVERITIES.get(event.level, "indeterminate"),
        group=execute("group", options["group"], data),
        value=execute("value", options["value"], data),
        text=event.message,
        origin=options["origin"],
        service=[execute("service", t, data) for t in options["service"]] or [event.name],
        correlate=[execute("correlate", t, data) for t in options["correlate"]] or [event.name],
        timeout=options["timeout"],
        attributes=attributes,
        tags=event.tags,
        raw_data=alert_data(event)["data"],
    )
    return build(alert, options["token"], options["token-prefix"], config)


def build_test_request(options: dict[str, Any], config: ConfigView) -> HttpRequest:
    """Kapacitor's test alert: the posted fields as they are (no templates), the config's token and prefix."""
    try:
        timeout = parse_duration(str(options.get("timeout") or ""))
    except ValueError:
        timeout = 0  # Kapacitor ignores the parse error
    alert = AlertaAlert(
        resource=str(options.get("resource") or ""),
        event=str(options.get("event") or ""),
        environment=str(options.get("environment") or ""),
        severity=str(options.get("severity") or ""),
        group=str(options.get("group") or ""),
        value=str(options.get("value") or ""),
        text=str(options.get("message") or ""),
        origin=str(options.get("origin") or ""),
        service=[str(s) for s in options.get("service") or []],
        correlate=[str(s) for s in options.get("correlate") or []],
        timeout=timeout,
        attributes=dict(options.get("attributes") or {}),
    )
    return build(alert, "", "", config)


SERVICE_TEST = ServiceTest(
    name="alerta",
    defaults={
        "resource": "testResource",
        "event": "testEvent",
        "environment": "",
        "severity": "critical",
        "group": "testGroup",
        "value": "testValue",
        "message": "test alerta message",
        "origin": "",
        "service": ["testServiceA", "testServiceB"],
        "correlate": ["testServiceX", "testServiceY"],
        "attributes": {"testAttributeA": "A", "testAttributeB": True, "testAttributeC": 9001},
        "timeout": "24h0m0s",
    },
    build=build_test_request,
)

KIND = HandlerKind(
    name="alerta",
    help="Raise the alert in Alerta (severity by level; resource, event, group, value and more as templates).",
    options=(
        Option("token", OptionType.STRING, "", tick="token", secret=True, help="API token; the config's by default."),
        Option("token-prefix", OptionType.STRING, "", help="Authorization scheme; the config's, else Bearer."),
        Option("resource", OptionType.STRING, "{{ .Name }}", tick="resource", help="Resource (template)."),
        Option(
            "event",
            OptionType.STRING,
            "{{ .ID }}",
            tick="event",
            help="Event name (template over ID, Name, TaskName, Group and Tags only).",
        ),
        Option(
            "environment",
            OptionType.STRING,
            "",
            tick="environment",
            help="Environment (template); the config's when it renders empty.",
        ),
        Option("group", OptionType.STRING, "{{ .Group }}", tick="group", help="Group (template)."),
        Option("value", OptionType.STRING, "", tick="value", help="Value (template)."),
        Option("origin", OptionType.STRING, "", tick="origin", help="Origin; the config's by default."),
        Option(
            "service",
            OptionType.STRING_LIST,
            tick="services",
            help="Affected services (templates); the measurement name by default.",
        ),
        Option(
            "correlate",
            OptionType.STRING_LIST,
            tick="correlated",
            help="Correlated events (templates); the measurement name by default.",
        ),
        Option(
            "attributes",
            OptionType.MAP,
            tick="attribute",
            help="Extra attributes; string values are templates, other JSON values are sent as they are.",
        ),
        Option(
            "timeout",
            OptionType.DURATION,
            DEFAULT_TIMEOUT,
            tick="timeout",
            help="How long Alerta keeps the alert open (nanoseconds; sent as whole seconds).",
        ),
    ),
    render=render,
    config=SECTION,
    service_tests=(SERVICE_TEST,),
    validate=validate,
    timeout=30.0,
)

"""The `pagerduty2` kind: PagerDuty Events API v2. Its `[pagerduty2]` section lives in `pagerduty_config`.

Capabilities: resolve = yes (an OK event sends `event_action: resolve` with the full payload); idempotency
key = `dedup_key` = the alert ID, so retries and restarts fold into one incident; honours Retry-After = yes
(shared classifier); max payload = not enforced (PagerDuty refuses events over 512 KB with a 400);
secrets = `routing-key` (in the body only).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping, Sequence
from typing import Any

from tocsin.alert.event import Event, alert_data
from tocsin.alert.levels import Level
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.gocompat import json as gojson
from tocsin.gocompat.timefmt import parse_rfc3339
from tocsin.gotemplate import Template, TemplateError
from tocsin.handlers.answers import answer_error, json_fields
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType, ServiceTest
from tocsin.handlers.options import DECODE_PREFIX, ERRORS_HEADER, INVALID_KEYS, UNCONVERTIBLE, go_type_of, go_v
from tocsin.handlers.pagerduty import CLIENT, JSON_TYPE, unmarshal_level
from tocsin.handlers.pagerduty_config import SECTION_V2, client_url
from tocsin.handlers.requests import HttpRequest
from tocsin.handlers.sections import enabled_section
from tocsin.handlers.templating import template_data
from tocsin.transports.headers import redact_url

# Kapacitor's texts (services/pagerduty2/service.go).
NOT_UNDERSTOOD = "failed to understand PagerDuty2 response. code: {status} content: {body}"
REFUSED = "Status: {status}, Message: {message} Errors: {errors}"
LINK_FAILED = "failed to handle event: {error}"
ACCEPT = "application/vnd.pagerduty+json;version=2"
GO_CONFIG_TYPE = "*pagerduty2.HandlerConfig"
LINK_KEYS = ("href", "text")
_SEVERITIES = {Level.INFO: "info", Level.WARNING: "warning", Level.CRITICAL: "critical"}
_NS = 1_000_000_000


@functools.lru_cache(maxsize=512)
def link_template(name: str, text: str) -> Template:
    """A parsed link template (`href` or `text`), cached per text."""
    return Template.parse(name, text)


def _link_value(link: Mapping[str, Any], key: str) -> str:
    # mapstructure matches keys case-insensitively; validate() has checked the types.
    found = [v for k, v in link.items() if k.casefold() == key]
    return str(found[-1]) if found and found[-1] is not None else ""


def validate(options: dict[str, Any], config: ConfigView) -> str | None:
    """Each link decodes as Kapacitor's LinkTemplate ({href, text} strings) and its templates parse."""
    problems: list[str] = []
    for i, link in enumerate(options["links"]):
        name = f"links[{i}]"
        unknown = sorted(k for k in link if k.casefold() not in LINK_KEYS)
        if unknown:
            problems.append(INVALID_KEYS.format(name=name, keys=", ".join(unknown)))
        for key, value in link.items():
            if key.casefold() in LINK_KEYS and value is not None and not isinstance(value, str):
                problems.append(
                    UNCONVERTIBLE.format(name=f"{name}.{key}", want="string", got=go_type_of(value), value=go_v(value))
                )
    if problems:
        points = "\n".join(sorted(f"* {p}" for p in problems))
        return DECODE_PREFIX.format(go_type=GO_CONFIG_TYPE) + ERRORS_HEADER.format(count=len(problems)) + points
    for link in options["links"]:
        try:
            link_template("href", _link_value(link, "href"))
            if _link_value(link, "text"):
                link_template("text", _link_value(link, "text"))
        except TemplateError as exc:
            return str(exc)
    return None


def _render_links(event: Event, links: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    data = template_data(event) if links else None
    out = []
    for link in links:
        href_text, text_text = _link_value(link, "href"), _link_value(link, "text")
        try:
            href = link_template("href", href_text).execute(data)
            text = link_template("text", text_text).execute(data) if text_text else href
        except TemplateError as exc:
            raise DeliveryError(Reason.CONFIG, LINK_FAILED.format(error=exc), retryable=False) from exc
        out.append({"href": href, "text": text})
    return out


def _timestamp(ns: int) -> str:
    # Go layout "2006-01-02T15:04:05.000000000Z07:00" in UTC: always nine fractional digits.
    secs, frac = divmod(ns, _NS)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + f".{frac:09d}Z"


def _is_accepted(status: int) -> bool:
    return status in (200, 202)


def _inspect(status: int, headers: Sequence[tuple[str, str]], body: bytes) -> DeliveryError | None:
    if _is_accepted(status):
        return None
    fields = json_fields(body, ["status", "message", "errors"])
    fallback = NOT_UNDERSTOOD.format(status=status, body=body.decode("utf-8", "replace"))
    message, errors, status_text = fields.get("message"), fields.get("errors"), fields.get("status")
    if not isinstance(message, str):
        message = fallback
    if not isinstance(errors, list):
        errors = []
    # Go's %v of a []string; an element of another JSON type decodes to "".
    shown = "[" + " ".join(e if isinstance(e, str) else "" for e in errors) + "]"
    if not isinstance(status_text, str):
        status_text = ""
    return answer_error(status, headers, body, REFUSED.format(status=status_text, message=message, errors=shown))


def build(event: Event, links: list[dict[str, str]], routing_key: str, config: ConfigView) -> HttpRequest:
    """Kapacitor's AlertPayload: struct field order, no omitempty, the full payload even to resolve."""
    section = enabled_section(config, SECTION_V2.name)
    body = {
        "routing_key": routing_key or section["routing-key"],
        "event_action": "trigger" if event.level in _SEVERITIES else "resolve",
        "dedup_key": event.id,
        "payload": {
            "summary": event.message,
            "source": event.tags.get("host", "unknown"),
            "severity": _SEVERITIES.get(event.level, "info"),
            "timestamp": _timestamp(event.time),
            "class": event.task_name,
            "component": "",
            "group": "",
            "custom_details": {"result": alert_data(event)["data"]},
        },
        "images": None,
        "links": links or None,
        "client": CLIENT,
        "client_url": client_url(config),
    }
    url = section["url"]
    return HttpRequest(
        "POST",
        url,
        (("Content-Type", JSON_TYPE), ("Accept", ACCEPT)),
        gojson.encode_line(body),
        success=_is_accepted,
        inspect=_inspect,
        redacted_url=redact_url(url),
    )


def render(event: Event, options: dict[str, Any], config: ConfigView) -> HttpRequest:
    return build(event, _render_links(event, options["links"]), options["routing-key"], config)


def build_test_request(options: dict[str, Any], config: ConfigView) -> HttpRequest:
    """Kapacitor's test: the configured routing key; the posted event data; links sent as given."""
    level = unmarshal_level(str(options.get("level", "")))
    data = {k.casefold(): v for k, v in (options.get("event_data") or {}).items()}
    try:
        when = parse_rfc3339(str(options.get("timestamp", "")))
    except ValueError as exc:
        raise DeliveryError(Reason.CONFIG, str(exc), retryable=False) from None
    event = Event(
        topic="",
        id=str(options.get("alert_id", "")),
        level=level,
        time=when,
        message=str(options.get("description", "")),
        name=str(data.get("name") or ""),
        task_name=str(data.get("taskname") or ""),
        tags={str(k): str(v) for k, v in (data.get("tags") or {}).items()},
        data=data.get("result") or None,
    )
    links = [{key: _link_value(link, key) for key in LINK_KEYS} for link in options.get("links") or []]
    return build(event, links, "", config)


SERVICE_TEST = ServiceTest(
    name="pagerduty2",
    defaults={
        "alert_id": "testAlertID",
        "description": "test pagerduty2 message",
        "level": "CRITICAL",
        "event_data": {
            "Name": "testPagerDuty2",
            "TaskName": "",
            "Category": "",
            "Group": "",
            "Tags": {},
            "Fields": {},
            "Recoverable": False,
            "Result": {"series": None},
        },
        "timestamp": "2014-11-12T11:45:26.371Z",
        "links": [{"href": "https://example.com/a", "text": "a"}, {"href": "https://example.com/b", "text": "b"}],
    },
    build=build_test_request,
)

KIND = HandlerKind(
    name="pagerduty2",
    extras="`dedup_key` is the alert ID, stable across restarts; links checked when the handler is defined.",
    help="Trigger and resolve PagerDuty incidents through the Events API v2, deduplicated by alert ID.",
    options=(
        Option(
            "routing-key",
            OptionType.STRING,
            "",
            tick="routingKey",
            secret=True,
            help="Routing key (TICKscript also .serviceKey()); the [pagerduty2] routing-key by default.",
        ),
        Option(
            "links",
            OptionType.OBJECT_LIST,
            tick="link",
            help="Links [{href, text}]; both are templates over the alert; an empty text shows the href.",
        ),
    ),
    render=render,
    config=SECTION_V2,
    service_tests=(SERVICE_TEST,),
    validate=validate,
    go_config_type=GO_CONFIG_TYPE,
)

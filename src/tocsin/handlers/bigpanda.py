"""The `bigpanda` kind: Kapacitor's POST to BigPanda's alerts API. Its `[bigpanda]` section lives in `bigpanda_config`.

Capabilities: resolve = yes in effect (OK and INFO are sent with status `ok`, which closes the BigPanda incident);
idempotency key = none (BigPanda de-duplicates on host/check itself); honours Retry-After = yes (shared
classifier); max payload = not enforced; secrets = `token` (only in the Authorization header).

The body is a Go map (sorted keys, no trailing newline): the alert's own keys first, then, as the section's
`auto-attributes` asks, every event tag and every field (non-string fields JSON-encoded into a string), then the
handler's attributes, later keys winning. Through a handler `host` is always one of those attributes (the
rendered `host` option, possibly ""), so it replaces a `host` tag. Details that look like JSON (the default
details) are left out, as Kapacitor does.
"""

from __future__ import annotations

import copy
import html
from collections.abc import Iterator, Mapping
from typing import Any

from tocsin.alert.event import Event
from tocsin.alert.levels import Level, parse_level
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.gocompat import json as gojson
from tocsin.gocompat.duration import SECOND
from tocsin.gocompat.timefmt import format_rfc3339nano, now_ns, parse_rfc3339
from tocsin.gotemplate import to_jsonable
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType, ServiceTest
from tocsin.handlers.bigpanda_config import SECTION
from tocsin.handlers.requests import HttpRequest
from tocsin.handlers.sections import enabled_section
from tocsin.handlers.templating import execute, parse_problem, template_data
from tocsin.transports.headers import redact_url

STATUSES = {Level.OK: "ok", Level.INFO: "ok", Level.WARNING: "warning", Level.CRITICAL: "critical"}


def _section(config: ConfigView) -> dict[str, Any]:
    section = enabled_section(config, SECTION.name)
    return section


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else gojson.dumps(to_jsonable(value))


def payload(
    event: Event, options: Mapping[str, Any], section: Mapping[str, Any], attributes: Mapping[str, str] | None
) -> dict[str, Any]:
    """Kapacitor's body for `event`, keys sorted; `attributes` None (as in Kapacitor's unit tests) sends no host."""
    body: dict[str, Any] = {}
    if event.message:
        body["description"] = event.message
    details = html.unescape(event.details)
    if details and not details.startswith("{"):
        body["details"] = details
    if event.id:
        body["check"] = event.id
    if options.get("primary-property"):
        body["primary_property"] = options["primary-property"]
    if options.get("secondary-property"):
        body["secondary_property"] = options["secondary-property"]
    body["task"] = f"{event.task_name}:{event.name}"
    body["timestamp"] = event.time // SECOND  # Go's Time.Unix floors
    body["status"] = STATUSES.get(event.level, "critical")
    body["app_key"] = options.get("app-key") or section["app-key"]
    auto = str(section["auto-attributes"]).lower()
    if "tags" in auto:
        body.update(event.tags)
    if "fields" in auto:
        body.update({k: _as_text(v) for k, v in event.fields.items()})
    body.update(attributes or {})
    return gojson.sorted_map(body)


def build(url: str, body: Mapping[str, Any], section: Mapping[str, Any]) -> HttpRequest:
    """The POST: `Authorization: Bearer <config token>`, compact JSON without a newline."""
    return HttpRequest(
        "POST",
        url,
        (("Authorization", f"Bearer {section['token']}"), ("Content-Type", "application/json")),
        gojson.dumps(body).encode(),
        verify_tls=not section["insecure-skip-verify"],
        success=_is_201,
        redacted_url=redact_url(url),
    )


def _is_201(status: int) -> bool:
    return status == 201


def validate(options: dict[str, Any], config: ConfigView) -> str | None:
    """The host and string attribute templates must parse."""
    attributes = [(k, v) for k, v in sorted(options["attributes"].items()) if isinstance(v, str)]
    return parse_problem([("host", options["host"]), *attributes])


def render(event: Event, options: dict[str, Any], config: ConfigView) -> HttpRequest:
    section = _section(config)
    data = template_data(event)
    attributes = {
        k: execute(k, v, data) if isinstance(v, str) else _as_text(v) for k, v in options["attributes"].items()
    }
    attributes["host"] = execute("host", options["host"], data)
    return build(options["url"] or section["url"], payload(event, options, section, attributes), section)


def build_test_request(options: dict[str, Any], config: ConfigView) -> HttpRequest:
    """Kapacitor's test alert: no ID, no details and no attributes (so no host), to the config's URL."""
    try:
        level = parse_level(str(options.get("level") or ""))
        time = parse_rfc3339(str(options.get("timestamp") or ""))
    except ValueError as exc:
        raise DeliveryError(Reason.CONFIG, str(exc), retryable=False) from None
    data = options.get("event_data") or {}
    event = Event(
        topic="",
        id="",
        level=level,
        time=time,
        message=str(options.get("message") or ""),
        name=str(data.get("Name") or ""),
        task_name=str(data.get("TaskName") or ""),
        tags=dict(data.get("Tags") or {}),
        fields=dict(data.get("Fields") or {}),
    )
    handler = {
        "app-key": options.get("app_key") or "",
        "primary-property": options.get("primary_property") or "",
        "secondary-property": options.get("secondary_property") or "",
    }
    section = _section(config)
    return build(section["url"], payload(event, handler, section, {}), section)


# Go struct order of Kapacitor's test options; `timestamp` is filled in when read.
_TEST_OPTIONS: dict[str, Any] = {
    "app_key": "012345",
    "message": "test bigpanda message",
    "level": "CRITICAL",
    "event_data": {
        "Name": "testBigPanda",
        "TaskName": "",
        "Category": "",
        "Group": "",
        "Tags": {},
        "Fields": {},
        "Recoverable": False,
        "Result": {"series": None},
    },
    "timestamp": None,
    "host": "serverA",
    "primary_property": "",
    "secondary_property": "",
}


class TestDefaults(Mapping[str, Any]):
    """The test options; `timestamp` is read as the current time, as Kapacitor's use time.Now()."""

    __test__ = False  # not a pytest test class, despite the name

    def __getitem__(self, key: str) -> Any:
        if key == "timestamp":
            return format_rfc3339nano(now_ns())
        return copy.deepcopy(_TEST_OPTIONS[key])

    def __iter__(self) -> Iterator[str]:
        return iter(_TEST_OPTIONS)

    def __len__(self) -> int:
        return len(_TEST_OPTIONS)


SERVICE_TEST = ServiceTest(name="bigpanda", defaults=TestDefaults(), build=build_test_request)

KIND = HandlerKind(
    name="bigpanda",
    help="Send the alert to BigPanda (status by level, tags and fields as attributes).",
    options=(
        Option("app-key", OptionType.STRING, "", tick="appKey", help="Integration app key; the config's by default."),
        Option("url", OptionType.STRING, "", help="Alerts API URL; the config's by default (topic handlers only)."),
        Option("host", OptionType.STRING, "", tick="host", help="Host attribute (template); sent even when empty."),
        Option(
            "primary-property",
            OptionType.STRING,
            "",
            tick="primaryProperty",
            help="Attribute BigPanda uses as the primary property of the incident.",
        ),
        Option(
            "secondary-property",
            OptionType.STRING,
            "",
            tick="secondaryProperty",
            help="Attribute BigPanda uses as the secondary property of the incident.",
        ),
        Option(
            "attributes",
            OptionType.MAP,
            tick="attribute",
            help="Extra attributes; string values are templates, other values are sent JSON-encoded as text.",
        ),
    ),
    render=render,
    config=SECTION,
    service_tests=(SERVICE_TEST,),
    validate=validate,
    timeout=30.0,
)

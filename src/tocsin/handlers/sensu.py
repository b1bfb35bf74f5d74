"""The `sensu` kind and its `[sensu]` section: a check result written to a Sensu 1.x client socket over TCP.

Capabilities: resolve = yes (status 0 clears the check in Sensu); idempotency key = the check name (the
event ID: Sensu keeps one state per name); honours Retry-After = no (raw TCP); max payload = not enforced;
secrets = none. The payload is the JSON of a Go map plus the newline of Go's json.Encoder; the client socket
must answer exactly `ok` before closing; a socket that never does is retried, one connection per attempt, up
to `[delivery] max-attempts` (or the kind's `kind-max-attempts`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from tocsin.alert.event import Event
from tocsin.alert.levels import Level, decode_level
from tocsin.config.schema import Field, FieldType, Section
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.gocompat import json as gojson
from tocsin.gocompat.quoting import go_quote
from tocsin.gotemplate import Template, TemplateError
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType, ServiceTest
from tocsin.handlers.requests import TcpRequest
from tocsin.handlers.sections import enabled_section
from tocsin.handlers.templating import template_data

DEFAULT_SOURCE = "Kapacitor"
NAME_PATTERN = r"^[\w\.-]+$"

# Kapacitor's texts (services/sensu).
MISSING_ADDR = "must specify client address"
INVALID_NAME = "invalid name {name} for sensu alert. Must match {pattern}"
SOURCE_FAILED = "failed to evaluate Sensu source template"
SOCKET_ERROR = "sensu socket error: "
# What the Sensu client socket answers to a check result it cannot parse.
INVALID_ANSWER = b"invalid"

# Go's \w is ASCII only, and its $ (without the m flag) is the end of the text, never before a newline.
_VALID_NAME = re.compile(r"[0-9A-Za-z_.-]+")
_STATUS = {Level.OK: 0, Level.INFO: 0, Level.WARNING: 1, Level.CRITICAL: 2}
_OWN_KEYS = ("name", "source", "output", "status", "handlers")


def validate_section(values: Mapping[str, Any]) -> str | None:
    """Kapacitor's check: an enabled service needs the client address."""
    if values["enabled"] and not values["addr"]:
        return MISSING_ADDR
    return None


SECTION = Section(
    name="sensu",
    help="Sensu 1.x client socket that receives check results.",
    validate=validate_section,
    fields=(
        Field("enabled", FieldType.BOOL, help="Enable sending alerts to Sensu."),
        Field("addr", FieldType.STRING, help="`host:port` of the Sensu client socket.", example="sensu-client:3030"),
        Field("source", FieldType.STRING, DEFAULT_SOURCE, help="Default source (JIT client name) of the checks."),
        Field("handlers", FieldType.STRING_LIST, help="Default Sensu handlers of the checks."),
    ),
)


@functools.lru_cache(maxsize=256)
def source_template(text: str) -> Template:
    """The parsed `source` option (text/template, no extra functions)."""
    return Template.parse("source", text)


def check_reply(reply: bytes) -> DeliveryError | None:
    """The client socket's verdict: `ok`, or an error carrying what it said instead."""
    if reply == b"ok":
        return None
    message = SOCKET_ERROR + reply.decode("utf-8", "replace")
    if reply == INVALID_ANSWER:
        return DeliveryError(Reason.CLIENT_ERROR, message, retryable=False)
    return DeliveryError(Reason.SERVER_ERROR, message, retryable=True)


def _go_map_value(value: Any) -> Any:
    # Metadata values are Go interface values: nested maps are Go maps too, so their keys are sorted.
    if isinstance(value, Mapping):
        return {str(k): _go_map_value(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, (list, tuple)):
        return [_go_map_value(v) for v in value]
    return value


def build(
    name: str,
    source: str,
    output: str,
    handlers: Sequence[str] | None,
    metadata: Mapping[str, Any] | None,
    level: Level,
    config: ConfigView,
) -> TcpRequest:
    """Kapacitor's Sensu write: the name check, then the sorted JSON map and the Encoder's newline."""
    if not _VALID_NAME.fullmatch(name):
        message = INVALID_NAME.format(name=go_quote(name), pattern=NAME_PATTERN)
        raise DeliveryError(Reason.CONFIG, message, retryable=False)
    section = enabled_section(config, SECTION.name)
    body: dict[str, Any] = {
        "name": name,
        "source": source or section["source"],
        "output": output,
        "status": _STATUS.get(level, 3),
        # Go writes a nil slice as null: no handlers here and none configured.
        "handlers": list(handlers or section["handlers"] or []) or None,
    }
    for key, value in (metadata or {}).items():
        body.setdefault(str(key), _go_map_value(value))
    return TcpRequest(
        address=section["addr"], payload=gojson.encode_line(gojson.sorted_map(body)), check_reply=check_reply
    )


def render(event: Event, options: dict[str, Any], config: ConfigView) -> TcpRequest:
    try:
        source = source_template(options["source"]).execute(template_data(event))
    except TemplateError as exc:
        raise DeliveryError(Reason.CONFIG, f"{SOURCE_FAILED}: {exc}", retryable=False) from exc
    return build(event.id, source, event.message, options["handlers"], options["metadata"], event.level, config)


def validate(options: dict[str, Any], config: ConfigView) -> str | None:
    """Kapacitor parses the `source` template when the handler is created."""
    try:
        source_template(options["source"])
    except TemplateError as exc:
        return str(exc)
    return None


def build_test_request(options: dict[str, Any], config: ConfigView) -> TcpRequest:
    try:
        level = decode_level(options.get("level"))
    except ValueError as exc:
        raise DeliveryError(Reason.CONFIG, str(exc), retryable=False) from None
    return build(
        str(options.get("name") or ""),
        str(options.get("source") or ""),
        str(options.get("output") or ""),
        options.get("handlers"),
        options.get("metadata"),
        level,
        config,
    )


SERVICE_TEST = ServiceTest(
    name="sensu",
    defaults={
        "name": "testName",
        "source": DEFAULT_SOURCE,
        "output": "testOutput",
        "handlers": [],
        "metadata": {},
        "level": "CRITICAL",
    },
    build=build_test_request,
)

KIND = HandlerKind(
    name="sensu",
    extras=(
        "Waits for the client socket's `ok`; anything else (`invalid` excepted, never retried) is a failed "
        "delivery, retried on a new connection up to [delivery] max-attempts (10 by default) before it is "
        "dead-lettered; [delivery] kind-max-attempts = { sensu = 3 } sets fewer for this kind."
    ),
    help="Send each event as a check result (name = event ID) to a Sensu client socket.",
    options=(
        Option(
            "source",
            OptionType.STRING,
            tick="source",
            help="Check source, a template over the event; the [sensu] source by default.",
        ),
        Option(
            "handlers",
            OptionType.STRING_LIST,
            tick="handlers",
            help="Sensu handlers of the check; the [sensu] handlers by default.",
        ),
        Option(
            "metadata",
            OptionType.MAP,
            tick="metadata",
            help="Extra top-level keys of the check result (never replacing name, source, output, status, handlers).",
        ),
    ),
    render=render,
    config=SECTION,
    service_tests=(SERVICE_TEST,),
    validate=validate,
)

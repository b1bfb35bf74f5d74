"""The `victorops` kind and its `[victorops]` section: Splunk On-Call's (VictorOps) REST endpoint.

Capabilities: resolve = yes (message_type RECOVERY resolves the incident of the same entity_id);
idempotency key = `entity_id` (the event ID: VictorOps folds repeats into one incident); honours Retry-After =
yes (shared classifier); max payload = not enforced; secrets = `api-key` (part of the URL path: errors show
the URL with the key replaced by `***`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from tocsin.alert.event import Event, alert_data
from tocsin.alert.levels import Level
from tocsin.config.schema import Field, FieldType, Section
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.gocompat import json as gojson
from tocsin.gocompat.urlpath import GO_PATH_SAFE, go_join
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType, ServiceTest
from tocsin.handlers.requests import HttpRequest
from tocsin.handlers.sections import enabled_section

DEFAULT_URL = "https://alert.victorops.com/integrations/generic/20131114/alert"
JSON = "application/json"
MONITORING_TOOL = "kapacitor"

# Kapacitor's texts (services/victorops).
EMPTY_URL = "url cannot be empty"
NOT_FOUND = "URL or API key not found: 404"


def validate(values: Mapping[str, Any]) -> str | None:
    """Kapacitor's check, made even when the service is disabled."""
    if not values["url"]:
        return EMPTY_URL
    return None


SECTION = Section(
    name="victorops",
    help="Splunk On-Call (VictorOps) REST endpoint integration.",
    validate=validate,
    fields=(
        Field("enabled", FieldType.BOOL, help="Enable sending alerts to VictorOps."),
        Field("api-key", FieldType.STRING, secret=True, help="REST endpoint API key (part of the request path)."),
        Field("routing-key", FieldType.STRING, help="Default routing key, can be overridden per handler."),
        Field("url", FieldType.STRING, DEFAULT_URL, help="REST endpoint URL, without the API and routing keys."),
        Field("global", FieldType.BOOL, help="Send every alert to VictorOps without naming it in the TICKscript."),
        Field("json-data", FieldType.BOOL, help="Send `data` as a JSON object instead of a JSON-encoded string."),
    ),
)


def endpoint_url(base: str, api_key: str, routing_key: str) -> tuple[str, str | None]:
    """(URL, URL to show): `<base path>/<api key>/<routing key>` as Kapacitor builds it with path.Join.

    The URL to show has `***` in place of the API key (None when there is no key to hide).
    """
    parts = urlsplit(base)

    def assemble(key: str) -> str:
        path = quote(go_join(unquote(parts.path), key, routing_key), safe=GO_PATH_SAFE)
        if path and not path.startswith("/") and parts.netloc:
            path = "/" + path
        head = f"{parts.scheme}:" if parts.scheme else ""
        if parts.netloc or parts.scheme:
            head += f"//{parts.netloc}"
        query = f"?{parts.query}" if parts.query else ""
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        return head + path + query + fragment

    if not api_key:
        return assemble(""), None
    # NUL stands for the key: quoting turns it into %00, which no sane endpoint path holds.
    return assemble(api_key), assemble("\0").replace("%00", "***")


def not_found(status: int, headers: Sequence[tuple[str, str]], body: bytes) -> DeliveryError | None:
    """Kapacitor's reading of a 404: a wrong URL or API key, which retrying cannot fix."""
    if status == 404:
        return DeliveryError(Reason.CLIENT_ERROR, NOT_FOUND, retryable=False, status=status)
    return None


def _is_200(status: int) -> bool:
    return status == 200


def build(
    routing_key: str,
    message_type: str,
    message: str,
    entity_id: str,
    timestamp: int,
    data: dict[str, Any],
    config: ConfigView,
) -> HttpRequest:
    """Kapacitor's VictorOps request: a Go map (keys sorted) written by json.Encoder, so with a newline."""
    section = enabled_section(config, SECTION.name)
    body = {
        "data": data if section["json-data"] else gojson.dumps(data),
        "entity_id": entity_id,
        "message_type": message_type,
        "monitoring_tool": MONITORING_TOOL,
        "state_message": message,
        "timestamp": timestamp,
    }
    url, shown = endpoint_url(section["url"], section["api-key"], routing_key or section["routing-key"])
    return HttpRequest(
        "POST",
        url,
        (("Content-Type", JSON),),
        gojson.encode_line(body),
        success=_is_200,
        redacted_url=shown,
        inspect=not_found,
    )


def render(event: Event, options: dict[str, Any], config: ConfigView) -> HttpRequest:
    """message_type is RECOVERY for OK, else the level's name; timestamp is the event time in Unix seconds."""
    message_type = "RECOVERY" if event.level is Level.OK else event.level.name
    data = alert_data(event)["data"]
    seconds = event.time // 1_000_000_000
    return build(options["routing-key"], message_type, event.message, event.id, seconds, data, config)


def build_test_request(options: dict[str, Any], config: ConfigView) -> HttpRequest:
    """The test alert: the options' message type as given, the current time, an empty result."""
    return build(
        str(options.get("routingKey") or ""),
        str(options.get("messageType") or ""),
        str(options.get("message") or ""),
        str(options.get("entityID") or ""),
        int(time.time()),
        {"series": None},
        config,
    )


SERVICE_TEST = ServiceTest(
    name="victorops",
    defaults={
        "routingKey": "",
        "messageType": "CRITICAL",
        "message": "test victorops message",
        "entityID": "testEntityID",
    },
    build=build_test_request,
)

KIND = HandlerKind(
    name="victorops",
    extras="API key hidden in errors.",
    help="Open, update or recover a VictorOps incident per alert ID (entity_id).",
    options=(
        Option(
            "routing-key",
            OptionType.STRING,
            tick="routingKey",
            help="Routing key; the [victorops] routing-key by default.",
        ),
    ),
    render=render,
    config=SECTION,
    service_tests=(SERVICE_TEST,),
)

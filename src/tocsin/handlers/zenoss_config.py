"""The `[zenoss]` config section, with its level-to-severity map.

The map is written `[zenoss.severity-map]` with keys `OK`, `Info`, `Warning`, `Critical` in kapacitor.conf
(any case) and `ok`, `info`, `warning`, `critical` in the config API; values are strings or numbers and are
sent as written (`"Critical"` or `5`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tocsin.alert.levels import Level
from tocsin.config.schema import Field, FieldType, Section
from tocsin.gocompat.quoting import go_quote
from tocsin.gocompat.urlpath import CONTROL_CHARACTER, MISSING_SCHEME, url_parse_problem

DEFAULT_URL = "https://tenant.zenoss.io:8080/zport/dmd/evconsole_router"
DEFAULT_ACTION = "EventsRouter"
DEFAULT_METHOD = "add_event"
DEFAULT_TYPE = "rpc"
DEFAULT_TID = 1
DEFAULT_COLLECTOR = "Kapacitor"
SEVERITY_KEYS = {Level.OK: "ok", Level.INFO: "info", Level.WARNING: "warning", Level.CRITICAL: "critical"}
DEFAULT_SEVERITIES = {"ok": "Clear", "info": "Info", "warning": "Warning", "critical": "Critical"}

# Kapacitor's texts (services/zenoss/config.go).
MISSING_URL = "must specify events URL"
INVALID_SEVERITY_MAP = "invalid severity mapping"
INVALID_URL = "invalid url {url}: parse {url}: {problem}"
EMPTY_URL = "empty url"
NOT_A_REQUEST_URI = "invalid URI for request"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def request_uri_problem(url: str) -> str | None:
    """Why Go's `url.ParseRequestURI` refuses `url` (its common cases), or None."""
    problem = url_parse_problem(url)
    if problem in (CONTROL_CHARACTER, MISSING_SCHEME):
        return problem
    if not url:
        return EMPTY_URL
    if url != "*" and not url.startswith("/") and not _SCHEME.match(url):
        return NOT_A_REQUEST_URI
    return problem


def validate(values: Mapping[str, Any]) -> str | None:
    """Kapacitor's checks: an enabled service needs a URL that parses; every level needs a severity."""
    if values["enabled"] and not values["url"]:
        return MISSING_URL
    problem = request_uri_problem(values["url"])
    if problem:
        return INVALID_URL.format(url=go_quote(values["url"]), problem=problem)
    severities = values["severity-map"] or {}
    if any(severities.get(key) is None for key in SEVERITY_KEYS.values()):
        return INVALID_SEVERITY_MAP
    return None


STR = FieldType.STRING

SECTION = Section(
    name="zenoss",
    help="Zenoss events through the JSON-RPC router (EventsRouter add_event by default).",
    validate=validate,
    fields=(
        Field("enabled", FieldType.BOOL, help="Enable sending alerts to Zenoss."),
        Field("url", STR, DEFAULT_URL, help="URL of the Zenoss router (evconsole_router)."),
        Field("username", STR, help="User for HTTP basic authentication (sent with a password)."),
        Field("password", STR, secret=True, help="Password for HTTP basic authentication."),
        Field("action", STR, DEFAULT_ACTION, help="Router name; handlers may set another."),
        Field("method", STR, DEFAULT_METHOD, help="Router method; handlers may set another."),
        Field("type", STR, DEFAULT_TYPE, help="Event type; handlers may set another."),
        Field("tid", FieldType.INT, DEFAULT_TID, help="Transaction id; handlers may set another."),
        Field("collector", STR, DEFAULT_COLLECTOR, help="Collector sent when the handler names none."),
        Field(
            "severity-map",
            FieldType.OBJECT,
            dict(DEFAULT_SEVERITIES),
            help="Zenoss severity (a name or a number) for each alert level.",
            fields=tuple(
                Field(key, FieldType.ANY, help=f"Severity for {level.name} events.")
                for level, key in SEVERITY_KEYS.items()
            ),
        ),
        Field("global", FieldType.BOOL, help="Send every alert to Zenoss without naming it in the TICKscript."),
        Field("state-changes-only", FieldType.BOOL, help="With global, only send alerts whose level changed."),
    ),
)

"""The `[pagerduty]` and `[pagerduty2]` sections, Kapacitor's URL checks, and the `client_url` both send."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tocsin.config.schema import Field, FieldType, Section
from tocsin.gocompat.quoting import go_quote
from tocsin.gocompat.urlpath import url_parse_problem
from tocsin.handlers.base import ConfigView

DEFAULT_URL = "https://events.pagerduty.com/generic/2010-04-15/create_event.json"
DEFAULT_URL_V2 = "https://events.pagerduty.com/v2/enqueue"

# Kapacitor's texts (services/pagerduty*/config.go; `%q`; net/url's parse errors are in gocompat.urlpath).
EMPTY_URL = "url cannot be empty"
INVALID_URL = "invalid URL {url}: parse {url}: {problem}"

KAPACITOR_PATH = "/kapacitor/v1"
DEFAULT_PORT = "9092"


def url_problem(url: str) -> str | None:
    """Kapacitor's `url` checks: empty, then `invalid URL "<url>": parse "<url>": <why>`."""
    if not url:
        return EMPTY_URL
    problem = url_parse_problem(url)
    return INVALID_URL.format(url=go_quote(url), problem=problem) if problem else None


def _validate(values: Mapping[str, Any]) -> str | None:
    return url_problem(values["url"])


def client_url(config: ConfigView) -> str:
    """Kapacitor's own API URL as PagerDuty bodies carry it: `http://<hostname>:<port>/kapacitor/v1`.

    The host is the top-level `hostname` (default localhost), the port that of `[http] bind-address`, the
    scheme https when `[http] https-enabled` is set; without those sections, `http://localhost:9092`.
    """
    top = config.element("") or {}
    http = config.element("http") or {}
    host = str(top.get("hostname") or "localhost")
    port = str(http.get("bind-address") or "").rpartition(":")[2]
    scheme = "https" if http.get("https-enabled") else "http"
    return f"{scheme}://{host}:{port if port.isdigit() else DEFAULT_PORT}{KAPACITOR_PATH}"


STR = FieldType.STRING
BOOL = FieldType.BOOL

SECTION = Section(
    name="pagerduty",
    help="PagerDuty Events API v1 (generic create_event.json).",
    validate=_validate,
    fields=(
        Field("enabled", BOOL, help="Enable sending alerts to PagerDuty."),
        Field("url", STR, DEFAULT_URL, help="The PagerDuty v1 events URL; should not need to be changed."),
        Field("service-key", STR, secret=True, help="Service (integration) key; handlers may override it."),
        Field("global", BOOL, help="Send every alert to PagerDuty without naming it in the TICKscript."),
    ),
)

SECTION_V2 = Section(
    name="pagerduty2",
    help="PagerDuty Events API v2 (enqueue).",
    validate=_validate,
    fields=(
        Field("enabled", BOOL, help="Enable sending alerts to PagerDuty (Events API v2)."),
        Field("url", STR, DEFAULT_URL_V2, help="The PagerDuty v2 enqueue URL; should not need to be changed."),
        Field("routing-key", STR, secret=True, help="Routing (integration) key; handlers may override it."),
        Field("global", BOOL, help="Send every alert to PagerDuty without naming it in the TICKscript."),
    ),
)

"""The `[pagerduty]` and `[pagerduty2]` sections, Kapacitor's URL checks, and the `client_url` both send."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tocsin.config.schema import Field, FieldType, Section
from tocsin.gotemplate.quoting import go_quote
from tocsin.handlers.base import ConfigView

DEFAULT_URL = "https://events.pagerduty.com/generic/2010-04-15/create_event.json"
DEFAULT_URL_V2 = "https://events.pagerduty.com/v2/enqueue"

# Kapacitor's texts (services/pagerduty*/config.go; `%q` and net/url's parse errors).
EMPTY_URL = "url cannot be empty"
INVALID_URL = "invalid URL {url}: parse {url}: {problem}"
CONTROL_CHARACTER = "net/url: invalid control character in URL"
MISSING_SCHEME = "missing protocol scheme"
COLON_IN_FIRST_SEGMENT = "first path segment in URL cannot contain colon"
INVALID_PORT = "invalid port {port} after host"
INVALID_ESCAPE = "invalid URL escape {escape}"
MISSING_BRACKET = "missing ']' in host"

KAPACITOR_PATH = "/kapacitor/v1"
DEFAULT_PORT = "9092"
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})(.{0,2})", re.DOTALL)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def url_parse_problem(url: str) -> str | None:
    """Why Go's `url.Parse` refuses `url` (its common cases), or None when it accepts it."""
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return CONTROL_CHARACTER
    if url.startswith(":"):
        return MISSING_SCHEME
    rest = url.partition("#")[0]
    scheme = _SCHEME.match(rest)
    if scheme is None and ":" in rest.partition("/")[0].partition("?")[0]:
        return COLON_IN_FIRST_SEGMENT
    rest = rest[scheme.end() :] if scheme else rest
    path = rest.partition("?")[0]
    if path.startswith("//"):
        authority, _, path = path[2:].partition("/")
        problem = _host_problem(authority.rpartition("@")[2])
        if problem:
            return problem
    bad = _BAD_ESCAPE.search(path)
    return INVALID_ESCAPE.format(escape=go_quote(bad.group(0))) if bad else None


def _host_problem(host: str) -> str | None:
    if host.startswith("["):
        end = host.rfind("]")
        if end < 0:
            return MISSING_BRACKET
        port = host[end + 1 :]
    else:
        colon = host.rfind(":")
        port = host[colon:] if colon >= 0 else ""
    if port and not (port[0] == ":" and (port[1:].isdigit() or port == ":")):
        return INVALID_PORT.format(port=go_quote(port))
    return None


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

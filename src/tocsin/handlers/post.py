"""The `post` kind and its `[[httppost]]` section: POST the alert JSON, or an endpoint's template, to a URL.

Capabilities: resolve = no (every event is one POST); idempotency key = none; honours Retry-After = yes (shared
classifier); max payload = unbounded; secrets = `basic-auth` (section), userinfo in URLs (redacted in errors).
"""

from __future__ import annotations

import base64
import functools
import os.path
from typing import Any

from tocsin.alert.event import Event, alert_data, alert_json_line
from tocsin.alert.levels import Level
from tocsin.config.schema import Field, FieldType, Section
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.gocompat.quoting import go_quote
from tocsin.gotemplate import GoDuration, GoTime, StringMap, Struct, Template, TemplateError, kapacitor_funcs
from tocsin.gotemplate.gotime import ZERO_TIME_NS
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType, ServiceTest
from tocsin.handlers.requests import HttpRequest
from tocsin.transports.file import file_error
from tocsin.transports.headers import header_problem, headers_add, headers_set, redact_url

NEEDS_URL = "An appropriately formatted url must be specified if an endpoint is not specified"
PARSE_FAILED = "failed to parse template"
TEMPLATE_FILE_UNREADABLE = "failed to read template file {path}"
TEMPLATE_FILE_UNPARSABLE = "failed to parse template from file {path}"
URL_EXECUTION_FAILED = "failed to execute url template"
ALERT_EXECUTION_FAILED = "failed to execute alert template"
JSON = "application/json"
_KAPACITOR_FUNCS = kapacitor_funcs()


class AlertLevel(int):
    """Go's alert.Level in templates: an integer type that prints, and encodes to JSON, as its name."""

    go_type = "alert.Level"

    def String(self) -> str:
        return Level(self).name if 0 <= self <= 3 else "unknown"

    __str__ = String

    def to_json(self) -> str:
        return self.String()


class _JsonStruct(Struct):
    """A struct whose JSON form is already known (Go would derive it from struct tags)."""

    __slots__ = ("_json",)

    def __init__(self, go_type: str, fields: dict[str, Any], json_form: Any) -> None:
        super().__init__(go_type, fields)
        self._json = json_form

    def to_json(self) -> Any:
        return self._json


def alert_template_data(event: Event) -> Struct:
    """Kapacitor's `alert.Data` as Go templates see it (post url and alert-template, kafka template).

    Fields: .ID .Message .Details .Time .Duration .Level .Data .PreviousLevel .Recoverable; `json .` writes
    the same JSON as the alert body.
    """
    wire = alert_data(event)
    rows = [
        _JsonStruct(
            "models.Row",
            {
                "Name": row.get("name", ""),
                "Tags": StringMap(row.get("tags") or {}),
                "Columns": list(row.get("columns") or []),
                "Values": list(row.get("values") or []),
                "Partial": False,
            },
            json_row,
        )
        for row, json_row in zip((event.data or {}).get("series") or [], wire["data"]["series"] or [], strict=True)
    ]
    # Go prints nil slices as []; JSON writes them as null. The JSON forms hold the structs themselves,
    # since plain dicts would be sorted like Go maps.
    result_fields: dict[str, Any] = {"Series": rows, "Messages": [], "Err": None}
    result = _JsonStruct("models.Result", result_fields, {**wire["data"], "series": rows or None})
    fields = {
        "ID": event.id,
        "Message": event.message,
        "Details": event.details,
        "Time": GoTime(event.time),
        "Duration": GoDuration(event.duration),
        "Level": AlertLevel(event.level),
        "Data": result,
        "PreviousLevel": AlertLevel(event.previous_level),
        "Recoverable": event.recoverable,
    }
    return _JsonStruct("alert.Data", fields, {**wire, "data": result})


def _validate_endpoint(element: Any) -> str | None:
    """Kapacitor's httppost Config.Validate."""
    if not element.get("endpoint"):
        return "must specify endpoint name"
    problem = header_problem(element.get("headers") or {}, "headers")
    if problem:
        return problem
    url = element.get("url")
    if not url:
        return "must specify url"
    try:
        url_template(url)
    except TemplateError as exc:
        return f"invalid URL template syntax {go_quote(url)}: {PARSE_FAILED}: {exc}"
    for kind in ("alert", "row"):
        inline, path = element.get(f"{kind}-template"), element.get(f"{kind}-template-file")
        if inline and path:
            return f"must specify only one of {kind}-template and {kind}-template-file"
        if path and not os.path.isabs(path):
            return f"must use an absolute path for {kind}-template-file"
    return None


SECTION = Section(
    name="httppost",
    help="Named HTTP POST endpoints for the post handler (url, headers, basic auth, body template).",
    fields=(
        Field("endpoint", FieldType.STRING, help="Name that handlers refer to with `endpoint`."),
        Field("url", FieldType.STRING, help="URL to POST to; a Go template over the alert data."),
        Field("headers", FieldType.STRING_MAP, secret=True, help="Extra headers sent with every request."),
        Field(
            "basic-auth",
            FieldType.OBJECT,
            secret=True,
            help="HTTP basic authentication, used when both username and password are set.",
            fields=(
                Field("username", FieldType.STRING),
                Field("password", FieldType.STRING, secret=True),
            ),
        ),
        Field("alert-template", FieldType.STRING, help="Body template for alerts (funcs json, jsonCompact)."),
        Field(
            "alert-template-file",
            FieldType.STRING,
            help="Absolute path of a body template for alerts.",
            server_file=True,
        ),
        Field("row-template", FieldType.STRING, help="Body template for the httpPost pipeline node."),
        Field("row-template-file", FieldType.STRING, help="Absolute path of a row body template.", server_file=True),
    ),
    element_key="endpoint",
    default_elements=({"endpoint": "example", "url": "http://example.com"},),
    validate=_validate_endpoint,
)


@functools.lru_cache(maxsize=512)
def url_template(text: str) -> Template:
    """A parsed URL or inline body template, with Kapacitor's `json` and `jsonCompact` (cached per text)."""
    return Template.parse("body", text, funcs=_KAPACITOR_FUNCS)


@functools.lru_cache(maxsize=64)
def file_template(path: str) -> Template:
    """A body template read once from `path`; file templates get no extra functions (as in Kapacitor)."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        problem = file_error("open", path, exc)
        message = f"{TEMPLATE_FILE_UNREADABLE.format(path=go_quote(path))}: {problem}"
        raise DeliveryError(Reason.CONFIG, message, retryable=False) from exc
    try:
        return Template.parse("body", text)
    except TemplateError as exc:
        message = f"{TEMPLATE_FILE_UNPARSABLE.format(path=go_quote(path))}: {exc}"
        raise DeliveryError(Reason.CONFIG, message, retryable=False) from exc


class _LazyData:
    """The template data of an event, built only when a template is actually executed (most URLs are plain)."""

    __slots__ = ("_data", "_event")

    def __init__(self, event: Event) -> None:
        self._event = event
        self._data: Struct | None = None

    def __call__(self) -> Struct:
        if self._data is None:
            self._data = alert_template_data(self._event)
        return self._data


def _execute(text: str, data: _LazyData, failure: str) -> str:
    try:
        return url_template(text).execute(data()) if "{{" in text else text
    except TemplateError as exc:
        raise DeliveryError(Reason.CONFIG, f"{failure}: {exc}", retryable=False) from exc


def validate(options: dict[str, Any], config: ConfigView) -> str | None:
    """Headers that can be sent; a configured `endpoint`, or else a `url` that parses as a template."""
    problem = header_problem(options["headers"], "headers")
    if problem:
        return problem
    if options["endpoint"] and config.element(SECTION.name, options["endpoint"]) is not None:
        return None
    if not options["url"]:
        return NEEDS_URL
    try:
        url_template(options["url"])
    except TemplateError as exc:
        return f"{PARSE_FAILED}: {exc}"
    return None


def render(event: Event, options: dict[str, Any], config: ConfigView) -> HttpRequest:
    """The POST Kapacitor sends: basic auth, endpoint headers, handler headers, then the body's type."""
    endpoint = config.element(SECTION.name, options["endpoint"]) if options["endpoint"] else None
    if endpoint is None and not options["url"]:
        raise DeliveryError(Reason.CONFIG, NEEDS_URL, retryable=False)
    data = _LazyData(event)
    headers: list[tuple[str, str]] = []
    body: bytes | None = None  # None until a template makes one: then the alert JSON is sent
    if endpoint is None:
        url = _execute(options["url"], data, URL_EXECUTION_FAILED)
    else:
        if endpoint.get("alert-template"):
            body = _execute(endpoint["alert-template"], data, ALERT_EXECUTION_FAILED).encode()
        elif endpoint.get("alert-template-file"):
            body = _run_file_template(endpoint["alert-template-file"], data())
        url = _execute(endpoint["url"], data, URL_EXECUTION_FAILED)
        auth = endpoint.get("basic-auth") or {}
        if auth.get("username") and auth.get("password"):
            token = base64.b64encode(f"{auth['username']}:{auth['password']}".encode()).decode("ascii")
            headers_set(headers, "Authorization", f"Basic {token}")
        for name, value in sorted((endpoint.get("headers") or {}).items()):
            headers_add(headers, name, value)
    for name, value in sorted(options["headers"].items()):
        headers_set(headers, name, value)
    if body is None:
        body = alert_json_line(event)
        headers_set(headers, "Content-Type", JSON)
    return HttpRequest(
        "POST",
        url,
        headers=tuple(headers),
        body=body,
        timeout=options["timeout"] / 1e9 if options["timeout"] > 0 else None,
        verify_tls=not options["skip-ssl-verification"],
        capture_response=options["capture-response"],
        redacted_url=redact_url(url),
    )


def _run_file_template(path: str, data: Any) -> bytes:
    try:
        return file_template(path).execute(data).encode()
    except TemplateError as exc:
        raise DeliveryError(Reason.CONFIG, f"{ALERT_EXECUTION_FAILED}: {exc}", retryable=False) from exc


def build_test_request(options: dict[str, Any], config: ConfigView) -> HttpRequest:
    """Kapacitor's httppost test: the zero alert JSON to `url` with `headers` (endpoint and timeout unused)."""
    event = Event(topic="", id="", level=Level.OK, time=ZERO_TIME_NS, recoverable=False)
    url = _execute(options.get("url") or "", _LazyData(event), URL_EXECUTION_FAILED)
    headers: list[tuple[str, str]] = []
    for name, value in sorted((options.get("headers") or {}).items()):
        headers_add(headers, name, value)
    headers_set(headers, "Content-Type", JSON)
    return HttpRequest("POST", url, headers=tuple(headers), body=alert_json_line(event), redacted_url=redact_url(url))


SERVICE_TEST = ServiceTest(
    name="httppost",
    defaults={"endpoint": "example", "url": "http://localhost:3000/", "headers": {"Auth": "secret"}, "timeout": 0},
    build=build_test_request,
)

KIND = HandlerKind(
    name="post",
    extras='Retries with backoff; `timeout` also as `"10s"`; userinfo passwords hidden in errors.',
    help="POST each alert event as JSON (or an endpoint's template) to a URL.",
    options=(
        Option("url", OptionType.STRING, tick="post", help="URL to POST to (a template over the alert data)."),
        Option("endpoint", OptionType.STRING, tick="endpoint", help="Name of an [[httppost]] endpoint."),
        Option(
            "headers",
            OptionType.STRING_MAP,
            tick="header",
            help="Headers that override the endpoint's (values are secrets: API keys travel here).",
            secret=True,
        ),
        Option("capture-response", OptionType.BOOL, tick="captureResponse", help="Keep the response body."),
        Option("timeout", OptionType.DURATION, tick="timeout", help="Request timeout; 0 uses the default."),
        Option(
            "skip-ssl-verification",
            OptionType.BOOL,
            tick="skipSSLVerification",
            help="Do not verify the server's TLS certificate.",
        ),
    ),
    render=render,
    config=SECTION,
    service_tests=(SERVICE_TEST,),
    validate=validate,
    timeout=30.0,
    go_config_type="*httppost.HandlerConfig",
)

"""`|httpPost(url)`: POST every point or batch as an InfluxQL result JSON, one at a time, in arrival order.

`.endpoint(name)` posts to a `[[httppost]]` endpoint instead (its url, headers, basic auth and row
template); `.header(k, v)` adds headers; `.timeout(d)` bounds each request; `.captureResponse()` logs the
body of a non-2xx answer. The URL (the node's or the endpoint's) is a Go template rendered per item over
the same data as the row template: `.Name`, `.Tags` and `.Values` (one map per row, `time` a time.Time).

Kapacitor posts inline, so its posts never overlap and keep the order of the data. Tocsin keeps that order
without holding the event loop: bodies are rendered on arrival and queued, and one drain task per node
sends them one after the other (at most MAX_QUEUED wait; beyond that an item is refused with a node error).
Without `.codeField()` items pass on at once; with it, each item passes on when its request finishes,
carrying the status code (0 when the request failed or could not be built) in that field.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from tocsin.delivery.errors import DeliveryError
from tocsin.gocompat.json import encode_line
from tocsin.gocompat.timefmt import parse_rfc3339
from tocsin.gotemplate import GoTime, StringMap, Struct, Template, TemplateError
from tocsin.gotemplate.gotime import ZERO_TIME_NS
from tocsin.handlers.post import SECTION, file_template, url_template
from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, BatchPoint, Item, Point, result_of
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import NodeError
from tocsin.tasks.nodes.common import NOTHING, ProcessingNode, last_duration, strings, with_fields, with_rows
from tocsin.transports.http import PolicyConnector

ERR_NO_ENDPOINT = "endpoint '{name}' does not exist"
ERR_URL_SYNTAX = "error in url templating: failed to parse template: {error}"
ERR_POST = "failed to POST data: {error}"
ERR_STATUS = "POST returned non 2xx status code: {error} code={code}"
ERR_UNCAPTURED = "unknown error, use .captureResponse() to capture the HTTP response"
ERR_TEMPLATE = "failed to execute template: {error}"
ERR_URL_TEMPLATE = "failed to marshal row data json: failed to execute url template: {error}"
ERR_FULL = "httpPost queue full: {limit} posts waiting for the peer; item dropped"
JSON = "application/json"
# Posts one node holds while its peer is slow: about a body each, so a bounded, not a silent, backlog.
MAX_QUEUED = 10_000

Emitter = Callable[[list[Item]], None]


@dataclass(slots=True)
class _Post:
    """One queued request, or why it could not be built (posted as a failure, in its turn)."""

    url: str
    body: bytes
    headers: list[tuple[str, str]]
    problem: str = ""


class HttpPostNode(ProcessingNode):
    """One aiohttp session per node; a queue drained by one background task of the task context."""

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        urls = strings(spec.args, spec.name)
        self._endpoint_headers: list[tuple[str, str]] = []
        self._node_headers: list[tuple[str, str]] = []
        self._row_template: str | None = None
        self._row_template_file: str | None = None
        endpoint = spec.last("endpoint")
        if endpoint is not None:
            element = ctx.config.element(SECTION.name, str(endpoint))
            if element is None:
                raise NodeError(ERR_NO_ENDPOINT.format(name=endpoint))
            url = str(element.get("url") or "")
            auth = element.get("basic-auth") or {}
            if auth.get("username") and auth.get("password"):
                token = base64.b64encode(f"{auth['username']}:{auth['password']}".encode()).decode("ascii")
                self._endpoint_headers.append(("Authorization", f"Basic {token}"))
            self._endpoint_headers.extend(sorted((element.get("headers") or {}).items()))
            self._row_template = element.get("row-template") or None
            self._row_template_file = element.get("row-template-file") or None
        elif urls:
            url = urls[0]
        else:
            raise NodeError(f"{spec.name}: a URL or an endpoint is required")
        self._url = url
        # text without an action renders as itself: no per-item rendering for a plain URL
        self._url_template: Template | None = None
        if "{{" in url:
            try:
                self._url_template = url_template(url)
            except TemplateError as exc:
                raise NodeError(ERR_URL_SYNTAX.format(error=exc)) from exc
        for call in spec.properties.get("header", ()):
            name, value = strings(call, f"{spec.name}.header")
            _set_header(self._node_headers, name, value)
        self._timeout = last_duration(spec, "timeout", 0)
        self._capture = spec.has("captureResponse")
        code_field = spec.last("codeField", "")
        if not isinstance(code_field, str):
            raise NodeError(f"{spec.name}.codeField: expected a string, got {code_field!r}")
        self._code_field = code_field
        self._emit: Emitter | None = None
        self._session: aiohttp.ClientSession | None = None
        self._groups: set[str] = set()
        self._queue: deque[tuple[_Post, Item | None]] = deque()
        self._draining = False
        self._stopped = False

    def attach_emitter(self, emit: Emitter) -> None:
        """Called by the executor: `emit(items)` routes items to the children later."""
        self._emit = emit

    def point(self, point: Point) -> list[Item]:
        """Queue the post of the point; pass it on (now, or with its code when the post is done)."""
        return self._post(point)

    def batch(self, batch: Batch) -> list[Item]:
        """Queue the post of the batch; pass it on (now, or with its code when the post is done)."""
        return self._post(batch)

    def cardinality(self) -> int:
        """Groups seen."""
        return len(self._groups)

    def stop(self) -> None:
        """Close the session once the posts already queued are sent (Kapacitor sends them before stopping)."""
        self._stopped = True
        if not self._draining:
            self._close_session()

    def _close_session(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            with contextlib.suppress(RuntimeError):
                asyncio.get_running_loop()
                self.ctx.background(session.close())

    def _post(self, item: Item) -> list[Item]:
        self._groups.add(item.group)
        if len(self._queue) >= MAX_QUEUED:
            raise NodeError(ERR_FULL.format(limit=MAX_QUEUED))
        deferred = bool(self._code_field) and self._emit is not None
        request = self._request(item)
        if not self._draining:
            asyncio.get_running_loop()  # outside a loop nothing would ever send it: refuse before queueing
            self._draining = True
            self.ctx.background(self._drain())
        self._queue.append((request, item if deferred else None))
        return NOTHING if deferred else [item]

    def _request(self, item: Item) -> _Post:
        result = result_of(item)
        headers = list(self._endpoint_headers)
        templated = self._row_template is not None or self._row_template_file is not None
        data = _mapped_row(result["series"][0]) if templated or self._url_template is not None else None
        url = self._url
        if self._url_template is not None:
            try:
                url = self._url_template.execute(data)
            except TemplateError as exc:
                return _Post(url, b"", headers, ERR_URL_TEMPLATE.format(error=exc))
        if templated:
            try:
                if self._row_template is not None:
                    text = url_template(self._row_template).execute(data)
                else:
                    text = file_template(str(self._row_template_file)).execute(data)
            except TemplateError as exc:
                return _Post(url, b"", headers, ERR_TEMPLATE.format(error=exc))
            except DeliveryError as exc:
                return _Post(url, b"", headers, str(exc))
            body = text.encode()
        else:
            body = encode_line(result)
            _set_header(headers, "Content-Type", JSON)
        # the node's headers come last, as Kapacitor sets them after the content type
        for name, value in self._node_headers:
            _set_header(headers, name, value)
        return _Post(url, body, headers)

    async def _drain(self) -> None:
        try:
            while self._queue:
                request, item = self._queue.popleft()
                try:
                    code = await self._send(request)
                    if item is not None and self._emit is not None:
                        self._emit([_with_code(item, self._code_field, code)])
                except Exception:
                    # one bad item must not strand the posts queued behind it
                    self.ctx.log.exception("task=%s node=%s post failed", self.ctx.task_id, self.spec.name)
        finally:
            self._draining = False
            if self._stopped:
                self._close_session()

    async def _send(self, request: _Post) -> int:
        if request.problem:
            self.error(ERR_POST.format(error=request.problem))
            return 0
        code = 0
        try:
            if self._session is None or self._session.closed:
                self._session = aiohttp.ClientSession(connector=PolicyConnector(self.ctx.address_policy))
            timeout = aiohttp.ClientTimeout(total=self._timeout / 1e9 if self._timeout > 0 else None)
            post = self._session.post(request.url, data=request.body, headers=request.headers, timeout=timeout)
            async with post as resp:
                code = resp.status
                if code // 100 != 2:
                    error = await resp.text(errors="replace") if self._capture else ERR_UNCAPTURED
                    self.error(ERR_STATUS.format(error=error, code=code))
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError, DeliveryError) as exc:
            self.error(ERR_POST.format(error=str(exc) or type(exc).__name__))
        return code


def _set_header(headers: list[tuple[str, str]], name: str, value: str) -> None:
    headers[:] = [(k, v) for k, v in headers if k.lower() != name.lower()]
    headers.append((name, value))


def _with_code(item: Item, field: str, code: int) -> Item:
    if isinstance(item, Point):
        return with_fields(item, {**item.fields, field: code})
    return with_rows(item, [BatchPoint(r.time, {**r.fields, field: code}, r.tags) for r in item.points])


def _mapped_row(series: dict[str, Any]) -> Struct:
    """Kapacitor's row template data: .Name, .Tags and .Values (one map per row, `time` a time.Time)."""
    columns = series.get("columns") or []
    values = []
    for row in series.get("values") or []:
        mapped = dict(zip(columns, row, strict=False))
        if "time" in mapped:
            mapped["time"] = GoTime(_parse_time(mapped["time"]))
        values.append(mapped)
    return Struct(
        "kapacitor.mappedRow",
        {"Name": series.get("name", ""), "Tags": StringMap(series.get("tags") or {}), "Values": values},
    )


def _parse_time(text: Any) -> int:
    try:
        return parse_rfc3339(str(text))
    except ValueError:
        return ZERO_TIME_NS

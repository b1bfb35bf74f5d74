"""`|httpPost(url)`: POST every point or batch as an InfluxQL result JSON, off the processing path.

`.endpoint(name)` posts to a `[[httppost]]` endpoint instead (its url, headers, basic auth and row
template); `.header(k, v)` adds headers; `.timeout(d)` bounds each request; `.captureResponse()` logs the
body of a non-2xx answer. Without `.codeField()` items pass on at once; with it, each item passes on when
its request finishes, carrying the status code (0 when the request failed) in that field.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from collections.abc import Callable
from typing import Any

import aiohttp

from tocsin.delivery.errors import DeliveryError
from tocsin.gocompat.json import encode_line
from tocsin.gocompat.timefmt import parse_rfc3339
from tocsin.gotemplate import GoTime, StringMap, Struct, TemplateError
from tocsin.gotemplate.gotime import ZERO_TIME_NS
from tocsin.handlers.post import SECTION, file_template, url_template
from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, BatchPoint, Item, Point, result_of
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import NodeError
from tocsin.tasks.nodes.common import NOTHING, ProcessingNode, last_duration, strings, with_fields, with_rows
from tocsin.transports.http import PolicyConnector

ERR_NO_ENDPOINT = "endpoint '{name}' does not exist"
ERR_POST = "failed to POST data: {error}"
ERR_STATUS = "POST returned non 2xx status code: {error} code={code}"
ERR_UNCAPTURED = "unknown error, use .captureResponse() to capture the HTTP response"
ERR_TEMPLATE = "failed to execute template: {error}"
JSON = "application/json"

Emitter = Callable[[list[Item]], None]


class HttpPostNode(ProcessingNode):
    """One aiohttp session per node; requests run as background tasks of the task context."""

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
            self._url = str(element.get("url") or "")
            auth = element.get("basic-auth") or {}
            if auth.get("username") and auth.get("password"):
                token = base64.b64encode(f"{auth['username']}:{auth['password']}".encode()).decode("ascii")
                self._endpoint_headers.append(("Authorization", f"Basic {token}"))
            self._endpoint_headers.extend(sorted((element.get("headers") or {}).items()))
            self._row_template = element.get("row-template") or None
            self._row_template_file = element.get("row-template-file") or None
        elif urls:
            self._url = urls[0]
        else:
            raise NodeError(f"{spec.name}: a URL or an endpoint is required")
        for call in spec.properties.get("header", ()):
            name, value = strings(call, f"{spec.name}.header")
            _set_header(self._node_headers, name, value)
        self._timeout = last_duration(spec, "timeout", 0)
        self._capture = spec.has("captureResponse")
        code_field = spec.last("codeField", "")
        self._code_field = code_field if isinstance(code_field, str) else ""
        self._emit: Emitter | None = None
        self._session: aiohttp.ClientSession | None = None
        self._groups: set[str] = set()

    def attach_emitter(self, emit: Emitter) -> None:
        """Called by the executor: `emit(items)` routes items to the children later."""
        self._emit = emit

    def point(self, point: Point) -> list[Item]:
        """Post the point; pass it on (now, or with its code when the post is done)."""
        return self._post(point)

    def batch(self, batch: Batch) -> list[Item]:
        """Post the batch; pass it on (now, or with its code when the post is done)."""
        return self._post(batch)

    def cardinality(self) -> int:
        """Groups seen."""
        return len(self._groups)

    def stop(self) -> None:
        """Close the session."""
        session, self._session = self._session, None
        if session is not None and not session.closed:
            with contextlib.suppress(RuntimeError):
                asyncio.get_running_loop()
                self.ctx.background(session.close())

    def _post(self, item: Item) -> list[Item]:
        self._groups.add(item.group)
        body, headers = self._request(item)
        deferred = bool(self._code_field) and self._emit is not None
        self.ctx.background(self._send(body, headers, item if deferred else None))
        return NOTHING if deferred else [item]

    def _request(self, item: Item) -> tuple[bytes, list[tuple[str, str]]]:
        result = result_of(item)
        headers = list(self._endpoint_headers)
        if self._row_template is not None or self._row_template_file is not None:
            data = _mapped_row(result["series"][0])
            try:
                if self._row_template is not None:
                    text = url_template(self._row_template).execute(data)
                else:
                    text = file_template(str(self._row_template_file)).execute(data)
            except TemplateError as exc:
                raise NodeError(ERR_TEMPLATE.format(error=exc)) from exc
            body = text.encode()
        else:
            body = encode_line(result)
            _set_header(headers, "Content-Type", JSON)
        # the node's headers come last, as Kapacitor sets them after the content type
        for name, value in self._node_headers:
            _set_header(headers, name, value)
        return body, headers

    async def _send(self, body: bytes, headers: list[tuple[str, str]], item: Item | None) -> None:
        code = 0
        try:
            if self._session is None or self._session.closed:
                self._session = aiohttp.ClientSession(connector=PolicyConnector(self.ctx.address_policy))
            timeout = aiohttp.ClientTimeout(total=self._timeout / 1e9 if self._timeout > 0 else None)
            async with self._session.post(self._url, data=body, headers=headers, timeout=timeout) as resp:
                code = resp.status
                if code // 100 != 2:
                    error = await resp.text(errors="replace") if self._capture else ERR_UNCAPTURED
                    self.error(ERR_STATUS.format(error=error, code=code))
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError, DeliveryError) as exc:
            self.error(ERR_POST.format(error=str(exc) or type(exc).__name__))
        if item is not None and self._emit is not None:
            self._emit([_with_code(item, self._code_field, code)])


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

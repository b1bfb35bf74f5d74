"""The HTTP access log, with the password of `?u=...&p=...` credentials replaced before it is written."""

from __future__ import annotations

from typing import Any

from aiohttp.web_log import AccessLogger, KeyMethod
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import StreamResponse

REDACTED = "[REDACTED]"
_SECRET_PARAMS = frozenset({"p"})


def redacted_path_qs(request: BaseRequest) -> str:
    """The path and query with every `p` parameter's value hidden."""
    query = request.rel_url.raw_query_string
    if not query:
        return request.raw_path
    parts = []
    for item in query.split("&"):
        name, eq, _ = item.partition("=")
        parts.append(f"{name}={REDACTED}" if eq and name in _SECRET_PARAMS else item)
    return request.rel_url.raw_path + "?" + "&".join(parts)


def _first_line(request: BaseRequest, response: StreamResponse, time: float) -> str:
    return f"{request.method} {redacted_path_qs(request)} HTTP/{request.version.major}.{request.version.minor}"


class RedactingAccessLogger(AccessLogger):
    """aiohttp's access log whose `%r` never shows a password given in the query string."""

    def compile_format(self, log_format: str) -> tuple[str, list[KeyMethod]]:
        fmt, methods = super().compile_format(log_format)
        swapped: list[Any] = [
            KeyMethod(m.key, _first_line) if m.key == "first_request_line" else m for m in methods
        ]
        return fmt, swapped

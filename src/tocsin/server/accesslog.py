"""The HTTP access log, with the password of `?u=...&p=...` credentials replaced before it is written."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from aiohttp.web_log import AccessLogger, KeyMethod
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import StreamResponse

REDACTED = "[REDACTED]"
# Compared on the decoded, lower-cased name: `%70=` is `p=`.
_SECRET_PARAMS = frozenset({"p", "password", "token", "access_token", "api_key", "apikey", "key", "secret"})


def redacted_path_qs(request: BaseRequest) -> str:
    """The path and query with the values of `p` and of token-like parameters hidden."""
    query = request.rel_url.raw_query_string
    if not query:
        return request.raw_path
    parts = []
    for item in query.split("&"):
        name, eq, _ = item.partition("=")
        secret = eq and unquote_plus(name).lower() in _SECRET_PARAMS
        parts.append(f"{name}={REDACTED}" if secret else item)
    return request.rel_url.raw_path + "?" + "&".join(parts)


def _first_line(request: BaseRequest, response: StreamResponse, time: float) -> str:
    return f"{request.method} {redacted_path_qs(request)} HTTP/{request.version.major}.{request.version.minor}"


class RedactingAccessLogger(AccessLogger):
    """aiohttp's access log whose `%r` never shows a password given in the query string."""

    def compile_format(self, log_format: str) -> tuple[str, list[KeyMethod]]:
        fmt, methods = super().compile_format(log_format)
        swapped: list[Any] = [KeyMethod(m.key, _first_line) if m.key == "first_request_line" else m for m in methods]
        return fmt, swapped

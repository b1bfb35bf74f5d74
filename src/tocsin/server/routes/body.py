"""Reading JSON request bodies with errors that say what was wrong."""

from __future__ import annotations

import asyncio
import json
from typing import Any, TypeVar

from aiohttp import web

from tocsin.engine.errors import InvalidError
from tocsin.gocompat import json as gojson
from tocsin.server.jsondepth import check_depth
from tocsin.server.routes.inflate import BadEncoding, read_body

# A client gets this long to send its whole body; a slower one only holds a connection open (slowloris).
T = TypeVar("T")
BODY_TIMEOUT = 60.0
SLOW_BODY = "timed out reading the request body"


BAD_NUMBER = 'invalid {what} parameter "{text}" must be an integer'


def query_int(request: web.Request, what: str, default: int) -> int:
    """An integer query parameter (`offset`, `limit`); InvalidError with Kapacitor's text when it is not one."""
    text = request.query.get(what, "")
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise InvalidError(BAD_NUMBER.format(what=what, text=text)) from None


def page_of(items: list[T], offset: int, limit: int) -> list[T]:
    """`items` from `offset` (negative counts as 0), at most `limit` of them (negative: all)."""
    offset = max(0, offset)
    return items[offset : offset + limit] if limit >= 0 else items[offset:]


async def read_text(request: web.Request) -> str:
    """The body as UTF-8 text; 408 when it does not arrive within BODY_TIMEOUT seconds.

    As Go's JSON decoder, bytes that are not UTF-8 read as U+FFFD and any declared charset is ignored, so such a
    body is a decode error of the route (or a string holding U+FFFD), never a server error.
    """
    try:
        async with asyncio.timeout(BODY_TIMEOUT):
            return (await read_body(request, request.client_max_size)).decode("utf-8", errors="replace")
    except BadEncoding as exc:
        raise InvalidError(f"invalid request body: {exc}") from None
    except TimeoutError:
        text = gojson.dumps({"error": SLOW_BODY, "message": SLOW_BODY})
        raise web.HTTPRequestTimeout(text=text, content_type="application/json") from None


async def read_json(request: web.Request, prefix: str, *, empty_eof: bool = False) -> Any:
    """The parsed body; InvalidError `<prefix><reason>` (with line and column) when it is not JSON."""
    text = await read_text(request)
    if not text.strip():
        if empty_eof:
            raise InvalidError(prefix + "EOF")
        raise InvalidError(prefix + "the request body is empty")
    check_depth(text, prefix)
    return decode_json(text, prefix)


def decode_json(text: str, prefix: str) -> Any:
    """`text` as JSON; InvalidError `<prefix><reason>`, with line and column when the syntax is wrong."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidError(f"{prefix}{exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except ValueError as exc:  # an integer of more than 4300 digits (Python's int parsing limit)
        raise InvalidError(f"{prefix}{str(exc).split(';')[0]}") from None

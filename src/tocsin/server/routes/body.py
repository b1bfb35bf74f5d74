"""Reading JSON request bodies with errors that say what was wrong."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from tocsin.engine.errors import InvalidError


async def read_json(request: web.Request, prefix: str, *, empty_eof: bool = False) -> Any:
    """The parsed body; InvalidError `<prefix><reason>` (with line and column) when it is not JSON."""
    text = await request.text()
    if not text.strip():
        if empty_eof:
            raise InvalidError(prefix + "EOF")
        raise InvalidError(prefix + "the request body is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidError(f"{prefix}{exc.msg} at line {exc.lineno}, column {exc.colno}") from None

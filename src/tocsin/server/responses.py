"""Response bodies in Kapacitor's formats: pretty JSON for most routes, compact lines for config and tests."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from tocsin.gocompat import json as gojson

CONTENT_TYPE = "application/json; charset=utf-8"
_HTML = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def pretty(data: Any, status: int = 200) -> web.Response:
    """Go's MarshalIndent with four spaces, as most of Kapacitor's API answers."""
    text = json.dumps(data, indent=4, ensure_ascii=False).translate(_HTML)
    return web.Response(text=text, status=status, content_type="application/json", charset="utf-8")


def compact(data: Any, status: int = 200) -> web.Response:
    """A json.Encoder line (compact, trailing newline), as the config and service-test routes answer."""
    text = gojson.dumps(data) + "\n"
    return web.Response(text=text, status=status, content_type="application/json", charset="utf-8")


def error(message: str, status: int) -> web.Response:
    return pretty({"error": message, "message": message}, status)


def no_content() -> web.Response:
    return web.Response(status=204)


def link(href: str, rel: str = "self") -> dict[str, str]:
    return {"rel": rel, "href": href}

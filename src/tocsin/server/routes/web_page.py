"""The web page: `/` and its static assets under /static/, shipped inside the package (no build, no CDN)."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from tocsin.server.routes import handler_files, schema

STATIC = Path(__file__).resolve().parent.parent.parent / "web" / "static"
# The page loads only its own files and talks only to this server.
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


async def index(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "index.html", headers=_HEADERS)


def add(router: web.UrlDispatcher) -> None:
    """The page, its assets and the two read-only helpers it needs (schemas, handler-file parsing)."""
    router.add_get("/", index)
    router.add_static("/static/", STATIC, append_version=False)
    schema.add(router)
    handler_files.add(router)

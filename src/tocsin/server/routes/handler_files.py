"""Handler files parsed for the web page: POST /tocsin/v1/handler-files/parse?format=yaml|json.

The body is the file's text; the answer is the spec it holds (as `define-topic-handler` reads it) or a 400 whose
`line` and `column` (1-based, 0 when unknown) place the error.
"""

from __future__ import annotations

from aiohttp import web

from tocsin.errors import ParseError
from tocsin.handler_files import parse_handler_spec
from tocsin.server.responses import pretty
from tocsin.server.routes.body import read_text

PATH = "/tocsin/v1/handler-files/parse"
FILE_NAMES = {"yaml": "handler.yaml", "json": "handler.json"}
BAD_FORMAT = 'invalid format "{}": expected yaml or json'


async def parse(request: web.Request) -> web.Response:
    fmt = request.query.get("format", "yaml").lower()
    name = FILE_NAMES.get(fmt)
    if name is None:
        message = BAD_FORMAT.format(fmt)
        return pretty({"error": message, "message": message, "line": 0, "column": 0}, 400)
    try:
        spec = parse_handler_spec(await read_text(request), name)
    except ParseError as exc:
        message = str(exc)
        return pretty({"error": message, "message": message, "line": exc.line, "column": exc.column}, 400)
    return pretty({"spec": spec})


def add(router: web.UrlDispatcher) -> None:
    router.add_post(PATH, parse)

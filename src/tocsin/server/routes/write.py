"""Data ingest: `POST /kapacitor/v1/write` and its bare alias `POST /write` (InfluxDB line protocol).

As in Kapacitor, the body is parsed before `db` is checked, and write errors are plain text (the message and a
newline) even though the Content-Type says JSON. `Content-Encoding: gzip` bodies are inflated in bounded steps
(tocsin.server.routes.inflate), so `[http] max-body-size` bounds the inflated size (413, like every other route).
"""

from __future__ import annotations

import asyncio
import json
import logging

from aiohttp import web

from tocsin.auth.users import WRITE, Privilege, User
from tocsin.engine.errors import InvalidError
from tocsin.errors import TocsinError
from tocsin.gocompat import json as gojson
from tocsin.lineprotocol import LineProtocolError, PartialWriteError, parse_points
from tocsin.points import Point
from tocsin.server.auth import AUTH_USER
from tocsin.server.keys import ENGINE
from tocsin.server.routes.body import BODY_TIMEOUT, SLOW_BODY
from tocsin.server.routes.inflate import BadEncoding, read_body

log = logging.getLogger(__name__)

# Kapacitor's texts (services/httpd/handler.go); Go's gzip reader reports a body that is not gzip this way.
DATABASE_REQUIRED = "database is required"
NOT_AUTHORIZED = "{user} user is not authorized to write to database {database}"
BAD_GZIP = "gzip: invalid header"
# Kapacitor answers 200 when the parser's error text is exactly "EOF". Its parser (and ours) prefixes every
# error with "unable to parse", so this never happens; the check stays so the route reads like Kapacitor's.
EOF = "EOF"


def _text(message: str, status: int) -> web.Response:
    return web.Response(text=message + "\n", status=status, content_type="application/json", charset="utf-8")


def _go_quote(text: str) -> str:
    """Go's %q for the texts a user name or database usually holds."""
    return json.dumps(text, ensure_ascii=False)


def may_write(user: User, database: str) -> bool:
    """Kapacitor's database check, where holding the write_points permission counts for every database.

    Kapacitor itself grants `/databases/<db>` only to InfluxDB's subscription users, so its own write_points users
    get 401; Tocsin lets them write, as the permission's name promises.
    """
    if user.allows("/databases/" + database, Privilege.WRITE):
        return True
    return user.privileges.get(WRITE) == Privilege.ALL


async def _read(request: web.Request) -> bytes | web.Response:
    try:
        async with asyncio.timeout(BODY_TIMEOUT):
            return await read_body(request, request.client_max_size)
    except TimeoutError:
        text = gojson.dumps({"error": SLOW_BODY, "message": SLOW_BODY})
        raise web.HTTPRequestTimeout(text=text, content_type="application/json") from None
    except (BadEncoding, web.RequestPayloadError) as exc:
        # The rest of the body cannot be read: answer, then close the connection.
        gzip = request.headers.get("Content-Encoding", "").lower() == "gzip"
        response = _text(BAD_GZIP if gzip else str(exc), 400)
        response.force_close()
        return response


async def write(request: web.Request) -> web.StreamResponse:
    body = await _read(request)
    if isinstance(body, web.Response):
        return body
    database = request.query.get("db", "")
    rp = request.query.get("rp", "") or str(request.app[ENGINE].config.get("", "default-retention-policy") or "")
    precision = request.query.get("precision", "") or "n"
    dropped: PartialWriteError | None = None
    try:
        points = parse_points(body, precision=precision, database=database, retention_policy=rp)
    except PartialWriteError as exc:
        points, dropped = exc.points, exc
    except LineProtocolError as exc:
        if str(exc) == EOF:
            return web.Response(status=200)
        return _text(str(exc), 400)
    if not database:
        return _text(DATABASE_REQUIRED, 400)
    user = request.get(AUTH_USER)
    if user is not None and not may_write(user, database):
        return _text(NOT_AUTHORIZED.format(user=_go_quote(user.name), database=_go_quote(database)), 401)
    if request.app[ENGINE].config.get("http", "write-tracing"):
        log.info("write: db=%s rp=%s precision=%s points=%d bytes=%d", database, rp, precision, len(points), len(body))
    failure = await _write(request, points)
    if failure is not None:
        return failure
    if dropped is not None:
        # InfluxDB writes the other points and reports the dropped ones as a client error.
        return _text(str(dropped), 400)
    return web.Response(status=204)


async def _write(request: web.Request, points: list[Point]) -> web.Response | None:
    try:
        await request.app[ENGINE].write_points(points)
    except InvalidError as exc:
        return _text(str(exc), 400)
    except TocsinError as exc:
        log.warning("writing %d points failed: %s", len(points), exc)
        return _text(str(exc), 500)
    return None


async def options(request: web.Request) -> web.Response:
    """Kapacitor registers this, but its CORS wrapper answers every OPTIONS first (see the middleware)."""
    return web.Response(status=204)


def add(router: web.UrlDispatcher, prefix: str) -> None:
    """`POST` and `OPTIONS` `{prefix}/write`."""
    router.add_post(prefix + "/write", write)
    router.add_route("OPTIONS", prefix + "/write", options)


def add_root(router: web.UrlDispatcher) -> None:
    """The bare `/write` alias that InfluxDB subscriptions post to."""
    add(router, "")

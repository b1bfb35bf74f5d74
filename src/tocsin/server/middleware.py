"""Cross-cutting HTTP behaviour: Kapacitor's headers, CORS for listed origins only, foreign pages refused,
404s and the mapping of errors to statuses."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from aiohttp import web

from tocsin import KAPACITOR_COMPAT_VERSION
from tocsin.config.overrides import UpdateError
from tocsin.engine.errors import (
    ConflictError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    UnavailableError,
)
from tocsin.server.browser import SITE_HEADER, allowed_origin, host_problem, origin_problem, simple_body_problem
from tocsin.server.keys import ENGINE
from tocsin.server.responses import error

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_CORS_METHODS = "DELETE, GET, OPTIONS, POST, PATCH"
_CORS_HEADERS = (
    "Accept, Accept-Encoding, Authorization, Content-Length, Content-Type, X-CSRF-Token, X-HTTP-Method-Override"
)
_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (InvalidError, 400),
    (ForbiddenError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (UnavailableError, 503),
)


@web.middleware
async def kapacitor_http(request: web.Request, handler: Handler) -> web.StreamResponse:
    http = request.app[ENGINE].config.element("http") or {}
    allowed = http.get("cors-allowed-origins") or ()
    origin = request.headers.get("Origin")
    if origin is not None and not allowed_origin(origin, allowed):
        origin = None
    problem = _browser_problem(request, http, allowed)
    from_browser = "Origin" in request.headers or SITE_HEADER in request.headers
    simple = simple_body_problem(request.method, request.headers.get("Content-Type", ""), from_browser)
    if problem:
        response: web.StreamResponse = error(problem, 403)
    elif simple:
        response = error(simple, 415)
    elif request.method == "OPTIONS":
        response = web.Response(status=200)
        _cors(response, origin)
        return response
    else:
        response = await _answer(request, handler)
    _cors(response, origin)
    response.headers["X-Kapacitor-Version"] = KAPACITOR_COMPAT_VERSION
    response.headers["Request-Id"] = str(uuid.uuid1())
    if "gzip" in request.headers.get("Accept-Encoding", "") and isinstance(response, web.Response) and response.body:
        response.enable_compression(web.ContentCoding.gzip)
    return response


def _browser_problem(request: web.Request, http: Mapping[str, Any], allowed: Iterable[str]) -> str | None:
    problem = origin_problem(
        request.headers.get("Origin"), request.headers.get(SITE_HEADER), request.scheme, request.host, allowed
    )
    if problem or http.get("auth-enabled"):
        return problem
    top = request.app[ENGINE].config.element("") or {}
    bind_host = str(http.get("bind-address") or "").rpartition(":")[0].strip("[]")
    names = [str(top.get("hostname") or ""), bind_host, *(str(h) for h in http.get("allowed-hosts") or ())]
    return host_problem(request.host, names)


async def _answer(request: web.Request, handler: Handler) -> web.StreamResponse:
    response: web.StreamResponse
    try:
        response = await handler(request)
    except web.HTTPNotFound:
        response = error("Not Found", 404)
    except web.HTTPMethodNotAllowed:
        response = error("Method Not Allowed", 405)
    except web.HTTPRequestEntityTooLarge as exc:
        response = error(f"request body too large: {exc.text}", 413)
        # Close instead of reading (and inflating: a gzip bomb) the rest of the body to keep the connection.
        response.force_close()
    except UpdateError as exc:
        response = error(str(exc), exc.status)
    except (InvalidError, ForbiddenError, NotFoundError, ConflictError, UnavailableError) as exc:
        status = next(code for cls, code in _STATUS if isinstance(exc, cls))
        response = error(str(exc), status)
    except web.HTTPException:
        raise
    except Exception:
        log.exception("unhandled error serving %s %s", request.method, request.path)
        response = error("internal error; see the server log", 500)
    return response


def _cors(response: web.StreamResponse, origin: str | None) -> None:
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = _CORS_METHODS
        response.headers["Access-Control-Allow-Headers"] = _CORS_HEADERS

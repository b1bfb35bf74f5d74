"""Authentication and authorization of API requests as Kapacitor does them when `[http] auth-enabled` is true.

Credentials, in Kapacitor's order: `Authorization: Bearer <JWT>` (HMAC with `[http] shared-secret`), HTTP Basic,
then the `u` and `p` query parameters. Each method needs a privilege on the request's resource (`/api` + the path
below /kapacitor/v1); Tocsin's own paths are resources too: `/api/tocsin/v1/...` and `/api/metrics`, so they need
the `api` permission, except event intake, which `write_points` also allows, and `/metrics` when
`[http] metrics-auth-enabled` is false (for a scraper without credentials).

Without any of those, the web page's session cookie (see tocsin.server.sessions) is accepted; writes it
authenticates need the session's CSRF token. The page itself, its static files and the sign-in route are open.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import posixpath
from collections.abc import Awaitable, Callable

from aiohttp import web

from tocsin.auth.directory import UserDirectory
from tocsin.auth.sessions import SessionStore
from tocsin.auth.throttle import THROTTLED, LoginThrottle
from tocsin.auth.tokens import TokenError, username_of
from tocsin.auth.users import WRITE, User, method_privilege
from tocsin.gocompat import json as gojson
from tocsin.influxdb.destinations import SUBSCRIBER
from tocsin.influxdb.grants import INVALID_TOKEN, Grants
from tocsin.server.keys import ENGINE
from tocsin.server.sessions import COOKIE, SESSION_ENDED, SESSIONS, csrf_problem, session_of

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

USERS = web.AppKey("users", UserDirectory)
THROTTLE = web.AppKey("login_throttle", LoginThrottle)
# The tokens InfluxDB writes subscribed points with (user `~subscriber`, tocsin.influxdb.grants).
GRANTS = web.AppKey("subscription_grants", Grants)
# The authenticated user, for handlers that authorize further (the write route checks the database).
AUTH_USER = web.RequestKey("auth_user", User)

# Kapacitor's texts (services/httpd/handler.go).
NO_CREDENTIALS = "unable to parse authentication credentials"
USERNAME_REQUIRED = "username required"
AUTHORIZATION_FAILED = "authorization failed"
UNKNOWN_USER = 'retrieving user "{name}" from store: no user exists'
DOT_SEGMENTS = 'invalid path: "." and ".." segments (also percent-encoded) are not allowed'
MISSING_PRIVILEGE = 'user {name} does not have "{privilege}" privilege for API endpoint {path}'

API = "/kapacitor/v1"
PREVIEW = "/kapacitor/v1preview"
EVENTS = "/tocsin/v1/events"
DEBUG_VARS = API + "/debug/vars"
METRICS = "/metrics"
# The page and its files hold no data; the sign-in route checks credentials itself.
OPEN_PATHS = frozenset({"/", "/tocsin/v1/session"})
OPEN_PREFIX = "/static/"


def init(app: web.Application) -> None:
    """Give the application its user directory (on the engine's store) and its web-page sessions."""
    app[USERS] = UserDirectory(app[ENGINE].store)
    cluster = app[ENGINE].cluster
    if cluster is not None:  # users changed through another instance apply here too
        cluster.followers.append(app[USERS])
    app[SESSIONS] = SessionStore()
    app[THROTTLE] = LoginThrottle()
    app[GRANTS] = Grants(app[ENGINE].store)


def auth_error(message: str, status: int) -> web.Response:
    """Kapacitor's authentication answers are compact JSON without a trailing newline."""
    text = gojson.dumps({"error": message, "message": message})
    return web.Response(text=text, status=status, content_type="application/json", charset="utf-8")


def api_path(path: str) -> str:
    """The path Kapacitor authorizes: v1preview requests are rewritten to v1 first."""
    return API + path[len(PREVIEW) :] if path.startswith(PREVIEW) else path


def resource_of(path: str) -> str:
    """`auth.APIResource(strings.TrimPrefix(path, BasePath))`."""
    rest = path[len(API) :] if path.startswith(API) else path
    return posixpath.normpath(posixpath.join("/api", rest.lstrip("/")))


@web.middleware
async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    http = request.app[ENGINE].config.element("http") or {}
    if not http.get("auth-enabled") or request.method == "OPTIONS":
        return await handler(request)
    path = api_path(request.path)
    if http.get("pprof-enabled") and path == DEBUG_VARS:
        return await handler(request)
    if request.path in OPEN_PATHS or request.path.startswith(OPEN_PREFIX):
        return await handler(request)
    if request.path == METRICS and not http.get("metrics-auth-enabled", True):
        return await handler(request)
    user_or_error = await _user(request, request.app[USERS], str(http.get("shared-secret") or ""))
    if isinstance(user_or_error, web.Response):
        return user_or_error
    if _has_dot_segments(request.path):
        # The router matched the encoded path (`x%2F..%2F..%2Fwrite` is one topic ID), while the privilege
        # would be checked on the decoded one (/api/write): refuse the mismatch instead of guessing.
        return auth_error(DOT_SEGMENTS, 400)
    user, privilege = user_or_error, method_privilege(request.method)
    allowed = user.allows(resource_of(path), privilege) or (
        path == EVENTS and request.method == "POST" and user.allows(WRITE, privilege)
    )
    if not allowed:
        quoted = json.dumps(path, ensure_ascii=False)
        return auth_error(MISSING_PRIVILEGE.format(name=user.name, privilege=privilege.text, path=quoted), 403)
    request[AUTH_USER] = user
    return await handler(request)


async def _user(request: web.Request, users: UserDirectory, secret: str) -> User | web.Response:
    header = request.headers.get("Authorization", "")
    if header:
        parts = header.split(" ")
        if len(parts) == 2 and parts[0] == "Bearer":
            return await _bearer(parts[1], users, secret)
        basic = _basic(header)
        if basic is not None:
            return await _password(request, *basic)
    name, password = request.query.get("u", ""), request.query.get("p", "")
    if name and password:
        return await _password(request, name, password)
    if COOKIE in request.cookies:
        found = await session_of(request, users)
        if found is None:
            return auth_error(SESSION_ENDED, 401)
        session, user = found
        problem = csrf_problem(request, session)
        return auth_error(problem, 403) if problem else user
    return auth_error(NO_CREDENTIALS, 401)


async def _bearer(token: str, users: UserDirectory, secret: str) -> User | web.Response:
    try:
        name = username_of(token, secret)
    except TokenError as exc:
        return auth_error(str(exc), 401)
    user = await users.get(name)
    if user is None:
        return auth_error(UNKNOWN_USER.format(name=name), 401)
    return user


async def check_password(request: web.Request, name: str, password: str, failed_text: str) -> User | web.Response:
    """The user when the password is right; 401 with `failed_text` when not; 429 while failures are throttled."""
    throttle, address = request.app[THROTTLE], request.remote or ""
    waiting = throttle.wait(name, address)
    if waiting is not None:
        wait, who = waiting
        seconds = max(1, math.ceil(wait))
        response = auth_error(THROTTLED.format(who=who, wait=seconds), 429)
        response.headers["Retry-After"] = str(seconds)
        return response
    user = await request.app[USERS].authenticate(name, password)
    if user is None:
        throttle.failed(name, address)
        return auth_error(failed_text, 401)
    throttle.succeeded(name, address)
    return user


async def _password(request: web.Request, name: str, password: str) -> User | web.Response:
    if not name:
        return auth_error(USERNAME_REQUIRED, 401)
    if name == SUBSCRIBER:
        # Not throttled: a token cannot be guessed, and a throttle on this one name would let anyone stop
        # InfluxDB's writes.
        user = await request.app[GRANTS].user(password)
        return user if user is not None else auth_error(INVALID_TOKEN, 401)
    return await check_password(request, name, password, AUTHORIZATION_FAILED)


def _has_dot_segments(path: str) -> bool:
    return any(segment in (".", "..") for segment in path.split("/"))


def _basic(header: str) -> tuple[str, str] | None:
    """Go's Request.BasicAuth: `Basic <base64 user:password>`, the scheme in any case."""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return None
    name, colon, password = decoded.partition(":")
    return (name, password) if colon else None


__all__ = ["AUTH_USER", "THROTTLE", "USERS", "authenticate", "check_password", "init"]

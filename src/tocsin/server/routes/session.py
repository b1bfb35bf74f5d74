"""Web-page sign-in: /tocsin/v1/session (POST signs in, GET says who is signed in, DELETE signs out).

These routes pass the authentication middleware untouched and check credentials themselves.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tocsin.engine.errors import InvalidError
from tocsin.server.auth import USERNAME_REQUIRED, USERS, auth_error, check_password
from tocsin.server.keys import ENGINE
from tocsin.server.responses import no_content, pretty
from tocsin.server.routes.body import read_json
from tocsin.server.sessions import (
    COOKIE,
    SESSION_ENDED,
    SESSIONS,
    clear_cookie,
    csrf_problem,
    session_of,
    set_cookie,
)

PATH = "/tocsin/v1/session"
AUTH_OFF = "authentication is not enabled ([http] auth-enabled = false): there is nothing to sign in to"
WRONG_PASSWORD = "wrong username or password"
SIGNED_OUT = "not signed in"
BAD_BODY = 'invalid sign-in json: expected {"username": "...", "password": "..."} with string values'


def _auth_enabled(request: web.Request) -> bool:
    http = request.app[ENGINE].config.element("http") or {}
    return bool(http.get("auth-enabled"))


def _signed_in(username: str, csrf_token: str) -> dict[str, Any]:
    return {"auth-enabled": True, "username": username, "csrf-token": csrf_token}


async def sign_in(request: web.Request) -> web.Response:
    if not _auth_enabled(request):
        raise InvalidError(AUTH_OFF)
    body = await read_json(request, "invalid sign-in json: ")
    name = body.get("username") if isinstance(body, dict) else None
    password = body.get("password") if isinstance(body, dict) else None
    if not isinstance(name, str) or not isinstance(password, str):
        raise InvalidError(BAD_BODY)
    if not name:
        return auth_error(USERNAME_REQUIRED, 401)
    user = await check_password(request, name, password, WRONG_PASSWORD)
    if isinstance(user, web.Response):
        return user
    sessions = request.app[SESSIONS]
    # A new id at every sign-in: a cookie planted before it is worth nothing after.
    sessions.drop(request.cookies.get(COOKIE, ""))
    session = sessions.create(user.name, user.password_hash)
    response = pretty(_signed_in(user.name, session.csrf_token))
    set_cookie(request, response, session)
    return response


async def current(request: web.Request) -> web.Response:
    if not _auth_enabled(request):
        return pretty({"auth-enabled": False})
    found = await session_of(request, request.app[USERS])
    if found is None:
        response = auth_error(SESSION_ENDED if request.cookies.get(COOKIE) else SIGNED_OUT, 401)
        if request.cookies.get(COOKIE):
            clear_cookie(request, response)
        return response
    session, user = found
    return pretty(_signed_in(user.name, session.csrf_token))


async def sign_out(request: web.Request) -> web.Response:
    if _auth_enabled(request):
        found = await session_of(request, request.app[USERS])
        if found is not None:
            problem = csrf_problem(request, found[0])
            if problem:
                return auth_error(problem, 403)
            request.app[SESSIONS].drop(found[0].id)
    response = no_content()
    clear_cookie(request, response)
    return response


def add(router: web.UrlDispatcher) -> None:
    router.add_get(PATH, current)
    router.add_post(PATH, sign_in)
    router.add_delete(PATH, sign_out)

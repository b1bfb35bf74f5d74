"""The web page's session cookie as a credential, and the CSRF check of the writes it authenticates.

A request signed in only by the cookie that may change something (any method but GET, HEAD and OPTIONS) must
send the session's token in `X-CSRF-Token`; requests with Basic, Bearer or u/p credentials need none.
"""

from __future__ import annotations

from aiohttp import web

from tocsin.auth.directory import UserDirectory
from tocsin.auth.sessions import Session, SessionStore
from tocsin.auth.users import User

SESSIONS = web.AppKey("sessions", SessionStore)
COOKIE = "tocsin_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

SESSION_ENDED = "session expired or ended; sign in again"
CSRF_MISSING = (
    "missing X-CSRF-Token header: a change made with the session cookie must send the session's token "
    "(from POST or GET /tocsin/v1/session)"
)
CSRF_WRONG = "wrong X-CSRF-Token header: it is not the token of this session (see GET /tocsin/v1/session)"


async def session_of(request: web.Request, users: UserDirectory) -> tuple[Session, User] | None:
    """The live session of the request's cookie and its user; None when there is none or it ended."""
    sessions = request.app[SESSIONS]
    session = sessions.get(request.cookies.get(COOKIE, ""))
    if session is None:
        return None
    user = await users.get(session.username)
    if user is None or user.password_hash != session.password_hash:
        sessions.drop(session.id)
        return None
    return session, user


def csrf_problem(request: web.Request, session: Session) -> str | None:
    """Why a cookie-authenticated request may not proceed, or None."""
    if request.method in SAFE_METHODS:
        return None
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent:
        return CSRF_MISSING
    return None if session.csrf_matches(sent) else CSRF_WRONG


def set_cookie(request: web.Request, response: web.StreamResponse, session: Session) -> None:
    """The session cookie: no script access, never cross-site, Secure when the request came over HTTPS."""
    response.set_cookie(COOKIE, session.id, path="/", httponly=True, samesite="Strict", secure=request.secure)


def clear_cookie(request: web.Request, response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path="/", httponly=True, samesite="Strict", secure=request.secure)

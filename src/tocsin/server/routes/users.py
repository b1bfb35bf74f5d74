"""API users: /kapacitor/v1/users (Kapacitor's services/auth routes and texts)."""

from __future__ import annotations

import asyncio
import fnmatch
import json
from typing import Any

from aiohttp import web

from tocsin.auth.passwords import hash_password
from tocsin.auth.users import PERMISSIONS, USER_TYPES, User, privileges_for
from tocsin.engine.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError
from tocsin.server.auth import AUTH_USER, USERS
from tocsin.server.jsondepth import check_depth
from tocsin.server.responses import link, no_content, pretty
from tocsin.server.routes.body import page_of, query_int, read_text
from tocsin.server.routes.patterns import check_pattern

BASE = "/kapacitor/v1/users"
INVALID_JSON = "invalid JSON"
NAME_REQUIRED = "username is required"
PASSWORD_REQUIRED = "password is required"
BAD_NAME = "username must contain only letters, numbers, '-', '.', '@' and '_'. {name}"
NO_USER = "no user exists"
USER_EXISTS = "failed to create user: creating user: user already exists"
UPDATE_MISSING = "failed to create user: updating user: no user exists"
NO_NAME_ON_PATH = "must specify username on path"
BAD_FIELD = 'unsupported field "{field}"'
NOT_ADMIN = "user {name} is not an admin: only admins manage users (a user may change its own password)"

# Kapacitor's ^[-\._\p{L}0-9@]+$
_NAME_CHARS = frozenset("-._@0123456789")
_FIELDS = ("link", "name", "type", "permissions")


def user_json(user: User, fields: tuple[str, ...] = _FIELDS) -> dict[str, Any]:
    values = {
        "link": link(f"{BASE}/{user.name}"),
        "name": user.name,
        "type": user.type,
        "permissions": user.permissions,
    }
    return {f: values[f] for f in _FIELDS if f in fields}


async def _body(request: web.Request) -> dict[str, Any]:
    text = await read_text(request)
    try:
        check_depth(text, "")
        body = json.loads(text)
    except (InvalidError, ValueError):
        raise InvalidError(INVALID_JSON) from None
    if not isinstance(body, dict):
        raise InvalidError(INVALID_JSON)
    return body


def _options(body: dict[str, Any], *, create: bool) -> tuple[str, str, str | None, list[str] | None]:
    """(name, password, type, permissions) of a create or update body; InvalidError "invalid JSON" on bad types."""
    name, password = body.get("name", ""), body.get("password", "")
    kind, perms = body.get("type"), body.get("permissions")
    if not isinstance(name, str) or not isinstance(password, str):
        raise InvalidError(INVALID_JSON)
    if kind is not None and kind not in USER_TYPES:
        raise InvalidError(INVALID_JSON)
    if perms is not None and (not isinstance(perms, list) or any(p not in PERMISSIONS for p in perms)):
        raise InvalidError(INVALID_JSON)
    if create:
        if not name:
            raise InvalidError(NAME_REQUIRED)
        if not all(c.isalpha() or c in _NAME_CHARS for c in name):
            raise InvalidError(BAD_NAME.format(name=json.dumps(name, ensure_ascii=False)))
        if not password:
            raise InvalidError(PASSWORD_REQUIRED)
    return name, password, kind, perms


def _name(request: web.Request) -> str:
    name = request.match_info.get("name", "")
    if not name:
        raise InvalidError(NO_NAME_ON_PATH)
    return name


def _require_admin(request: web.Request, own: str | None = None) -> None:
    """With auth on, user management needs an admin; `own` is a user name the caller may act on as itself.
    (Kapacitor lets any user with the /api/users privilege create admins, so an `api` user could make
    itself one.)"""
    caller = request.get(AUTH_USER)
    if caller is None or caller.admin or (own is not None and caller.name == own):
        return
    raise ForbiddenError(NOT_ADMIN.format(name=caller.name))


async def list_users(request: web.Request) -> web.Response:
    _require_admin(request)
    pattern = request.query.get("pattern", "")
    check_pattern(pattern, f'invalid pattern "{pattern}": ')
    fields = tuple(request.query.getall("fields", [])) or _FIELDS
    for f in fields:
        if f not in _FIELDS:
            raise InvalidError(BAD_FIELD.format(field=f))
    if fields is not _FIELDS:
        fields = (*fields, "name", "link")
    offset, limit = query_int(request, "offset", 0), query_int(request, "limit", 100)
    users = [u for u in await request.app[USERS].list() if not pattern or fnmatch.fnmatchcase(u.name, pattern)]
    return pretty({"users": [user_json(u, fields) for u in page_of(users, offset, limit)]})


async def get_user(request: web.Request) -> web.Response:
    _require_admin(request, own=_name(request))
    user = await request.app[USERS].get(_name(request))
    if user is None:
        raise NotFoundError(NO_USER)
    return pretty(user_json(user))


async def create_user(request: web.Request) -> web.Response:
    _require_admin(request)
    name, password, kind, perms = _options(await _body(request), create=True)
    users = request.app[USERS]
    if await users.get(name) is not None:
        raise ConflictError(USER_EXISTS)
    user = await users.create(name, password, kind == "admin", perms or [])
    return pretty(user_json(user))


async def update_user(request: web.Request) -> web.Response:
    users = request.app[USERS]
    name = _name(request)
    _, password, kind, perms = _options(await _body(request), create=False)
    # Changing one's own password is allowed to anyone; type and permissions only to admins.
    _require_admin(request, own=name if kind is None and perms is None else None)
    current = await users.get(name)
    if current is None:
        raise NotFoundError(UPDATE_MISSING)
    updated = User(current.name, current.password_hash, current.admin, dict(current.privileges))
    if password:
        updated.password_hash = await asyncio.get_running_loop().run_in_executor(None, hash_password, password)
    if perms is not None:
        updated.privileges = privileges_for(perms)
    if kind is not None:
        updated.admin = kind == "admin"
        if updated.admin:
            updated.privileges = {}
    await users.put(updated)
    return pretty(user_json(updated))


async def delete_user(request: web.Request) -> web.Response:
    _require_admin(request)
    await request.app[USERS].delete(_name(request))
    return no_content()


def add(router: web.UrlDispatcher, prefix: str) -> None:
    base = prefix + "/users"
    router.add_get(base, list_users)
    router.add_post(base, create_user)
    router.add_get(base + "/", get_user)
    router.add_get(base + "/{name}", get_user)
    router.add_patch(base + "/{name}", update_user)
    router.add_delete(base + "/{name}", delete_user)

"""The first admin user: created at startup from `[http] admin-user`/`admin-password`, or beforehand with
`tocsin user add`, when the store has none."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from tocsin.auth.directory import UserDirectory
from tocsin.auth.users import User
from tocsin.errors import ConfigError
from tocsin.handlers.base import ConfigView

log = logging.getLogger(__name__)

NO_USERS = (
    "[http] auth-enabled: the store holds no users, so nobody could sign in; create the first admin with "
    '"tocsin user add -config <this file> -type admin <name>" (it asks for the password), or set [http] '
    "admin-user and admin-password (KAPACITOR_HTTP_ADMIN_USER, KAPACITOR_HTTP_ADMIN_PASSWORD)"
)
USER_EXISTS = 'user "{name}" already exists'


async def bootstrap_admin(directory: UserDirectory, config: ConfigView) -> User | None:
    """Create the configured admin when no user exists; ConfigError when none exists and none is configured."""
    http = config.element("http") or {}
    name, password = str(http.get("admin-user") or ""), str(http.get("admin-password") or "")
    if await directory.count():
        if name:
            log.info("[http] admin-user is ignored: the store already holds users")
        return None
    if not name or not password:
        raise ConfigError(NO_USERS)
    user = await directory.create(name, password, True, [])
    log.info("created the admin user %s from [http] admin-user", name)
    return user


async def add_user(directory: UserDirectory, name: str, password: str, admin: bool, permissions: Iterable[str]) -> User:
    """A new user in the store; ConfigError when the name is taken or the password empty."""
    if not name:
        raise ConfigError("a user needs a name")
    if not password:
        raise ConfigError("a user needs a password")
    if await directory.get(name) is not None:
        raise ConfigError(USER_EXISTS.format(name=name))
    return await directory.create(name, password, admin, permissions)

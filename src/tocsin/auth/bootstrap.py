"""The first admin user: created at startup from `[http] admin-user`/`admin-password` when the store has none."""

from __future__ import annotations

import logging

from tocsin.auth.directory import UserDirectory
from tocsin.auth.users import User
from tocsin.errors import ConfigError
from tocsin.handlers.base import ConfigView

log = logging.getLogger(__name__)

NO_USERS = (
    "[http] auth-enabled: the store holds no users, so nobody could sign in; set [http] admin-user and "
    "admin-password (or KAPACITOR_HTTP_ADMIN_USER and KAPACITOR_HTTP_ADMIN_PASSWORD) to create the first admin"
)


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

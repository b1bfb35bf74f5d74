"""Users, Kapacitor's permissions and the resource privileges they grant, and the authorization check."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntFlag
from typing import Any

PERMISSIONS = ("none", "api", "config_api", "write_points", "all")
USER_TYPES = ("normal", "admin")

ROOT = "/api"
WRITE = "/api/write"
PING = "/api/ping"
CONFIG = "/api/config"


class Privilege(IntFlag):
    """Kapacitor's privilege bits (auth.Privilege); ALL is its own bit, as there."""

    NONE = 1
    READ = 2
    WRITE = 4
    DELETE = 8
    ALL = 16

    @property
    def text(self) -> str:
        return {1: "none", 2: "read", 4: "write", 8: "delete", 16: "all"}.get(int(self), "unknown")


_METHOD_PRIVILEGE = {
    # HEAD answers what GET would (its Content-Length too), so it needs what GET needs.
    "HEAD": Privilege.READ,
    "OPTIONS": Privilege.NONE,
    "GET": Privilege.READ,
    "POST": Privilege.WRITE,
    "PATCH": Privilege.WRITE,
    "PUT": Privilege.WRITE,
    "DELETE": Privilege.DELETE,
}


def method_privilege(method: str) -> Privilege:
    """The privilege an HTTP method needs; ALL for a method Kapacitor does not know."""
    return _METHOD_PRIVILEGE.get(method.upper(), Privilege.ALL)


@dataclass(slots=True)
class User:
    name: str
    password_hash: str
    admin: bool = False
    privileges: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "hash": self.password_hash, "admin": self.admin, "privileges": self.privileges}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> User:
        privileges = {str(k): int(v) for k, v in dict(data.get("privileges") or {}).items()}
        return cls(str(data["name"]), str(data.get("hash", "")), bool(data.get("admin")), privileges)

    @property
    def permissions(self) -> list[str]:
        return permissions_of(self.privileges)

    @property
    def type(self) -> str:
        return "admin" if self.admin else "normal"

    def allows(self, resource: str, privilege: Privilege) -> bool:
        """Kapacitor's User.AuthorizeAction: the most specific resource the user holds decides."""
        if privilege is Privilege.NONE or self.admin:
            return True
        current = posixpath.normpath(resource)
        while True:
            mask = self.privileges.get(current)
            if mask is not None:
                return bool(mask & privilege) or mask == Privilege.ALL
            if current == "/":
                return False
            current = posixpath.dirname(current)


def privileges_for(permissions: Iterable[str]) -> dict[str, int]:
    """Kapacitor's convertPermissions; ValueError for an unknown permission."""
    out: dict[str, int] = {}
    for perm in permissions:
        if perm == "none":
            continue
        if perm == "api":
            out[ROOT] = Privilege.ALL
            # Subtractive: api alone grants neither the write path nor the config API.
            out.setdefault(WRITE, Privilege.NONE)
            out.setdefault(CONFIG, Privilege.NONE)
        elif perm == "config_api":
            out[PING] = Privilege.ALL
            out[CONFIG] = Privilege.ALL
        elif perm == "write_points":
            out[PING] = Privilege.ALL
            out[WRITE] = Privilege.ALL
        elif perm == "all":
            out[ROOT] = out[CONFIG] = out[WRITE] = Privilege.ALL
        else:
            raise ValueError(f"unknown permission {perm}")
    return {k: int(v) for k, v in out.items()}


def permissions_of(privileges: Mapping[str, int]) -> list[str]:
    """Kapacitor's convertPrivleges: the permission names a set of privileges amounts to."""

    def has(resource: str) -> bool:
        return privileges.get(resource) == Privilege.ALL

    api, config, write = has(ROOT), has(CONFIG), has(WRITE)
    if api and config and write:
        return ["all"]
    return [name for name, held in (("api", api), ("config_api", config), ("write_points", write)) if held]

"""The users known to this server: kept in the store, cached in memory, with a fast re-check of passwords."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import time
from collections.abc import Iterable

from tocsin.auth.passwords import hash_password, verify_password
from tocsin.auth.users import User, privileges_for
from tocsin.store.base import Store
from tocsin.store.cluster import USERS, Notice

# Kapacitor caches a salted SHA-256 of a verified password for an hour so that each request avoids bcrypt.
CACHE_SECONDS = 3600.0


class UserDirectory:
    """Every user, loaded from the store on first use; writes go to the store first.

    With a store shared by several instances it follows the others' changes (a cluster follower).
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._users: dict[str, User] | None = None
        self._lock = asyncio.Lock()
        self._verified: dict[str, tuple[bytes, bytes, float, str]] = {}

    async def _all(self) -> dict[str, User]:
        if self._users is None:
            async with self._lock:
                if self._users is None:
                    self._users = {u.name: u for u in map(User.from_json, await self.store.load_users())}
        return self._users

    async def get(self, name: str) -> User | None:
        return (await self._all()).get(name)

    async def list(self) -> list[User]:
        users = await self._all()
        return [users[n] for n in sorted(users)]

    async def count(self) -> int:
        return len(await self._all())

    async def authenticate(self, name: str, password: str) -> User | None:
        """The user when `password` is theirs, else None."""
        user = await self.get(name)
        if user is None:
            return None
        cached = self._verified.get(name)
        if cached is not None:
            salt, digest, expires, for_hash = cached
            if (
                for_hash == user.password_hash
                and expires > time.monotonic()
                and hmac.compare_digest(hashlib.sha256(salt + password.encode()).digest(), digest)
            ):
                return user
        ok = await asyncio.get_running_loop().run_in_executor(None, verify_password, password, user.password_hash)
        if not ok:
            self._verified.pop(name, None)
            return None
        salt = os.urandom(16)
        digest = hashlib.sha256(salt + password.encode()).digest()
        self._verified[name] = (salt, digest, time.monotonic() + CACHE_SECONDS, user.password_hash)
        return user

    def notice(self, notice: Notice) -> None:
        """Another instance changed a user: forget the cached users, they are read again on next use."""
        if notice.kind == USERS:
            self._users = None
            self._verified.pop(notice.body, None)

    async def resync(self) -> None:
        """Notices may have been missed: read every user again on next use."""
        self._users = None
        self._verified.clear()

    async def put(self, user: User) -> None:
        await self.store.put_user(user.to_json())
        (await self._all())[user.name] = user
        self._verified.pop(user.name, None)

    async def delete(self, name: str) -> None:
        await self.store.delete_user(name)
        (await self._all()).pop(name, None)
        self._verified.pop(name, None)

    async def create(self, name: str, password: str, admin: bool, permissions: Iterable[str]) -> User:
        """A new user (the caller checks the name is free)."""
        hashed = await asyncio.get_running_loop().run_in_executor(None, hash_password, password)
        user = User(name, hashed, admin, privileges_for(permissions))
        await self.put(user)
        return user

"""The credential InfluxDB writes subscribed points with when `[http] auth-enabled` is true.

As in Kapacitor (services/influxdb/service.go, services/auth/service.go): a token is the base64url (no padding)
of `<cluster name>;<64 random bytes>`; it goes in the destination as the password of the user `~subscriber`;
it grants writing points (`/api/write`), ping, and the subscription's database only; a token no subscription of
the cluster uses any more is revoked.

Unlike Kapacitor, which keeps each token as a user named `_sub:<token>`, Tocsin keeps only the SHA-256 of the
token (a document per grant, shared by every instance on the store), so neither the store, the users API nor
an error text ever holds it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Any

from tocsin.auth.users import PING, WRITE, Privilege, User
from tocsin.influxdb.destinations import SUBSCRIBER
from tocsin.store.base import Store

NAMESPACE = "influxdb_subscription_grants"
TOKEN_BYTES = 64
INVALID_TOKEN = "invalid subscription token"  # Kapacitor's text (services/auth/service.go)
# How long /write trusts a grant it looked up: a token revoked elsewhere stops working within this time.
CACHE_SECONDS = 10.0


def new_token(cluster: str) -> str:
    raw = cluster.encode() + b";" + secrets.token_bytes(TOKEN_BYTES)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def cluster_of(token: str) -> str | None:
    """The cluster name a token was made for; None for something that is not such a token."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except ValueError:
        return None
    name, sep, _ = raw.partition(b";")
    if not sep or not name:
        return None
    return name.decode(errors="replace")


def key_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_for(database: str) -> User:
    """What a subscription token may do (Kapacitor's GrantSubscriptionAccess)."""
    privileges = {WRITE: int(Privilege.WRITE), PING: int(Privilege.ALL), "/databases/" + database: int(Privilege.WRITE)}
    return User(SUBSCRIBER, "", False, privileges)


class Grants:
    """Subscription tokens' grants in the store, by the hash of the token."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._cache: dict[str, tuple[float, User]] = {}

    async def _all(self) -> dict[str, dict[str, Any]]:
        return await self._store.load_documents(NAMESPACE)

    async def grant(self, token: str, cluster: str, subscription: str, database: str, rp: str) -> None:
        doc = {"cluster": cluster, "subscription": subscription, "database": database, "retention_policy": rp}
        await self._store.put_document(NAMESPACE, key_of(token), doc | {"created": time.time()})

    async def valid(self, token: str, cluster: str, subscription: str, database: str, rp: str) -> bool:
        """Whether `token` is granted for exactly this subscription."""
        doc = (await self._all()).get(key_of(token))
        if doc is None:
            return False
        return (doc.get("cluster"), doc.get("subscription"), doc.get("database"), doc.get("retention_policy")) == (
            cluster,
            subscription,
            database,
            rp,
        )

    async def revoke_unused(self, cluster: str, subscription: str, used: set[str]) -> int:
        """Revoke this subscription's grants whose token is not in `used`; the number revoked."""
        keep = {key_of(t) for t in used}
        revoked = 0
        for key, doc in (await self._all()).items():
            if doc.get("cluster") == cluster and doc.get("subscription") == subscription and key not in keep:
                await self._store.delete_document(NAMESPACE, key)
                self._cache.pop(key, None)
                revoked += 1
        return revoked

    async def user(self, token: str) -> User | None:
        """The user a `~subscriber` token authenticates, or None when it is not granted."""
        key, now = key_of(token), time.monotonic()
        cached = self._cache.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        doc = (await self._all()).get(key)
        if doc is None or cluster_of(token) != doc.get("cluster"):
            self._cache.pop(key, None)
            return None
        user = user_for(str(doc.get("database", "")))
        self._cache[key] = (now + CACHE_SECONDS, user)
        return user

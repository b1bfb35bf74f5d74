"""The cluster and server IDs Kapacitor reports (debug vars, alert details' `ServerInfo`), kept across restarts.

Both are UUIDs made on first start and stored. With a store shared by several instances the cluster ID is
shared too, and each instance makes its own server ID at start.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from tocsin.store.base import Store

NAMESPACE = "server"
KEY = "ids"


@dataclass(frozen=True, slots=True)
class Identity:
    cluster_id: str
    server_id: str


def fresh() -> Identity:
    """IDs for an engine that has not loaded its own yet."""
    return Identity(str(uuid.uuid4()), str(uuid.uuid4()))


async def load_identity(store: Store, *, shared: bool) -> Identity:
    """The stored IDs, made and stored on first start."""
    doc = (await store.load_documents(NAMESPACE)).get(KEY)
    if doc is None or not isinstance(doc.get("cluster"), str) or not isinstance(doc.get("server"), str):
        made = fresh()
        doc = {"cluster": made.cluster_id, "server": made.server_id}
        await store.put_document(NAMESPACE, KEY, doc)
    server = str(uuid.uuid4()) if shared else doc["server"]
    return Identity(doc["cluster"], server)

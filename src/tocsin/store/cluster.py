"""The capability of a store that several Tocsin instances share (PostgreSQL), behind one interface.

A store that offers it has a `cluster` attribute; `cluster_of(store)` returns it, or None for a store that
belongs to one instance (SQLite). Nothing outside `tocsin.store` knows which backend is in use: the engine only
asks whether the store is shared, and if so delivers what it claims instead of what it takes in.

Change notices tell an instance what another one changed (`Notice.kind`):
- `outbox`: new pending deliveries (body empty): claim now rather than at the next poll;
- `specs`: topic handler specs changed: reload them;
- `overrides`: the config overrides changed: reload them;
- `topic`: topic `body` was deleted;
- `states`: topic states changed; `body` is a JSON list of `[topic, alert id, state or null]`, or of
  `[topic, alert id, "?"]` for a state too large for a notice (read it with `topic_state`);
- `document`: a document was written or deleted; `body` is `<namespace>\t<key>` (key empty: any key of the
  namespace may have changed), read it with `document`;
- `tasks`: an instance gave back task leases (graceful stop): free tasks may be claimed now.

Task leases: each enabled TICKscript task is run by at most one instance, the one holding its lease
(`hold_tasks`); instances that hold none stand by with the task's handlers attached.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Protocol

from tocsin.store.base import DeliveryRow

OUTBOX = "outbox"
SPECS = "specs"
OVERRIDES = "overrides"
TOPIC = "topic"
STATES = "states"
DOCUMENT = "document"
TASKS = "tasks"
USERS = "users"


@dataclass(frozen=True, slots=True)
class Notice:
    """A change another instance committed."""

    kind: str
    body: str


@dataclass(slots=True)
class Claimed:
    """A pending delivery this instance now holds, with what its handler remembers for the alert ID."""

    row: DeliveryRow
    memo: str | None


class Cluster(Protocol):
    """Claims on the shared outbox, their leases, and change notices between instances."""

    instance: str  # this instance's name in `claimed_by`; unique per process start
    lease: float  # seconds a claim lasts without renewal

    async def claim(self, limit: int, skip: Collection[str] = ()) -> list[Claimed]:
        """Claim per handler (but those in `skip`) at most `limit` pending deliveries nobody else holds, in
        outbox order per alert ID, keeping each (handler, alert ID) on one instance at a time."""
        ...

    async def renew(self) -> set[int]:
        """Extend this instance's live claims; return the ids of the pending deliveries it still holds."""
        ...

    async def release(self) -> None:
        """Give back every pending delivery this instance holds (graceful stop), once queued writes commit."""
        ...

    async def topic_state(self, topic: str, alert_id: str) -> dict[str, Any] | None:
        """The stored state of one alert ID (for notices that could not carry it)."""
        ...

    async def hold_tasks(self, runnable: Collection[str], candidates: Collection[str] | None = None) -> set[str]:
        """Renew this instance's task leases and presence; give up those not in `runnable`; claim free or
        expired tasks of `candidates` (default all of `runnable`) up to this instance's fair share of
        `runnable` among the live instances. Returns the tasks this instance holds now."""
        ...

    async def release_tasks(self) -> None:
        """Give back every task lease and this instance's presence (graceful stop), telling the others."""
        ...

    async def document(self, namespace: str, key: str) -> dict[str, Any] | None:
        """One stored document (for `document` notices), or None when it is gone."""
        ...

    async def topic_states(self, prefix: str) -> list[tuple[str, str, dict[str, Any]]]:
        """The stored states of every topic whose name starts with `prefix`."""
        ...

    async def listen(self, on_notice: Callable[[Notice], None]) -> None:
        """Start receiving other instances' notices; calling it again reconnects."""
        ...

    def listening(self) -> bool:
        """Whether notices arrive (False after the listening connection was lost)."""
        ...

    async def unlisten(self) -> None: ...


def cluster_of(store: object) -> Cluster | None:
    """The store's cluster capability, or None when the store belongs to this instance alone."""
    cluster: Cluster | None = getattr(store, "cluster", None)
    return cluster

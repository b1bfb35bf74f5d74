"""The store interface. Nothing outside `tocsin.store` knows which backend is in use."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Protocol

from tocsin.errors import StoreError


class BackupUnsupported(StoreError):
    """This kind of store is backed up with its own tools (PostgreSQL: pg_dump)."""


class DeliveryStatus(IntEnum):
    PENDING = 0  # waiting for its first attempt or for a retry
    DELIVERED = 1  # the peer confirmed it
    DEAD = 2  # given up: permanent failure, attempts or age exhausted, or handler gone
    SILENCED = 3  # held back by a silence when it was queued: recorded, never sent

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(slots=True)
class TopicStateChange:
    """The new current state of one alert ID in one topic; `state` None removes it from disk."""

    topic: str
    alert_id: str
    state: dict[str, Any] | None


@dataclass(slots=True)
class NewDelivery:
    """One (event, handler) pair to deliver."""

    topic: str
    handler: str
    kind: str
    alert_id: str
    level: int
    event: dict[str, Any]  # Event.to_record()
    created: int  # ns
    status: DeliveryStatus = DeliveryStatus.PENDING  # SILENCED: recorded as finished, never queued
    last_error: str = ""  # for a SILENCED one, which silence held it back


@dataclass(slots=True)
class DeliveryRow:
    """A row of the outbox and delivery log."""

    id: int
    topic: str
    handler: str
    kind: str
    alert_id: str
    level: int
    event: dict[str, Any]
    status: DeliveryStatus
    attempts: int
    last_status: int | None
    last_error: str
    latency_ms: float | None
    created: int
    updated: int
    next_attempt: int | None
    delivered_at: int | None


@dataclass(slots=True)
class AttemptRecord:
    """The outcome of one attempt, written back to the delivery's row."""

    id: int
    status: DeliveryStatus
    attempts: int
    last_status: int | None
    last_error: str
    latency_ms: float | None
    updated: int
    next_attempt: int | None
    delivered_at: int | None


@dataclass(slots=True)
class DeliveryFilter:
    topic: str | None = None
    handler: str | None = None  # a handler key, `topic/id`
    handler_id: str | None = None  # a handler's ID in any topic
    status: DeliveryStatus | None = None
    since: int | None = None  # ns; rows created at or after
    limit: int = 100


class Store(Protocol):
    """Durable state. Every write method returns only once its data is committed."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    # handler specs: {"id", "topic", "kind", "options", "match"}
    async def load_handler_specs(self) -> list[dict[str, Any]]: ...

    async def put_handler_spec(self, spec: dict[str, Any], replaces: tuple[str, str] | None = None) -> None: ...

    async def delete_handler_spec(self, topic: str, handler_id: str) -> None: ...

    # config overrides: one JSON document
    async def load_overrides(self) -> dict[str, Any] | None: ...

    async def save_overrides(self, data: dict[str, Any]) -> None: ...

    # topic states
    async def load_topic_states(self) -> list[tuple[str, str, dict[str, Any]]]: ...

    async def delete_topic(self, topic: str) -> None: ...

    async def commit_intake(self, states: list[TopicStateChange], deliveries: list[NewDelivery]) -> list[int]:
        """Write state changes and new deliveries in one transaction; return the deliveries' ids in order."""
        ...

    # memos: per (handler key, alert ID), what the handler's last answer asked it to remember
    async def load_memos(self) -> dict[tuple[str, str], str]: ...

    async def put_memo(self, handler: str, alert_id: str, memo: str) -> None:
        """Keep `memo` for the pair; an empty memo removes it."""
        ...

    # users of the API (`[http] auth-enabled`): {"name", "hash", "admin", "privileges": {resource: mask}}
    async def load_users(self) -> list[dict[str, Any]]: ...

    async def put_user(self, user: dict[str, Any]) -> None:
        """Create or replace the user named `user["name"]`."""
        ...

    async def delete_user(self, name: str) -> None:
        """Remove a user; deleting an unknown name is not an error."""
        ...

    # documents: tasks, templates and task snapshots, as JSON objects by (namespace, key)
    async def load_documents(self, namespace: str) -> dict[str, dict[str, Any]]:
        """Every document of `namespace` by key."""
        ...

    async def put_document(self, namespace: str, key: str, doc: dict[str, Any]) -> None:
        """Create or replace one document."""
        ...

    async def delete_document(self, namespace: str, key: str) -> None:
        """Remove one document; an unknown key is not an error."""
        ...

    # outbox and delivery log
    async def load_pending(
        self, handler: str | None = None, after_id: int = 0, limit: int | None = None
    ) -> list[DeliveryRow]:
        """Pending deliveries in outbox order, optionally of one handler, after an id, at most `limit`."""
        ...

    async def pending_counts(self) -> dict[str, int]:
        """How many deliveries are pending, per handler key."""
        ...

    def record_attempt(self, record: AttemptRecord) -> None:
        """Queue an attempt's outcome; written with the next group commit (not awaited on the hot path)."""
        ...

    async def backup(self, destination: str) -> None:
        """A consistent copy of the whole store in the new file `destination` (mode 0600); StoreError when this
        kind of store is backed up with its own tools."""
        ...

    async def flush(self) -> None:
        """Wait until every queued write is committed."""
        ...

    async def query_deliveries(self, flt: DeliveryFilter) -> list[DeliveryRow]: ...

    async def get_delivery(self, delivery_id: int) -> DeliveryRow | None: ...

    async def requeue_dead(self, delivery_id: int, now: int) -> DeliveryRow | None:
        """Make a dead delivery pending again (attempts kept); None if it is not dead."""
        ...

    async def purge(self, finished_before: int) -> int:
        """Delete delivered and dead rows last updated before `finished_before`; return how many."""
        ...

    async def outbox_stats(self) -> tuple[int, int | None]:
        """(pending count, creation time of the oldest pending delivery)."""
        ...

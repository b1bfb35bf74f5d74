"""The deliveries table's columns and their conversion, shared by every SQL backend."""

from __future__ import annotations

from typing import Any

import orjson

from tocsin.store.base import AttemptRecord, DeliveryRow, DeliveryStatus

COLUMNS = (
    "id, topic, handler, kind, alert_id, level, event, status, attempts, last_status, last_error, "
    "latency_ms, created, updated, next_attempt, delivered_at"
)


def delivery_row(r: Any) -> DeliveryRow:
    """A `DeliveryRow` from a result row of `COLUMNS` (a tuple or a driver's record)."""
    return DeliveryRow(
        id=r[0],
        topic=r[1],
        handler=r[2],
        kind=r[3],
        alert_id=r[4],
        level=r[5],
        event=orjson.loads(r[6]),
        status=DeliveryStatus(r[7]),
        attempts=r[8],
        last_status=r[9],
        last_error=r[10],
        latency_ms=r[11],
        created=r[12],
        updated=r[13],
        next_attempt=r[14],
        delivered_at=r[15],
    )


def attempt_args(a: AttemptRecord) -> tuple[Any, ...]:
    """An attempt's values in the order of the backends' UPDATE: status, attempts, last_status, last_error,
    latency_ms, updated, next_attempt, delivered_at, then the id."""
    return (
        int(a.status),
        a.attempts,
        a.last_status,
        a.last_error,
        a.latency_ms,
        a.updated,
        a.next_attempt,
        a.delivered_at,
        a.id,
    )

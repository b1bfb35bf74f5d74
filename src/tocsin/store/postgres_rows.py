"""SQL and row conversion for the deliveries table of the PostgreSQL backend."""

from __future__ import annotations

from typing import Any

import orjson

from tocsin.store.base import AttemptRecord, DeliveryRow, DeliveryStatus

COLUMNS = (
    "id, topic, handler, kind, alert_id, level, event, status, attempts, last_status, last_error, "
    "latency_ms, created, updated, next_attempt, delivered_at"
)

# Ids are taken from the sequence first and paired with the input rows by rank, so the k-th smallest new id
# belongs to the k-th delivery whatever order the server evaluates the insert in (the outbox order is id order).
INSERT_DELIVERIES = """
INSERT INTO deliveries (id, topic, handler, kind, alert_id, level, event, created, updated)
SELECT n.id, r.topic, r.handler, r.kind, r.alert_id, r.level, r.event, r.created, r.created
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::bytea[], $7::bigint[])
     WITH ORDINALITY AS r(topic, handler, kind, alert_id, level, event, created, ord)
JOIN (SELECT v AS id, row_number() OVER (ORDER BY v) AS ord
      FROM (SELECT nextval('deliveries_id_seq') AS v FROM generate_series(1, $8::int)) AS s) AS n
  USING (ord)
RETURNING id
"""

ATTEMPT_UPDATE = (
    "UPDATE deliveries SET status = $1, attempts = $2, last_status = $3, last_error = $4, latency_ms = $5, "
    "updated = $6, next_attempt = $7, delivered_at = $8 WHERE id = $9"
)


def attempt_args(a: AttemptRecord) -> tuple[Any, ...]:
    """The parameters of `ATTEMPT_UPDATE` for one attempt."""
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


def delivery_row(r: Any) -> DeliveryRow:
    """A `DeliveryRow` from an asyncpg record of `COLUMNS`."""
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


def row_count(command_tag: str) -> int:
    """The row count at the end of a command tag such as "DELETE 3"."""
    return int(command_tag.rsplit(" ", 1)[-1])

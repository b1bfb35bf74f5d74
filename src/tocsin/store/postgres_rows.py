"""SQL and row conversion for the deliveries table of the PostgreSQL backend."""

from __future__ import annotations

from tocsin.store.rows import COLUMNS, attempt_args, delivery_row

__all__ = ["ATTEMPT_UPDATE", "COLUMNS", "INSERT_DELIVERIES", "attempt_args", "delivery_row", "row_count"]

# Ids are taken from the sequence first and paired with the input rows by rank, so the k-th smallest new id
# belongs to the k-th delivery whatever order the server evaluates the insert in (the outbox order is id order).
INSERT_DELIVERIES = """
INSERT INTO deliveries (id, topic, handler, kind, alert_id, level, event, created, updated, status, last_error)
SELECT n.id, r.topic, r.handler, r.kind, r.alert_id, r.level, r.event, r.created, r.created, r.status, r.last_error
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::bytea[], $7::bigint[], $8::int[],
            $9::text[])
     WITH ORDINALITY AS r(topic, handler, kind, alert_id, level, event, created, status, last_error, ord)
JOIN (SELECT v AS id, row_number() OVER (ORDER BY v) AS ord
      FROM (SELECT nextval('deliveries_id_seq') AS v FROM generate_series(1, $10::int)) AS s) AS n
  USING (ord)
RETURNING id
"""

ATTEMPT_UPDATE = (
    "UPDATE deliveries SET status = $1, attempts = $2, last_status = $3, last_error = $4, latency_ms = $5, "
    "updated = $6, next_attempt = $7, delivered_at = $8 WHERE id = $9"
)


def row_count(command_tag: str) -> int:
    """The row count at the end of a command tag such as "DELETE 3"."""
    return int(command_tag.rsplit(" ", 1)[-1])

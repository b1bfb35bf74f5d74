"""Several instances on one PostgreSQL database: claims with leases on the outbox, and change notices.

Claims. A pending row is held by the instance named in `claimed_by` until `lease_until` (the server's clock,
so instances never compare their own clocks). The rule that keeps order per (handler, alert ID) across
instances: an instance claims rows of a (handler, alert ID) pair only while no other instance holds a live
lease on a pending row of that pair, and it claims them oldest first. So at any moment every live claim of a
pair belongs to one instance, which delivers them in id order, and a pair passes to another instance only
once all its claimed rows are finished (the attempt record committed) or their leases ran out.

Claims and renewals of all instances run one at a time under a transaction advisory lock. That is what makes
the rule above hold: each claim sees every claim committed before it. For the same reason the claim locks its
rows with a plain `FOR UPDATE` rather than `SKIP LOCKED`: no other claimer can hold them, only a short attempt
record can, and skipping an older row of a pair while taking a newer one would break the order.

A claim takes, per handler, up to `limit` rows in whole runs of pairs (ordered by the oldest pending row of
their pair, then by id), so an instance holds few pairs with many rows rather than every pair with one row,
and the others find pairs free; handlers whose lane is full on this instance are skipped, so that a hung
endpoint's backlog never takes the room of another handler.
Renewal extends only leases still live; a row whose lease ran out is given up (another instance may have
claimed it), and attempt records never write a row another instance now holds.

Notices. Writes that others must see send `NOTIFY tocsin` in their own transaction (delivered at commit):
`<instance>\t<kind>\t<body>`, kinds in `tocsin.store.cluster`. A dedicated connection LISTENs.

Task leases are in `postgres_tasks.py`.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import Callable, Collection
from typing import Any

import orjson

from tocsin.store import postgres_tasks
from tocsin.store.cluster import DOCUMENT, STATES, TASKS, Claimed, Notice
from tocsin.store.postgres_rows import COLUMNS, delivery_row

log = logging.getLogger(__name__)

CHANNEL = "tocsin"
# pg_advisory_xact_lock key for claims and renewals ("tocsin" + 2; migrations use + 1).
CLAIM_LOCK = 0x746F6373696E0002
NOTICE_LIMIT = 7000  # bytes of one notice body; the server's limit for a whole payload is 8000
LISTEN_TIMEOUT = 10.0

_CLAIM_COLUMNS = ", ".join(f"u.{c.strip()}" for c in COLUMNS.split(","))

# Per handler, only the oldest WINDOW pending rows are looked at: the per-pair rule above only needs rows older
# than a candidate (claims take each pair's rows oldest first, so a pair's claimed rows precede its unclaimed
# ones), and a plan that never sorts more than the window stays fast with or without table statistics.
WINDOW = 10_000

# $1 instance, $2 rows per handler, $3 lease seconds, $4 window, $5 handlers to skip (lanes full here).
CLAIM = f"""
WITH RECURSIVE handlers(handler) AS (
    (SELECT handler FROM deliveries WHERE status = 0 ORDER BY handler LIMIT 1)
    UNION ALL
    SELECT (SELECT d.handler FROM deliveries d WHERE d.status = 0 AND d.handler > h.handler
            ORDER BY d.handler LIMIT 1)
    FROM handlers h WHERE h.handler IS NOT NULL
),
clock AS (SELECT clock_timestamp() AS now),
win AS (
    SELECT w.* FROM handlers h CROSS JOIN LATERAL (
        SELECT d.id, d.handler, d.alert_id, d.claimed_by, d.lease_until FROM deliveries d
        WHERE d.status = 0 AND d.handler = h.handler ORDER BY d.id LIMIT $4) w
    WHERE h.handler IS NOT NULL AND h.handler <> ALL($5::text[])
),
cand AS (
    SELECT w.id, w.handler, w.claimed_by, w.lease_until,
        min(w.id) OVER pair AS head,
        bool_or(w.claimed_by IS NOT NULL AND w.claimed_by <> $1 AND w.lease_until >= c.now) OVER pair AS busy
    FROM win w, clock c
    WINDOW pair AS (PARTITION BY w.handler, w.alert_id)
),
ranked AS (
    SELECT k.id, row_number() OVER (PARTITION BY k.handler ORDER BY k.head, k.id) AS n
    FROM cand k, clock c
    WHERE NOT k.busy AND (k.claimed_by IS NULL OR k.lease_until < c.now)
),
pick AS (
    SELECT p.id FROM deliveries p, clock c
    WHERE p.id IN (SELECT id FROM ranked WHERE n <= $2)
      AND p.status = 0 AND (p.claimed_by IS NULL OR p.lease_until < c.now)
    ORDER BY p.id
    FOR UPDATE OF p
)
UPDATE deliveries u SET claimed_by = $1, lease_until = clock.now + make_interval(secs => $3)
FROM pick, clock
WHERE u.id = pick.id
RETURNING {_CLAIM_COLUMNS},
    (SELECT m.memo FROM memos m WHERE m.handler = u.handler AND m.alert_id = u.alert_id)
"""

# Rows are locked in id order everywhere (claims, renewals, releases, attempt records): no deadlocks.
RENEW = """
UPDATE deliveries SET lease_until = clock_timestamp() + make_interval(secs => $2)
WHERE id IN (
    SELECT id FROM deliveries
    WHERE claimed_by = $1 AND status = 0 AND lease_until >= clock_timestamp()
    ORDER BY id FOR UPDATE)
RETURNING id
"""

RELEASE = """
UPDATE deliveries SET claimed_by = NULL, lease_until = NULL
WHERE id IN (SELECT id FROM deliveries WHERE claimed_by = $1 AND status = 0 ORDER BY id FOR UPDATE)
"""


# A claim lost in a server crash only leaves rows unclaimed: no need to wait for the WAL flush. Plans are made
# for each run: a plan cached while the outbox was empty (nested loops over seq scans) takes seconds once
# it holds thousands of rows.
_CLAIM_SETTINGS = "SET LOCAL synchronous_commit = off; SET LOCAL plan_cache_mode = force_custom_plan"


def instance_name() -> str:
    """A name for this process that no other instance, now or later, has: host, pid and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def notice(instance: str, kind: str, body: str = "") -> str:
    """The payload of a notice from `instance`."""
    return f"{instance}\t{kind}\t{body}"


def state_notices(instance: str, changes: list[tuple[str, str, bytes | None]]) -> list[str]:
    """Notices carrying topic state changes `(topic, alert id, state blob or None)`, each under the limit."""
    out: list[str] = []
    chunk: list[bytes] = []
    size = 0
    for topic, alert_id, blob in changes:
        item = orjson.dumps([topic, alert_id, None]) if blob is None else _state_item(topic, alert_id, blob)
        if len(item) > NOTICE_LIMIT:
            item = orjson.dumps([topic, alert_id, "?"])
        if chunk and size + len(item) + 1 > NOTICE_LIMIT:
            out.append(notice(instance, STATES, "[" + b",".join(chunk).decode() + "]"))
            chunk, size = [], 0
        chunk.append(item)
        size += len(item) + 1
    if chunk:
        out.append(notice(instance, STATES, "[" + b",".join(chunk).decode() + "]"))
    return out


def document_notice(instance: str, namespace: str, key: str) -> str:
    """The notice of a document write or delete; a key too long for a notice names the whole namespace."""
    body = f"{namespace}\t{key}"
    if len(body.encode()) > NOTICE_LIMIT:
        body = f"{namespace}\t"
    return notice(instance, DOCUMENT, body)


def _state_item(topic: str, alert_id: str, blob: bytes) -> bytes:
    head = orjson.dumps([topic, alert_id])
    return head[:-1] + b"," + blob + b"]"


class PostgresCluster:
    """The `Cluster` capability of a `PostgresStore`."""

    def __init__(self, store: Any, lease: float) -> None:
        self._store = store
        self.instance = instance_name()
        self.lease = lease
        self._listener: Any = None

    async def claim(self, limit: int, skip: Collection[str] = ()) -> list[Claimed]:
        async with self._store.pool.acquire() as conn, conn.transaction():
            await conn.execute(_CLAIM_SETTINGS)
            await conn.execute("SELECT pg_advisory_xact_lock($1)", CLAIM_LOCK)
            rows = await conn.fetch(CLAIM, self.instance, limit, self.lease, WINDOW, list(skip))
        claimed = [Claimed(delivery_row(r), r[16]) for r in rows]
        claimed.sort(key=lambda c: c.row.id)
        return claimed

    async def renew(self) -> set[int]:
        async with self._store.pool.acquire() as conn, conn.transaction():
            await conn.execute(_CLAIM_SETTINGS)
            await conn.execute("SELECT pg_advisory_xact_lock($1)", CLAIM_LOCK)
            rows = await conn.fetch(RENEW, self.instance, self.lease)
        return {r[0] for r in rows}

    async def release(self) -> None:
        payload = notice(self.instance, "outbox")

        async def op(c: Any) -> None:
            await c.execute(RELEASE, self.instance)
            await c.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)

        await self._store.write(op)

    async def topic_state(self, topic: str, alert_id: str) -> dict[str, Any] | None:
        blob = await self._store.pool.fetchval(
            "SELECT state FROM topic_states WHERE topic = $1 AND alert_id = $2", topic, alert_id
        )
        return None if blob is None else dict(orjson.loads(blob))

    async def hold_tasks(self, runnable: Collection[str], candidates: Collection[str] | None = None) -> set[str]:
        async with self._store.pool.acquire() as conn:
            return await postgres_tasks.hold_tasks(conn, self.instance, self.lease, runnable, candidates)

    async def release_tasks(self) -> None:
        payload = notice(self.instance, TASKS)

        async def op(c: Any) -> None:
            await postgres_tasks.release_tasks(c, self.instance)
            await c.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)

        await self._store.write(op)

    async def document(self, namespace: str, key: str) -> dict[str, Any] | None:
        blob = await self._store.pool.fetchval(
            "SELECT data FROM documents WHERE namespace = $1 AND key = $2", namespace, key
        )
        return None if blob is None else dict(orjson.loads(blob))

    async def topic_states(self, prefix: str) -> list[tuple[str, str, dict[str, Any]]]:
        rows = await self._store.pool.fetch(
            "SELECT topic, alert_id, state FROM topic_states WHERE starts_with(topic, $1) ORDER BY topic, alert_id",
            prefix,
        )
        return [(r[0], r[1], dict(orjson.loads(r[2]))) for r in rows]

    async def listen(self, on_notice: Callable[[Notice], None]) -> None:
        import asyncpg  # type: ignore[import-untyped]

        await self.unlisten()

        def receive(_conn: Any, _pid: int, _channel: str, payload: str) -> None:
            sender, _, rest = payload.partition("\t")
            if sender == self.instance:
                return
            kind, _, body = rest.partition("\t")
            try:
                on_notice(Notice(kind, body))
            except Exception:
                log.exception("handling a %s notice from %s failed", kind, sender)

        conn = await asyncpg.connect(self._store.connect_url, timeout=LISTEN_TIMEOUT)
        await conn.add_listener(CHANNEL, receive)
        self._listener = conn

    def listening(self) -> bool:
        return self._listener is not None and not self._listener.is_closed()

    async def unlisten(self) -> None:
        conn, self._listener = self._listener, None
        if conn is not None and not conn.is_closed():
            try:
                await conn.close(timeout=2)
            except Exception:
                conn.terminate()

"""The PostgreSQL backend (asyncpg pool, versioned migrations, group commit on a background task).

Chosen by `[storage] url = "postgresql://user@host:port/db"`; query parameters the driver does not know are
sent as server settings (`?search_path=tocsin` puts the tables in another schema).

Several instances may share one database (`tocsin.store.cluster`, `postgres_cluster.py`): each claims the
pending deliveries it sends, under a lease (`?lease=15s` in the URL sets its length; it is not sent to the
server), and writes that other instances must see send a notice in their transaction (new outbox rows, handler
specs, config overrides, topic states, topic deletions, documents), and each enabled TICKscript task is run
by the instance holding its lease (`postgres_tasks.py`). A store on PostgreSQL always works this way, also
with one instance: it cannot know whether another one starts later.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson

from tocsin.errors import StoreError
from tocsin.gocompat.duration import parse_duration
from tocsin.store.base import (
    AttemptRecord,
    BackupUnsupported,
    DeliveryFilter,
    DeliveryRow,
    NewDelivery,
    TopicStateChange,
)
from tocsin.store.cluster import OUTBOX, OVERRIDES, SPECS, TOPIC, USERS
from tocsin.store.postgres_cluster import CHANNEL, PostgresCluster, document_notice, notice, state_notices
from tocsin.store.postgres_rows import (
    ATTEMPT_UPDATE,
    COLUMNS,
    INSERT_DELIVERIES,
    attempt_args,
    delivery_row,
    row_count,
)
from tocsin.store.postgres_schema import migrate
from tocsin.store.postgres_writer import PostgresWriter

POOL_MIN = 1
POOL_MAX = 6  # the group-commit writer, the claimer and API reads at once
CONNECT_TIMEOUT = 10.0
DEFAULT_LEASE = 15.0  # seconds; a killed instance's claims pass to the others this long after its last renewal
LEASE_PARAM = "lease"
RECORD_RETRY = 1.0  # seconds before attempt records that could not be written are tried again

# Attempt records of a shared store never write a row another instance now holds (its lease ran out here).
ATTEMPT_UPDATE_SHARED = ATTEMPT_UPDATE + " AND (claimed_by IS NULL OR claimed_by = $10)"


def redact(url: str) -> str:
    """`url` without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def split_lease(url: str) -> tuple[str, float]:
    """`url` without its `lease` query parameter, and the lease in seconds (DEFAULT_LEASE when absent)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    found = [v for k, v in query if k == LEASE_PARAM]
    if not found:
        return url, DEFAULT_LEASE
    try:
        lease = parse_duration(found[-1]) / 1e9
    except ValueError as exc:
        raise StoreError(f"[storage] url: invalid lease {found[-1]!r}: {exc}") from None
    if lease < 1:
        raise StoreError(f"[storage] url: lease {found[-1]!r} is shorter than 1s")
    rest = urlencode([(k, v) for k, v in query if k != LEASE_PARAM])
    return urlunsplit(parts._replace(query=rest)), lease


BACKUP_WITH_PG_DUMP = (
    "the PostgreSQL store is backed up with PostgreSQL's tools (pg_dump); tocsin backup copies an SQLite store"
)


class PostgresStore:
    """Store in one PostgreSQL database; several instances may open it (each migrates it safely)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.where = redact(url)
        self.connect_url, lease = split_lease(url)
        self.cluster = PostgresCluster(self, lease)
        self._pool: Any = None
        self._writer = PostgresWriter()
        self._attempts: list[AttemptRecord] = []
        self._writer.batch_hooks.append(self._drain_attempts)
        self.schema_found = 0  # the version the database had before this open migrated it

    async def open(self) -> None:
        try:
            import asyncpg  # type: ignore[import-untyped]
        except ImportError as exc:
            raise StoreError(f"[storage] url {self.where} needs the asyncpg package: {exc}") from exc
        try:
            self._pool = await asyncpg.create_pool(
                self.connect_url,
                min_size=POOL_MIN,
                max_size=POOL_MAX,
                timeout=CONNECT_TIMEOUT,
                server_settings={"application_name": "tocsin"},
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise StoreError(f"cannot open store {self.where}: {exc}") from exc
        try:
            async with self._pool.acquire() as conn:
                self.schema_found = await migrate(conn, self.where)
        except BaseException as exc:
            await self._pool.close()
            if isinstance(exc, asyncpg.PostgresError):
                raise StoreError(f"cannot migrate store {self.where}: {exc}") from exc
            raise
        self._writer.start(self._pool)

    async def close(self) -> None:
        if self._pool is None:
            return
        await self.cluster.unlisten()
        await self._writer.stop()
        await self._pool.close()
        self._pool = None

    @property
    def pool(self) -> Any:
        """The asyncpg pool (for `PostgresCluster`)."""
        return self._pool

    async def write(self, op: Any) -> Any:
        """Run `op` in the next group commit; return its result once committed."""
        return await self._writer.submit(op)

    _write = write

    def _notice(self, kind: str, body: str = "") -> str:
        return notice(self.cluster.instance, kind, body)

    # handler specs

    async def load_handler_specs(self) -> list[dict[str, Any]]:
        rows = await self._pool.fetch("SELECT spec FROM handler_specs ORDER BY topic, id")
        return [orjson.loads(r[0]) for r in rows]

    async def put_handler_spec(self, spec: dict[str, Any], replaces: tuple[str, str] | None = None) -> None:
        data = orjson.dumps(spec)
        payload = self._notice(SPECS)

        async def op(c: Any) -> None:
            if replaces is not None:
                await c.execute("DELETE FROM handler_specs WHERE topic = $1 AND id = $2", *replaces)
            await c.execute(
                "INSERT INTO handler_specs (topic, id, spec) VALUES ($1, $2, $3) "
                "ON CONFLICT (topic, id) DO UPDATE SET spec = EXCLUDED.spec",
                spec["topic"],
                spec["id"],
                data,
            )
            await c.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)

        await self._write(op)

    async def delete_handler_spec(self, topic: str, handler_id: str) -> None:
        payload = self._notice(SPECS)

        async def op(c: Any) -> None:
            await c.execute("DELETE FROM handler_specs WHERE topic = $1 AND id = $2", topic, handler_id)
            await c.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)

        await self._write(op)

    # config overrides

    async def load_overrides(self) -> dict[str, Any] | None:
        blob = await self._pool.fetchval("SELECT data FROM config_overrides WHERE id = 1")
        return None if blob is None else dict(orjson.loads(blob))

    async def save_overrides(self, data: dict[str, Any]) -> None:
        blob = orjson.dumps(data)
        payload = self._notice(OVERRIDES)

        async def op(c: Any) -> None:
            await c.execute(
                "INSERT INTO config_overrides (id, data) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET data = $1", blob
            )
            await c.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)

        await self._write(op)

    # topic states

    async def load_topic_states(self) -> list[tuple[str, str, dict[str, Any]]]:
        rows = await self._pool.fetch("SELECT topic, alert_id, state FROM topic_states ORDER BY topic")
        return [(r[0], r[1], orjson.loads(r[2])) for r in rows]

    async def delete_topic(self, topic: str) -> None:
        payload = self._notice(TOPIC, topic)

        async def op(c: Any) -> None:
            await c.execute("DELETE FROM topic_states WHERE topic = $1", topic)
            await c.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)

        await self._write(op)

    async def commit_intake(self, states: list[TopicStateChange], deliveries: list[NewDelivery]) -> list[int]:
        last: dict[tuple[str, str], dict[str, Any] | None] = {}
        for s in states:  # the last change of an alert in the batch is its state
            last[(s.topic, s.alert_id)] = s.state
        # In key order, so that two instances writing states of the same alert IDs lock them in one order.
        upserts = [(k[0], k[1], orjson.dumps(v)) for k, v in sorted(last.items()) if v is not None]
        deletes = [k for k, v in sorted(last.items()) if v is None]
        notices = state_notices(
            self.cluster.instance, [(u[0], u[1], u[2]) for u in upserts] + [(k[0], k[1], None) for k in deletes]
        )
        if deliveries:
            notices.append(self._notice(OUTBOX))
        encoded: dict[int, bytes] = {}
        for d in deliveries:
            if id(d.event) not in encoded:
                encoded[id(d.event)] = orjson.dumps(d.event)
        columns = (
            [d.topic for d in deliveries],
            [d.handler for d in deliveries],
            [d.kind for d in deliveries],
            [d.alert_id for d in deliveries],
            [d.level for d in deliveries],
            [encoded[id(d.event)] for d in deliveries],
            [d.created for d in deliveries],
            [int(d.status) for d in deliveries],
            [d.last_error for d in deliveries],
        )

        async def op(c: Any) -> list[int]:
            if upserts:
                await c.execute(
                    "INSERT INTO topic_states (topic, alert_id, state) "
                    "SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[]) "
                    "ON CONFLICT (topic, alert_id) DO UPDATE SET state = EXCLUDED.state",
                    *map(list, zip(*upserts, strict=True)),
                )
            if deletes:
                await c.execute(
                    "DELETE FROM topic_states t USING unnest($1::text[], $2::text[]) AS d(topic, alert_id) "
                    "WHERE t.topic = d.topic AND t.alert_id = d.alert_id",
                    *map(list, zip(*deletes, strict=True)),
                )
            if notices:
                await c.execute("SELECT pg_notify($1, n) FROM unnest($2::text[]) AS n", CHANNEL, notices)
            if not deliveries:
                return []
            rows = await c.fetch(INSERT_DELIVERIES, *columns, len(deliveries))
            return sorted(r[0] for r in rows)

        result: list[int] = await self._write(op)
        return result

    # memos

    async def load_memos(self) -> dict[tuple[str, str], str]:
        rows = await self._pool.fetch("SELECT handler, alert_id, memo FROM memos")
        return {(r[0], r[1]): r[2] for r in rows}

    async def put_memo(self, handler: str, alert_id: str, memo: str) -> None:
        if memo:
            sql = (
                "INSERT INTO memos (handler, alert_id, memo) VALUES ($1, $2, $3) "
                "ON CONFLICT (handler, alert_id) DO UPDATE SET memo = EXCLUDED.memo"
            )
            await self._write(lambda c: c.execute(sql, handler, alert_id, memo))
        else:
            sql = "DELETE FROM memos WHERE handler = $1 AND alert_id = $2"
            await self._write(lambda c: c.execute(sql, handler, alert_id))

    # documents (tasks, templates, snapshots)

    async def load_documents(self, namespace: str) -> dict[str, dict[str, Any]]:
        rows = await self._pool.fetch("SELECT key, data FROM documents WHERE namespace = $1 ORDER BY key", namespace)
        return {r[0]: dict(orjson.loads(r[1])) for r in rows}

    async def put_document(self, namespace: str, key: str, doc: dict[str, Any]) -> None:
        sql = (
            "INSERT INTO documents (namespace, key, data) VALUES ($1, $2, $3) "
            "ON CONFLICT (namespace, key) DO UPDATE SET data = EXCLUDED.data"
        )
        blob = orjson.dumps(doc)
        payload = document_notice(self.cluster.instance, namespace, key)

        async def op(c: Any) -> None:
            await c.execute(sql, namespace, key, blob)
            await c.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)

        await self._write(op)

    async def delete_document(self, namespace: str, key: str) -> None:
        sql = "DELETE FROM documents WHERE namespace = $1 AND key = $2"
        payload = document_notice(self.cluster.instance, namespace, key)

        async def op(c: Any) -> None:
            await c.execute(sql, namespace, key)
            await c.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)

        await self._write(op)

    # users

    async def load_users(self) -> list[dict[str, Any]]:
        rows = await self._pool.fetch("SELECT data FROM users ORDER BY name")
        return [dict(orjson.loads(r[0])) for r in rows]

    async def put_user(self, user: dict[str, Any]) -> None:
        name, data = user["name"], orjson.dumps(user)
        sql = "INSERT INTO users (name, data) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET data = EXCLUDED.data"
        payload = self._notice(USERS, name)

        async def op(c: Any) -> None:
            await c.execute(sql, name, data)
            await c.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)

        await self._write(op)

    async def delete_user(self, name: str) -> None:
        payload = self._notice(USERS, name)

        async def op(c: Any) -> None:
            await c.execute("DELETE FROM users WHERE name = $1", name)
            await c.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)

        await self._write(op)

    # outbox and delivery log

    async def load_pending(
        self, handler: str | None = None, after_id: int = 0, limit: int | None = None
    ) -> list[DeliveryRow]:
        args: list[Any] = [after_id]
        q = f"SELECT {COLUMNS} FROM deliveries WHERE status = 0 AND id > $1"
        if handler is not None:
            args.append(handler)
            q += f" AND handler = ${len(args)}"
        q += " ORDER BY id"
        if limit is not None:
            args.append(limit)
            q += f" LIMIT ${len(args)}"
        return [delivery_row(r) for r in await self._pool.fetch(q, *args)]

    async def pending_counts(self) -> dict[str, int]:
        rows = await self._pool.fetch("SELECT handler, COUNT(*) FROM deliveries WHERE status = 0 GROUP BY handler")
        return {r[0]: int(r[1]) for r in rows}

    def record_attempt(self, record: AttemptRecord) -> None:
        first = not self._attempts
        self._attempts.append(record)
        if first:
            self._writer.nudge()

    def _drain_attempts(self) -> Any:
        if not self._attempts:
            return None
        records, self._attempts = self._attempts, []
        me = self.cluster.instance
        # In id order, as claims and renewals lock rows, so that they never deadlock (a stable sort keeps
        # several records of one row in sequence).
        rows = sorted(((*attempt_args(a), me) for a in records), key=lambda r: r[8])

        def failed(_exc: Exception) -> None:
            self._attempts[:0] = records
            asyncio.get_running_loop().call_later(RECORD_RETRY, self._writer.nudge)

        return (lambda c: c.executemany(ATTEMPT_UPDATE_SHARED, rows)), failed

    async def flush(self) -> None:
        await self._writer.submit(None)

    async def backup(self, destination: str) -> None:
        raise BackupUnsupported(BACKUP_WITH_PG_DUMP)

    async def query_deliveries(self, flt: DeliveryFilter) -> list[DeliveryRow]:
        where: list[str] = []
        args: list[Any] = []
        for column, value in (("topic", flt.topic or None), ("handler", flt.handler or None)):
            if value is not None:
                args.append(value)
                where.append(f"{column} = ${len(args)}")
        if flt.handler_id:
            suffix = "/" + flt.handler_id
            args += [len(suffix), suffix]
            where.append(f"right(handler, ${len(args) - 1}) = ${len(args)}")
        if flt.status is not None:
            args.append(int(flt.status))
            where.append(f"status = ${len(args)}")
        if flt.since is not None:
            args.append(flt.since)
            where.append(f"created >= ${len(args)}")
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        args.append(flt.limit)
        q = f"SELECT {COLUMNS} FROM deliveries {clause} ORDER BY id DESC LIMIT ${len(args)}"
        await self.flush()
        return [delivery_row(r) for r in await self._pool.fetch(q, *args)]

    async def get_delivery(self, delivery_id: int) -> DeliveryRow | None:
        await self.flush()
        r = await self._pool.fetchrow(f"SELECT {COLUMNS} FROM deliveries WHERE id = $1", delivery_id)
        return None if r is None else delivery_row(r)

    async def requeue_dead(self, delivery_id: int, now: int) -> DeliveryRow | None:
        sql = (
            "UPDATE deliveries SET status = 0, updated = $1, next_attempt = NULL, claimed_by = NULL, "
            f"lease_until = NULL WHERE id = $2 AND status = 2 RETURNING {COLUMNS}"
        )
        payload = self._notice(OUTBOX)

        async def op(c: Any) -> Any:
            row = await c.fetchrow(sql, now, delivery_id)
            if row is not None:
                await c.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)
            return row

        await self.flush()
        r = await self._write(op)
        return None if r is None else delivery_row(r)

    async def purge(self, finished_before: int) -> int:
        sql = "DELETE FROM deliveries WHERE status <> 0 AND updated < $1"
        return row_count(await self._write(lambda c: c.execute(sql, finished_before)))

    async def outbox_stats(self) -> tuple[int, int | None]:
        r = await self._pool.fetchrow("SELECT COUNT(*), MIN(created) FROM deliveries WHERE status = 0")
        return int(r[0]), r[1]

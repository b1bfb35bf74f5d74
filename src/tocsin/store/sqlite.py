"""The embedded SQLite backend (WAL mode, group commit on a dedicated thread)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from typing import Any

import orjson

from tocsin.errors import StoreError
from tocsin.store.base import (
    AttemptRecord,
    DeliveryFilter,
    DeliveryRow,
    NewDelivery,
    TopicStateChange,
)
from tocsin.store.rows import COLUMNS, attempt_args, delivery_row
from tocsin.store.writer import SqliteWriter

SCHEMA_VERSION = 1
ATTEMPT_GATHER = 0.05  # seconds

_SCHEMA = """
CREATE TABLE IF NOT EXISTS handler_specs (
    topic TEXT NOT NULL, id TEXT NOT NULL, spec TEXT NOT NULL, PRIMARY KEY (topic, id)
);
CREATE TABLE IF NOT EXISTS config_overrides (id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS topic_states (
    topic TEXT NOT NULL, alert_id TEXT NOT NULL, state TEXT NOT NULL, PRIMARY KEY (topic, alert_id)
);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL, handler TEXT NOT NULL, kind TEXT NOT NULL, alert_id TEXT NOT NULL,
    level INTEGER NOT NULL, event BLOB NOT NULL,
    status INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,
    last_status INTEGER, last_error TEXT NOT NULL DEFAULT '', latency_ms REAL,
    created INTEGER NOT NULL, updated INTEGER NOT NULL, next_attempt INTEGER, delivered_at INTEGER
);
CREATE TABLE IF NOT EXISTS memos (
    handler TEXT NOT NULL, alert_id TEXT NOT NULL, memo TEXT NOT NULL, PRIMARY KEY (handler, alert_id)
);
CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    namespace TEXT NOT NULL, key TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (namespace, key)
);
CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries (id) WHERE status = 0;
CREATE INDEX IF NOT EXISTS deliveries_topic ON deliveries (topic, id);
CREATE INDEX IF NOT EXISTS deliveries_handler ON deliveries (handler, id);
CREATE INDEX IF NOT EXISTS deliveries_finished ON deliveries (updated) WHERE status != 0;
"""


class SqliteStore:
    """Store on one SQLite file. `synchronous` "full" survives power loss; "normal" survives process crashes."""

    def __init__(self, path: str, synchronous: str = "full") -> None:
        self.path = path
        self.synchronous = synchronous.upper()
        if self.synchronous not in ("FULL", "NORMAL"):
            raise StoreError(f'[storage] synchronous must be "full" or "normal", got "{synchronous}"')
        self._writer = SqliteWriter(self._connect)
        self._attempts: list[AttemptRecord] = []
        self._attempts_lock = threading.Lock()
        self._draining: list[AttemptRecord] = []  # written in the current batch, not yet committed
        self._writer.batch_hooks.append(self._drain_attempts)
        self._writer.after_batch.append(self._drained)

    def _connect(self) -> sqlite3.Connection:
        directory = os.path.dirname(os.path.abspath(self.path))
        # Only the server's user may read the store (secrets, users' password hashes); SQLite gives the -wal
        # and -shm files the mode of the database file.
        os.makedirs(directory, mode=0o700, exist_ok=True)
        os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY | os.O_CLOEXEC, 0o600))
        os.chmod(self.path, 0o600)
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={self.synchronous}")
        conn.execute("PRAGMA busy_timeout=5000")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"store {self.path} has schema version {version}, newer than this Tocsin ({SCHEMA_VERSION})"
            )
        conn.executescript(_SCHEMA)
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        return conn

    async def open(self) -> None:
        try:
            self._writer.start()
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open store {self.path}: {exc}") from exc

    async def close(self) -> None:
        await self.flush()
        self._writer.stop()

    # handler specs

    async def load_handler_specs(self) -> list[dict[str, Any]]:
        def op(c: sqlite3.Connection) -> list[dict[str, Any]]:
            rows = c.execute("SELECT spec FROM handler_specs ORDER BY topic, id").fetchall()
            return [orjson.loads(r[0]) for r in rows]

        result: list[dict[str, Any]] = await self._writer.submit(op, write=False)
        return result

    async def put_handler_spec(self, spec: dict[str, Any], replaces: tuple[str, str] | None = None) -> None:
        data = orjson.dumps(spec)

        def op(c: sqlite3.Connection) -> None:
            if replaces is not None:
                c.execute("DELETE FROM handler_specs WHERE topic = ? AND id = ?", replaces)
            c.execute(
                "INSERT OR REPLACE INTO handler_specs (topic, id, spec) VALUES (?, ?, ?)",
                (spec["topic"], spec["id"], data),
            )

        await self._writer.submit(op)

    async def delete_handler_spec(self, topic: str, handler_id: str) -> None:
        await self._writer.submit(
            lambda c: c.execute("DELETE FROM handler_specs WHERE topic = ? AND id = ?", (topic, handler_id))
        )

    # config overrides

    async def load_overrides(self) -> dict[str, Any] | None:
        def op(c: sqlite3.Connection) -> dict[str, Any] | None:
            row = c.execute("SELECT data FROM config_overrides WHERE id = 1").fetchone()
            return None if row is None else dict(orjson.loads(row[0]))

        result: dict[str, Any] | None = await self._writer.submit(op, write=False)
        return result

    async def save_overrides(self, data: dict[str, Any]) -> None:
        blob = orjson.dumps(data)
        await self._writer.submit(
            lambda c: c.execute("INSERT OR REPLACE INTO config_overrides (id, data) VALUES (1, ?)", (blob,))
        )

    # topic states

    async def load_topic_states(self) -> list[tuple[str, str, dict[str, Any]]]:
        def op(c: sqlite3.Connection) -> list[tuple[str, str, dict[str, Any]]]:
            rows = c.execute("SELECT topic, alert_id, state FROM topic_states ORDER BY topic").fetchall()
            return [(r[0], r[1], orjson.loads(r[2])) for r in rows]

        result: list[tuple[str, str, dict[str, Any]]] = await self._writer.submit(op, write=False)
        return result

    async def delete_topic(self, topic: str) -> None:
        await self._writer.submit(lambda c: c.execute("DELETE FROM topic_states WHERE topic = ?", (topic,)))

    async def commit_intake(self, states: list[TopicStateChange], deliveries: list[NewDelivery]) -> list[int]:
        # Only the last change per alert counts (an OK then a CRITICAL in one intake leaves the CRITICAL).
        last = {(s.topic, s.alert_id): s.state for s in states}
        upserts = [(t, a, orjson.dumps(state)) for (t, a), state in last.items() if state is not None]
        deletes = [(t, a) for (t, a), state in last.items() if state is None]
        encoded: dict[int, bytes] = {}
        rows = []
        for d in deliveries:
            key = id(d.event)
            blob = encoded.get(key)
            if blob is None:
                blob = encoded[key] = orjson.dumps(d.event)
            rows.append(
                (d.topic, d.handler, d.kind, d.alert_id, d.level, blob, d.created, d.created, d.status, d.last_error)
            )

        def op(c: sqlite3.Connection) -> list[int]:
            if upserts:
                c.executemany("INSERT OR REPLACE INTO topic_states (topic, alert_id, state) VALUES (?, ?, ?)", upserts)
            if deletes:
                c.executemany("DELETE FROM topic_states WHERE topic = ? AND alert_id = ?", deletes)
            if not rows:
                return []
            # The write transaction is exclusive and AUTOINCREMENT hands out seq+1, seq+2, ... in order,
            # so the ids of one executemany are known without a round trip per row.
            seq = c.execute("SELECT seq FROM sqlite_sequence WHERE name = 'deliveries'").fetchone()
            first = (seq[0] if seq else 0) + 1
            c.executemany(
                "INSERT INTO deliveries (topic, handler, kind, alert_id, level, event, created, updated, status, "
                "last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            return list(range(first, first + len(rows)))

        result: list[int] = await self._writer.submit(op)
        return result

    # memos: what a handler remembers per alert between deliveries (a Slack thread ts)

    async def load_memos(self) -> dict[tuple[str, str], str]:
        def op(c: sqlite3.Connection) -> dict[tuple[str, str], str]:
            return {(r[0], r[1]): r[2] for r in c.execute("SELECT handler, alert_id, memo FROM memos")}

        result: dict[tuple[str, str], str] = await self._writer.submit(op, write=False)
        return result

    async def put_memo(self, handler: str, alert_id: str, memo: str) -> None:
        def op(c: sqlite3.Connection) -> None:
            if memo:
                c.execute(
                    "INSERT OR REPLACE INTO memos (handler, alert_id, memo) VALUES (?, ?, ?)", (handler, alert_id, memo)
                )
            else:
                c.execute("DELETE FROM memos WHERE handler = ? AND alert_id = ?", (handler, alert_id))

        await self._writer.submit(op)

    # users of the API

    async def load_users(self) -> list[dict[str, Any]]:
        def op(c: sqlite3.Connection) -> list[dict[str, Any]]:
            return [dict(orjson.loads(r[0])) for r in c.execute("SELECT data FROM users ORDER BY name")]

        result: list[dict[str, Any]] = await self._writer.submit(op, write=False)
        return result

    async def put_user(self, user: dict[str, Any]) -> None:
        row = (user["name"], orjson.dumps(user))
        await self._writer.submit(lambda c: c.execute("INSERT OR REPLACE INTO users (name, data) VALUES (?, ?)", row))

    async def delete_user(self, name: str) -> None:
        await self._writer.submit(lambda c: c.execute("DELETE FROM users WHERE name = ?", (name,)))

    # documents (tasks, templates, snapshots)

    async def load_documents(self, namespace: str) -> dict[str, dict[str, Any]]:
        def op(c: sqlite3.Connection) -> dict[str, dict[str, Any]]:
            sql = "SELECT key, data FROM documents WHERE namespace = ? ORDER BY key"
            return {r[0]: dict(orjson.loads(r[1])) for r in c.execute(sql, (namespace,))}

        result: dict[str, dict[str, Any]] = await self._writer.submit(op, write=False)
        return result

    async def put_document(self, namespace: str, key: str, doc: dict[str, Any]) -> None:
        row = (namespace, key, orjson.dumps(doc))
        await self._writer.submit(
            lambda c: c.execute("INSERT OR REPLACE INTO documents (namespace, key, data) VALUES (?, ?, ?)", row)
        )

    async def delete_document(self, namespace: str, key: str) -> None:
        row = (namespace, key)
        await self._writer.submit(lambda c: c.execute("DELETE FROM documents WHERE namespace = ? AND key = ?", row))

    # outbox and delivery log

    async def load_pending(
        self, handler: str | None = None, after_id: int = 0, limit: int | None = None
    ) -> list[DeliveryRow]:
        where = "status = 0 AND id > ?" + (" AND handler = ?" if handler is not None else "")
        args: list[Any] = [after_id] + ([handler] if handler is not None else [])
        q = f"SELECT {COLUMNS} FROM deliveries WHERE {where} ORDER BY id"
        if limit is not None:
            q += " LIMIT ?"
            args.append(limit)

        def op(c: sqlite3.Connection) -> list[DeliveryRow]:
            return [delivery_row(r) for r in c.execute(q, args).fetchall()]

        result: list[DeliveryRow] = await self._writer.submit(op, write=False)
        return result

    async def pending_counts(self) -> dict[str, int]:
        def op(c: sqlite3.Connection) -> dict[str, int]:
            rows = c.execute("SELECT handler, COUNT(*) FROM deliveries WHERE status = 0 GROUP BY handler")
            return {r[0]: int(r[1]) for r in rows.fetchall()}

        result: dict[str, int] = await self._writer.submit(op, write=False)
        return result

    def record_attempt(self, record: AttemptRecord) -> None:
        with self._attempts_lock:
            first = not self._attempts
            self._attempts.append(record)
        if first:
            # Outcomes need not be durable at once (a lost one means a resend): gather them for a moment, so
            # a busy outbox commits them in a few large transactions rather than one fsync per delivery.
            asyncio.get_running_loop().call_later(ATTEMPT_GATHER, self._writer.nudge)

    def _drain_attempts(self, c: sqlite3.Connection) -> None:
        # Runs on the writer thread, while the event loop keeps appending.
        with self._attempts_lock:
            pending, self._attempts = self._attempts, []
        self._draining = pending
        if not pending:
            return
        c.executemany(
            "UPDATE deliveries SET status = ?, attempts = ?, last_status = ?, last_error = ?, latency_ms = ?, "
            "updated = ?, next_attempt = ?, delivered_at = ? WHERE id = ?",
            [attempt_args(a) for a in pending],
        )

    def _drained(self, committed: bool) -> None:
        # A failed batch rolled these back: keep them, ahead of newer records for the same rows.
        if not committed and self._draining:
            with self._attempts_lock:
                self._attempts[:0] = self._draining
        self._draining = []

    async def flush(self) -> None:
        await self._writer.submit(lambda c: None)

    async def backup(self, destination: str) -> None:
        """SQLite's online backup, on the writer's connection: the copy holds every committed write before it."""

        def op(c: sqlite3.Connection) -> None:
            os.close(os.open(destination, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC, 0o600))
            target = sqlite3.connect(destination)
            try:
                c.backup(target)
            finally:
                target.close()

        try:
            await self._writer.submit(op, write=False)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"backup to {destination} failed: {exc}") from exc

    async def query_deliveries(self, flt: DeliveryFilter) -> list[DeliveryRow]:
        where: list[str] = []
        args: list[Any] = []
        if flt.topic:
            where.append("topic = ?")
            args.append(flt.topic)
        if flt.handler:
            where.append("handler = ?")
            args.append(flt.handler)
        if flt.handler_id:
            suffix = "/" + flt.handler_id
            where.append("substr(handler, ?) = ?")
            args += [-len(suffix), suffix]
        if flt.status is not None:
            where.append("status = ?")
            args.append(int(flt.status))
        if flt.since is not None:
            where.append("created >= ?")
            args.append(flt.since)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        q = f"SELECT {COLUMNS} FROM deliveries {clause} ORDER BY id DESC LIMIT ?"
        args.append(flt.limit)

        def op(c: sqlite3.Connection) -> list[DeliveryRow]:
            return [delivery_row(r) for r in c.execute(q, args).fetchall()]

        await self.flush()
        result: list[DeliveryRow] = await self._writer.submit(op, write=False)
        return result

    async def get_delivery(self, delivery_id: int) -> DeliveryRow | None:
        def op(c: sqlite3.Connection) -> DeliveryRow | None:
            r = c.execute(f"SELECT {COLUMNS} FROM deliveries WHERE id = ?", (delivery_id,)).fetchone()
            return None if r is None else delivery_row(r)

        await self.flush()
        result: DeliveryRow | None = await self._writer.submit(op, write=False)
        return result

    async def requeue_dead(self, delivery_id: int, now: int) -> DeliveryRow | None:
        def op(c: sqlite3.Connection) -> DeliveryRow | None:
            cur = c.execute(
                "UPDATE deliveries SET status = 0, updated = ?, next_attempt = NULL WHERE id = ? AND status = 2",
                (now, delivery_id),
            )
            if cur.rowcount == 0:
                return None
            r = c.execute(f"SELECT {COLUMNS} FROM deliveries WHERE id = ?", (delivery_id,)).fetchone()
            return delivery_row(r)

        await self.flush()
        result: DeliveryRow | None = await self._writer.submit(op)
        return result

    async def purge(self, finished_before: int) -> int:
        def op(c: sqlite3.Connection) -> int:
            cur = c.execute("DELETE FROM deliveries WHERE status != 0 AND updated < ?", (finished_before,))
            return cur.rowcount

        result: int = await self._writer.submit(op)
        return result

    async def outbox_stats(self) -> tuple[int, int | None]:
        def op(c: sqlite3.Connection) -> tuple[int, int | None]:
            row = c.execute("SELECT COUNT(*), MIN(created) FROM deliveries WHERE status = 0").fetchone()
            return int(row[0]), row[1]

        result: tuple[int, int | None] = await self._writer.submit(op, write=False)
        return result

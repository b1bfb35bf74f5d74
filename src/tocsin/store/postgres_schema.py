"""Versioned schema migrations of the PostgreSQL backend, applied at start under an advisory lock.

Every instance that starts runs `migrate`; the transaction-scoped advisory lock makes concurrent starts apply
each migration exactly once (the others wait, then find the version already recorded). Migrations are append
only: a released version is never edited, a change is a new version.
"""

from __future__ import annotations

from typing import Any

from tocsin.errors import StoreError

# pg_advisory_xact_lock key: any fixed 64-bit number no other application on the database uses ("tocsin" + 1).
MIGRATION_LOCK = 0x746F6373696E0001

# Event and document blobs are BYTEA holding orjson output: they come back byte for byte (key order, "\u0000"
# escapes that JSONB rejects), and the server never parses them on the intake path.
MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
CREATE TABLE handler_specs (
    topic TEXT NOT NULL, id TEXT NOT NULL, spec BYTEA NOT NULL, PRIMARY KEY (topic, id)
);
CREATE TABLE config_overrides (id INTEGER PRIMARY KEY CHECK (id = 1), data BYTEA NOT NULL);
CREATE TABLE topic_states (
    topic TEXT NOT NULL, alert_id TEXT NOT NULL, state BYTEA NOT NULL, PRIMARY KEY (topic, alert_id)
);
CREATE TABLE deliveries (
    id BIGSERIAL PRIMARY KEY,
    topic TEXT NOT NULL, handler TEXT NOT NULL, kind TEXT NOT NULL, alert_id TEXT NOT NULL,
    level INTEGER NOT NULL, event BYTEA NOT NULL,
    status SMALLINT NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,
    last_status INTEGER, last_error TEXT NOT NULL DEFAULT '', latency_ms DOUBLE PRECISION,
    created BIGINT NOT NULL, updated BIGINT NOT NULL, next_attempt BIGINT, delivered_at BIGINT
);
CREATE TABLE memos (
    handler TEXT NOT NULL, alert_id TEXT NOT NULL, memo TEXT NOT NULL, PRIMARY KEY (handler, alert_id)
);
CREATE TABLE users (name TEXT PRIMARY KEY, data BYTEA NOT NULL);
CREATE INDEX deliveries_pending ON deliveries (id) WHERE status = 0;
CREATE INDEX deliveries_pending_handler ON deliveries (handler, id) WHERE status = 0;
CREATE INDEX deliveries_topic ON deliveries (topic, id);
CREATE INDEX deliveries_handler ON deliveries (handler, id);
CREATE INDEX deliveries_finished ON deliveries (updated) WHERE status <> 0;
""",
    ),
    (
        2,
        """
CREATE TABLE documents (
    namespace TEXT NOT NULL, key TEXT NOT NULL, data BYTEA NOT NULL, PRIMARY KEY (namespace, key)
);
""",
    ),
    (
        3,
        # Scale-out (postgres_cluster.py): which instance holds a pending row and until when (server clock).
        """
ALTER TABLE deliveries ADD COLUMN claimed_by TEXT, ADD COLUMN lease_until TIMESTAMPTZ;
CREATE INDEX deliveries_pending_alert ON deliveries (handler, alert_id, id) WHERE status = 0;
""",
    ),
    (
        4,
        # Task leases (postgres_tasks.py): which instance runs each task until when, and which are alive.
        """
CREATE TABLE instances (name TEXT PRIMARY KEY, lease_until TIMESTAMPTZ NOT NULL);
CREATE TABLE task_leases (task TEXT PRIMARY KEY, owner TEXT NOT NULL, lease_until TIMESTAMPTZ NOT NULL);
CREATE INDEX task_leases_owner ON task_leases (owner);
""",
    ),
]

LATEST_VERSION = MIGRATIONS[-1][0]

_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY, applied TIMESTAMPTZ NOT NULL DEFAULT now()
)
"""


async def migrate(conn: Any, where: str) -> int:
    """Bring the database on `conn` (an asyncpg connection) to `LATEST_VERSION`; return the version found."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        await conn.execute(_VERSION_TABLE)
        found = int(await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_version"))
        if found > LATEST_VERSION:
            raise StoreError(f"store {where} has schema version {found}, newer than this Tocsin ({LATEST_VERSION})")
        for version, script in MIGRATIONS:
            if version > found:
                await conn.execute(script)
                await conn.execute("INSERT INTO schema_version (version) VALUES ($1)", version)
    return found

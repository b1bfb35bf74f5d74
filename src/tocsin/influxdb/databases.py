"""Creating a database as Kapacitor's influxDBOut `.create()` does: `CREATE DATABASE ... WITH NAME <rp>`."""

from __future__ import annotations

from tocsin.influxdb.client import InfluxClient, InfluxDBError
from tocsin.influxdb.querytext import quote_ident


async def create_database(client: InfluxClient, database: str, retention_policy: str = "") -> None:
    """Create `database` (with `retention_policy` as its default); when it exists with other policies, add ours."""
    statement = f"CREATE DATABASE {quote_ident(database)}"
    if retention_policy:
        statement += f" WITH NAME {quote_ident(retention_policy)}"
    try:
        await client.execute(statement)
    except InfluxDBError as exc:
        if not retention_policy or exc.retryable:
            raise
        await client.execute(
            f"CREATE RETENTION POLICY {quote_ident(retention_policy)} ON {quote_ident(database)} "
            "DURATION INF REPLICATION 1"
        )

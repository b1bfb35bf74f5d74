"""The statistics as line protocol, and the database they go to (created as Kapacitor's influxDBOut creates one)."""

from __future__ import annotations

from tocsin.influxdb.client import InfluxClient, InfluxDBError
from tocsin.influxdb.querytext import quote_ident
from tocsin.lineprotocol.encode import line
from tocsin.stats.gather import Statistic


def encode(stats: list[Statistic], time_ns: int) -> bytes:
    """One line per statistic, all at `time_ns`; a statistic with no value is left out, as Kapacitor does."""
    lines = [text for s in stats if (text := line(s.name, s.tags, s.values, time_ns, "ns")) is not None]
    return "".join(text + "\n" for text in lines).encode()


async def create_database(client: InfluxClient, database: str, retention_policy: str) -> None:
    """`CREATE DATABASE ... WITH NAME <rp>`; when the database exists with other policies, add ours to it."""
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

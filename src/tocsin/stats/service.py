"""`[stats]`: every `stats-interval`, Tocsin's statistics go into its own stream and to the default InfluxDB cluster.

As Kapacitor's, they are points of `database`.`retention-policy` (`_kapacitor`.`autogen`) in the stream, for tasks
that read them; Kapacitor needs such a task with `influxDBOut()` to store them, Tocsin also writes them to the
default `[[influxdb]]` cluster itself, with the measurements, tags and fields Kapacitor's statistics have
(tocsin.stats.gather). Without an enabled cluster they are only in the stream and at /kapacitor/v1/debug/vars.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING

from tocsin.gocompat.duration import format_duration
from tocsin.influxdb.client import InfluxDBError
from tocsin.influxdb.clusters import Clusters
from tocsin.influxdb.databases import create_database
from tocsin.stats.gather import gather
from tocsin.stats.write import encode, points

if TYPE_CHECKING:
    from tocsin.engine.engine import Engine
    from tocsin.tasks.service import TaskService

log = logging.getLogger(__name__)

NO_CLUSTER = "no InfluxDB cluster is enabled: the statistics are only served at /kapacitor/v1/debug/vars"


class StatsService:
    """Writes the statistics every `stats-interval` to the default cluster."""

    def __init__(self, engine: Engine, tasks: TaskService, clusters: Clusters) -> None:
        self.engine = engine
        self.tasks = tasks
        self.clusters = clusters
        self._loop: asyncio.Task[None] | None = None
        self._told_no_cluster = False
        self._created: tuple[str, str, str] | None = None  # (cluster, database, rp) made sure of

    async def open(self) -> None:
        if self.engine.config.get("stats", "enabled"):
            self._loop = asyncio.create_task(self._run(), name="tocsin-stats")

    async def close(self) -> None:
        loop, self._loop = self._loop, None
        if loop is not None:
            loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await loop

    async def _run(self) -> None:
        interval = int(self.engine.config.get("stats", "stats-interval"))
        while True:
            await asyncio.sleep(interval / 1e9)
            try:
                await self.report()
            except Exception:
                log.exception("gathering the statistics failed")

    async def report(self) -> bool:
        """Gather the statistics once, hand them to the tasks, and write them to InfluxDB; whether they were
        written there (a failure is logged)."""
        config = self.engine.config
        database = str(config.get("stats", "database"))
        retention_policy = str(config.get("stats", "retention-policy"))
        stats = gather(self.engine, self.tasks)
        now = time.time_ns()
        await self.engine.write_points(points(stats, now, database, retention_policy))
        try:
            cluster = self.clusters.default_name()
        except InfluxDBError:
            if not self._told_no_cluster:
                log.info(NO_CLUSTER)
                self._told_no_cluster = True
            return False
        self._told_no_cluster = False
        try:
            client = self.clusters.client(cluster)
            target = (cluster, database, retention_policy)
            if self._created != target:
                await self._create(cluster, database, retention_policy)
            lines = encode(stats, now)
            await client.write(
                lines, database=database, retention_policy=retention_policy, precision="ns", consistency=""
            )
        except InfluxDBError as exc:
            # InfluxDB may come back without the database (a fresh one): make sure of it again next time.
            self._created = None
            every = format_duration(int(config.get("stats", "stats-interval")))
            log.warning(
                "writing the statistics to InfluxDB cluster %r failed (tried again in %s): %s", cluster, every, exc
            )
            return False
        return True

    async def _create(self, cluster: str, database: str, retention_policy: str) -> None:
        try:
            await create_database(self.clusters.client(cluster), database, retention_policy)
        except InfluxDBError as exc:
            if exc.retryable:
                raise
            # The user may not create databases while the database exists: the write says whether it does.
            log.warning("creating database %r on InfluxDB cluster %r failed: %s", database, cluster, exc)
        self._created = (cluster, database, retention_policy)

"""`[stats]`: Tocsin's internal statistics written to InfluxDB as Kapacitor's are (stub: being built)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tocsin.influxdb.clusters import Clusters

if TYPE_CHECKING:
    from tocsin.engine.engine import Engine
    from tocsin.tasks.service import TaskService


class StatsService:
    """Writes the statistics every `stats-interval` to the default cluster."""

    def __init__(self, engine: Engine, tasks: TaskService, clusters: Clusters) -> None:
        self.engine = engine
        self.tasks = tasks
        self.clusters = clusters

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        return None

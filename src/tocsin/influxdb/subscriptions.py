"""InfluxDB subscriptions managed as Kapacitor manages them (stub: being built)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tocsin.influxdb.clusters import Clusters

if TYPE_CHECKING:
    from tocsin.engine.engine import Engine


class SubscriptionService:
    """Creates, fixes and drops this server's subscriptions on every enabled cluster."""

    def __init__(self, engine: Engine, clusters: Clusters) -> None:
        self.engine = engine
        self.clusters = clusters

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        return None

"""Assembles the engine with the TICKscript task side and the InfluxDB services: the one place that knows all.

The engine imports no task code; the task service depends on the engine. Whoever starts Tocsin (the
server, tests, benchmarks) calls `assemble`, and the API finds the task service with `tasks_of`.
Services open in the order attached and close in reverse: the clusters' clients close last.
"""

from __future__ import annotations

from typing import Any

from tocsin.config.loader import FileConfig
from tocsin.engine.engine import Engine
from tocsin.influxdb.clusters import Clusters
from tocsin.influxdb.service_test import SERVICE_TEST as INFLUXDB_TEST
from tocsin.influxdb.subscriptions import SubscriptionService
from tocsin.metrics import Metrics
from tocsin.stats.service import StatsService
from tocsin.store.base import Store
from tocsin.tasks.load import LoadService
from tocsin.tasks.service import TaskService
from tocsin.transports import Transports


class _LiveConfig:
    """The engine's effective config as it is now (the config API replaces it)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def section(self, name: str) -> list[dict[str, Any]]:
        return self._engine.config.section(name)


class _ClusterClients:
    """Closes the clusters' clients when the engine stops."""

    def __init__(self, clusters: Clusters) -> None:
        self.clusters = clusters

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        await self.clusters.close()


def assemble(
    base: FileConfig, store: Store, *, transports: Transports | None = None, metrics: Metrics | None = None
) -> Engine:
    """An engine with its task service attached (written points go to the running tasks)."""
    engine = Engine(base, store, transports=transports, metrics=metrics)
    engine.add_service_test(INFLUXDB_TEST)
    clusters = Clusters(_LiveConfig(engine))
    engine.attach(_ClusterClients(clusters))
    tasks = TaskService(engine, clusters)
    engine.attach(tasks, points=tasks)
    engine.attach(LoadService(engine, tasks))
    engine.attach(SubscriptionService(engine, clusters))
    engine.attach(StatsService(engine, tasks, clusters))
    return engine


def tasks_of(engine: Engine) -> TaskService:
    """The task service `assemble` attached; LookupError for an engine assembled without one."""
    return engine.service_of(TaskService)


def clusters_of(engine: Engine) -> Clusters:
    """The InfluxDB clusters `assemble` attached; LookupError for an engine assembled without them."""
    return engine.service_of(_ClusterClients).clusters


def load_of(engine: Engine) -> LoadService:
    """The `[load]` service `assemble` attached; LookupError for an engine assembled without it."""
    return engine.service_of(LoadService)

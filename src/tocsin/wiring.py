"""Assembles the engine with the TICKscript task side: the one place that knows both.

The engine imports no task code; the task service depends on the engine. Whoever starts Tocsin (the
server, tests, benchmarks) calls `assemble`, and the API finds the task service with `tasks_of`.
"""

from __future__ import annotations

from tocsin.config.loader import FileConfig
from tocsin.engine.engine import Engine
from tocsin.metrics import Metrics
from tocsin.store.base import Store
from tocsin.tasks.service import TaskService
from tocsin.transports import Transports


def assemble(
    base: FileConfig, store: Store, *, transports: Transports | None = None, metrics: Metrics | None = None
) -> Engine:
    """An engine with its task service attached (written points go to the running tasks)."""
    engine = Engine(base, store, transports=transports, metrics=metrics)
    tasks = TaskService(engine)
    engine.attach(tasks, points=tasks)
    return engine


def tasks_of(engine: Engine) -> TaskService:
    """The task service `assemble` attached; LookupError for an engine assembled without one."""
    for service in engine.services:
        if isinstance(service, TaskService):
            return service
    raise LookupError("this engine runs no task service")

"""`[load]`: tasks, templates and topic handlers read from a directory at start (stub: being built)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tocsin.engine.engine import Engine
    from tocsin.tasks.service import TaskService


class LoadService:
    """Loads `[load] dir` once the task service has opened."""

    def __init__(self, engine: Engine, tasks: TaskService) -> None:
        self.engine = engine
        self.tasks = tasks

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        return None

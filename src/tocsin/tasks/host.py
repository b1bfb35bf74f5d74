"""What the task and template operations, the follower and the ownership need of the task service.

`TaskService` (tasks/service.py) satisfies it; the modules it is built from name only this Protocol, so
none of them imports the service that imports them.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Protocol

from tocsin.tasks.records import TaskRecord, TemplateRecord
from tocsin.tasks.runtime import TaskRuntime

if TYPE_CHECKING:
    from tocsin.engine.engine import Engine


class TaskHost(Protocol):
    """Stored tasks and templates, the running tasks, and the calls that change them."""

    engine: Engine
    runtime: TaskRuntime
    tasks: dict[str, TaskRecord]
    templates: dict[str, TemplateRecord]
    api_lock: asyncio.Lock

    async def save_task(self, rec: TaskRecord) -> None: ...

    async def drop_task(self, task_id: str) -> None: ...

    async def save_template(self, rec: TemplateRecord) -> None: ...

    async def drop_template(self, template_id: str) -> None: ...

    def task(self, task_id: str) -> TaskRecord: ...

    def template(self, template_id: str) -> TemplateRecord: ...

    async def start(self, rec: TaskRecord) -> str: ...

    async def stop(self, task_id: str) -> None: ...

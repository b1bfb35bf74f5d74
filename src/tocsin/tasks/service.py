"""The tasks and templates service: stored definitions, their API, and the running tasks behind /write."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from tocsin.engine.errors import UnavailableError
from tocsin.influxdb.clusters import Clusters
from tocsin.points import Point
from tocsin.tasks import scripts, task_ops, template_ops
from tocsin.tasks.errors import NO_TASK, NO_TEMPLATE, TaskApiError
from tocsin.tasks.ownership import TaskOwnership
from tocsin.tasks.recordings import Recordings
from tocsin.tasks.records import TASKS_NS, TEMPLATES_NS, TaskRecord, TemplateRecord
from tocsin.tasks.runtime import TaskRuntime

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from tocsin.engine.engine import Engine


class TaskService:
    """Tasks and templates (a `PointSink` and an engine service): the API lives in task_ops/template_ops."""

    def __init__(self, engine: Engine, clusters: Clusters | None = None) -> None:
        self.engine = engine
        self.runtime = TaskRuntime(engine, clusters)
        self.recordings = Recordings(self)  # recordings and replays (tasks/recordings.py)
        self.tasks: dict[str, TaskRecord] = {}
        self.templates: dict[str, TemplateRecord] = {}
        # API changes run one at a time: each reads, checks, stores and starts without interleaving.
        self.api_lock = asyncio.Lock()
        # scale-out: with a shared store, run only the tasks this instance holds a lease on (tasks/ownership.py)
        self.ownership = TaskOwnership.for_service(self)

    # lifecycle

    async def open(self) -> None:
        """Load tasks and templates and start the enabled tasks (a failure goes into the task's error)."""
        store = self.engine.store
        self.templates = {k: TemplateRecord.from_doc(d) for k, d in (await store.load_documents(TEMPLATES_NS)).items()}
        self.tasks = {k: TaskRecord.from_doc(d) for k, d in (await store.load_documents(TASKS_NS)).items()}
        for task_id in sorted(self.tasks):
            rec = self.tasks[task_id]
            if rec.enabled:
                error = await self.start(rec)
                if error:
                    log.error("failed to start enabled task %s: %s", task_id, error)
        if self.ownership is not None:  # scale-out: claim a share of the tasks, run it, keep the leases
            await self.ownership.begin()
        await self.recordings.open()

    async def close(self) -> None:
        """Stop every executing task."""
        if self.ownership is not None:  # scale-out: stop following, stop the tasks, give their leases back
            await self.ownership.close()
        await self.recordings.close()
        await self.runtime.close()

    async def write(self, points: list[Point]) -> None:
        """Process written points through the subscribed tasks; returns once their events are queued."""
        await self.runtime.write(points)

    # store

    async def save_task(self, rec: TaskRecord) -> None:
        """Store a task (create or replace) and keep it in memory."""
        await self._put(TASKS_NS, rec.id, rec.to_doc())
        self.tasks[rec.id] = rec

    async def drop_task(self, task_id: str) -> None:
        """Delete a stored task."""
        await self._delete(TASKS_NS, task_id)
        self.tasks.pop(task_id, None)

    async def save_template(self, rec: TemplateRecord) -> None:
        """Store a template (create or replace) and keep it in memory."""
        await self._put(TEMPLATES_NS, rec.id, rec.to_doc())
        self.templates[rec.id] = rec

    async def drop_template(self, template_id: str) -> None:
        """Delete a stored template."""
        await self._delete(TEMPLATES_NS, template_id)
        self.templates.pop(template_id, None)

    async def _put(self, namespace: str, key: str, doc: dict[str, Any]) -> None:
        try:
            await self.engine.store.put_document(namespace, key, doc)
        except Exception as exc:
            raise UnavailableError(f"the store cannot save the {namespace[:-1]} right now: {exc}") from exc

    async def _delete(self, namespace: str, key: str) -> None:
        try:
            await self.engine.store.delete_document(namespace, key)
        except Exception as exc:
            raise UnavailableError(f"the store cannot delete the {namespace[:-1]} right now: {exc}") from exc

    def task(self, task_id: str) -> TaskRecord:
        """A stored task; 404 `no task exists`."""
        rec = self.tasks.get(task_id)
        if rec is None:
            raise TaskApiError(NO_TASK, 404)
        return rec

    def template(self, template_id: str) -> TemplateRecord:
        """A stored template; 404 `no template exists`."""
        rec = self.templates.get(template_id)
        if rec is None:
            raise TaskApiError(NO_TEMPLATE, 404)
        return rec

    # running

    async def start(self, rec: TaskRecord) -> str:
        """Start a task; returns "" or the error, which is also stored as the task's last error."""
        error = ""
        try:
            pipeline = scripts.compile_script(rec.script, rec.vars, self.engine.config)
            if self.ownership is None:
                await self.runtime.start(rec.id, pipeline, rec.dbrps)
            else:  # scale-out: run it here only under its lease, else stand by
                await self.ownership.start(rec.id, pipeline, rec.dbrps)
        except Exception as exc:  # any failure to start is the task's error, shown by the API
            error = str(exc) or type(exc).__name__
        if error != rec.error:
            rec.error = error
            if rec.id in self.tasks:
                await self.save_task(rec)
        return error

    async def stop(self, task_id: str) -> None:
        """Stop a task if it is executing."""
        await self.runtime.stop(task_id)
        if self.ownership is not None:  # scale-out: detach its standby handlers
            self.ownership.stop(task_id)

    # API: see task_ops and template_ops

    async def create_task(self, body: Any) -> dict[str, Any]:
        """POST /tasks."""
        async with self.api_lock:
            return await task_ops.create(self, body)

    async def update_task(self, task_id: str, body: Any) -> dict[str, Any]:
        """PATCH /tasks/<id>."""
        async with self.api_lock:
            return await task_ops.update(self, task_id, body)

    async def delete_task(self, task_id: str) -> None:
        """DELETE /tasks/<id>."""
        async with self.api_lock:
            await task_ops.delete(self, task_id)

    def get_task(self, task_id: str, query: dict[str, str]) -> dict[str, Any]:
        """GET /tasks/<id>."""
        return task_ops.get(self, task_id, query)

    def list_tasks(self, query: dict[str, str], fields: list[str]) -> dict[str, Any]:
        """GET /tasks."""
        return task_ops.listing(self, query, fields)

    def task_output(self, task_id: str, name: str) -> dict[str, Any]:
        """GET /tasks/<id>/<httpOut endpoint>; 404 `no task exists` when there is no such output."""
        result = self.runtime.output(task_id, name)
        if result is None:
            raise TaskApiError(NO_TASK, 404)
        return result

    async def create_template(self, body: Any) -> dict[str, Any]:
        """POST /templates."""
        async with self.api_lock:
            return await template_ops.create(self, body)

    async def update_template(self, template_id: str, body: Any) -> dict[str, Any]:
        """PATCH /templates/<id>."""
        async with self.api_lock:
            return await template_ops.update(self, template_id, body)

    async def delete_template(self, template_id: str) -> None:
        """DELETE /templates/<id>."""
        async with self.api_lock:
            await template_ops.delete(self, template_id)

    def get_template(self, template_id: str, query: dict[str, str]) -> dict[str, Any]:
        """GET /templates/<id>."""
        return template_ops.get(self, template_id, query)

    def list_templates(self, query: dict[str, str], fields: list[str]) -> dict[str, Any]:
        """GET /templates."""
        return template_ops.listing(self, query, fields)

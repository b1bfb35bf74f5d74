"""Tasks and templates changed through another instance: reload them here within a second.

Every task or template document written or deleted on a shared store sends a `document` notice. The
follower reads the changed documents and applies them as the API would have here: a task whose script,
vars, dbrps, type or status changed is stopped and, if enabled, started again (run if this instance holds
its lease, otherwise standing by); a change of its error or times only replaces the record. Errors found
here are logged, not stored: the instance that took the API call stores the task's error. After a task is
enabled elsewhere, a lease round runs shortly so that a free task is claimed even if that instance had no
room for it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from tocsin.pipeline.spec import Pipeline
from tocsin.store.cluster import DOCUMENT, TASKS, Cluster, Notice
from tocsin.tasks import scripts
from tocsin.tasks.host import TaskHost
from tocsin.tasks.inhibit import INHIBIT_NS
from tocsin.tasks.records import TASKS_NS, TEMPLATES_NS, Dbrp, TaskRecord, TemplateRecord


class Claims(Protocol):
    """What the follower asks of the task ownership that owns it (tasks/ownership.py)."""

    claiming: bool

    async def start(self, task_id: str, pipeline: Pipeline, dbrps: list[Dbrp]) -> None: ...

    def wake(self, after: float = 0.0) -> None: ...


log = logging.getLogger(__name__)

# Seconds after a task enabled elsewhere before this instance tries to claim it: the instance that took the
# API call claims it first (its answer then says `executing`), unless it had no room for it.
CLAIM_DELAY = 0.25

Doc = dict[str, Any]


def _run_key(rec: TaskRecord) -> tuple[Any, ...]:
    """What the running task depends on: a change of any of it restarts the task."""
    return (rec.script, rec.vars, rec.dbrps, rec.type, rec.status)


class TaskFollower:
    """Applies other instances' task and template changes to this instance's service."""

    def __init__(self, service: TaskHost, ownership: Claims, cluster: Cluster) -> None:
        self._svc = service
        self._ownership = ownership
        self._cluster = cluster
        self._dirty: set[tuple[str, str]] = set()  # (namespace, key); key "" for the whole namespace
        self._worker: asyncio.Task[None] | None = None
        self._inhibit_reload: asyncio.Task[None] | None = None
        self._inhibit_again = False
        self.closed = False

    def notice(self, notice: Notice) -> None:
        """A `document` or `tasks` notice from another instance."""
        if self.closed:
            return
        if notice.kind == TASKS:
            self._ownership.wake()
        elif notice.kind == DOCUMENT:
            namespace, _, key = notice.body.partition("\t")
            if namespace == INHIBIT_NS:
                self.inhibitions_changed()
            elif namespace in (TASKS_NS, TEMPLATES_NS):
                self._dirty.add((namespace, key))
                if self._worker is None:
                    self._worker = asyncio.get_running_loop().create_task(self._drain(), name="tocsin-task-follow")

    async def resync(self) -> None:
        """Reload every task and template (notices may have been missed)."""
        if self.closed:
            return
        self.inhibitions_changed()
        docs = {ns: await self._svc.engine.store.load_documents(ns) for ns in (TEMPLATES_NS, TASKS_NS)}
        async with self._svc.api_lock:
            await self._apply_namespace(TEMPLATES_NS, docs[TEMPLATES_NS])
            enabled = await self._apply_namespace(TASKS_NS, docs[TASKS_NS])
        if enabled:
            self._ownership.wake(CLAIM_DELAY)

    def inhibitions_changed(self) -> None:
        """Read the other instances' inhibitions again (once more if they change while being read)."""
        if self._inhibit_reload is not None:
            self._inhibit_again = True
            return
        self._inhibit_reload = asyncio.get_running_loop().create_task(self._reload_inhibitions())

    async def _reload_inhibitions(self) -> None:
        try:
            again = True
            while again and not self.closed:
                self._inhibit_again = False
                engine = self._svc.engine
                docs = await engine.store.load_documents(INHIBIT_NS)
                self._svc.runtime.inhibitors.load_remote(docs, engine.identity.server_id)
                again = self._inhibit_again
        except Exception as exc:
            log.error("reading the other instances' inhibitions failed: %s", exc)
        finally:
            self._inhibit_reload = None

    async def close(self) -> None:
        """Stop following."""
        self.closed = True
        for task in (self._worker, self._inhibit_reload):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._worker = self._inhibit_reload = None

    async def _drain(self) -> None:
        try:
            while self._dirty and not self.closed:
                batch, self._dirty = sorted(self._dirty), set()
                try:
                    await self._reload(batch)
                except Exception as exc:
                    log.error("reloading tasks changed by another instance failed: %s", exc)
        finally:
            self._worker = None

    async def _reload(self, batch: list[tuple[str, str]]) -> None:
        whole: dict[str, dict[str, Doc]] = {}
        single: list[tuple[str, str, Doc | None]] = []
        for namespace, key in batch:
            if not key:
                whole[namespace] = await self._svc.engine.store.load_documents(namespace)
            elif namespace not in whole:
                single.append((namespace, key, await self._cluster.document(namespace, key)))
        enabled = False
        async with self._svc.api_lock:
            for namespace, docs in sorted(whole.items(), reverse=True):  # templates before tasks
                enabled |= await self._apply_namespace(namespace, docs)
            for namespace, key, doc in sorted(single, key=lambda s: s[0] != TEMPLATES_NS):
                if namespace not in whole:
                    enabled |= await self._apply(namespace, key, doc)
        if enabled:
            self._ownership.wake(CLAIM_DELAY)

    async def _apply_namespace(self, namespace: str, docs: dict[str, Doc]) -> bool:
        known = self._svc.tasks if namespace == TASKS_NS else self._svc.templates
        enabled = False
        for key in sorted(set(known) | set(docs)):
            enabled |= await self._apply(namespace, key, docs.get(key))
        return enabled

    async def _apply(self, namespace: str, key: str, doc: Doc | None) -> bool:
        """Apply one document; True when it enabled a task here."""
        svc = self._svc
        if namespace == TEMPLATES_NS:
            if doc is None:
                svc.templates.pop(key, None)
            else:
                svc.templates[key] = TemplateRecord.from_doc(doc)
            return False
        old = svc.tasks.get(key)
        rec = None if doc is None else TaskRecord.from_doc(doc)
        if rec is None:
            svc.tasks.pop(key, None)
        else:
            svc.tasks[key] = rec
        if old is not None and rec is not None and _run_key(old) == _run_key(rec):
            return False
        if old is not None and old.enabled:
            await svc.stop(key)
        if rec is None or not rec.enabled:
            return False
        ownership = self._ownership
        claiming, ownership.claiming = ownership.claiming, False  # the instance that enabled it claims first
        try:
            pipeline = scripts.compile_script(rec.script, rec.vars, svc.engine.config)
            await ownership.start(rec.id, pipeline, rec.dbrps)
        except Exception as exc:
            log.error("task %s changed by another instance does not start here: %s", rec.id, exc)
        finally:
            ownership.claiming = claiming and not self.closed
        return True

"""The task and template objects of the API, whole (get, create, update) or by field (lists)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tocsin.gocompat.quoting import go_quote
from tocsin.handlers.base import ConfigView
from tocsin.pipeline.dot import render_dot
from tocsin.pipeline.spec import EdgeType, Pipeline
from tocsin.tasks import scripts
from tocsin.tasks.errors import UNSUPPORTED_FIELD, TaskApiError
from tocsin.tasks.executor import TaskExecutor
from tocsin.tasks.records import TaskRecord, TemplateRecord, dbrps_json, task_link, template_link, time_text
from tocsin.tasks.replay_run import ReplayCopy
from tocsin.tasks.runtime import TaskRuntime

TASK_FIELDS = (
    "link",
    "id",
    "template-id",
    "type",
    "dbrps",
    "script",
    "dot",
    "status",
    "executing",
    "error",
    "stats",
    "created",
    "modified",
    "last-enabled",
    "vars",
)
TEMPLATE_FIELDS = ("link", "id", "type", "script", "dot", "error", "created", "modified")
TEMPLATE_EXTRA_FIELDS = ("vars",)


class TaskView:
    """Builds task objects; compiles each task at most once per answer."""

    def __init__(self, runtime: TaskRuntime, config: ConfigView | None, fmt: str, view: str) -> None:
        self.runtime = runtime
        self.config = config
        self.fmt = fmt
        self.labels = view == "labels"

    def _compiled(self, rec: TaskRecord) -> tuple[Pipeline | None, str]:
        try:
            return scripts.compile_script(rec.script, rec.vars, self.config), self._error(rec)
        except TaskApiError as exc:
            return None, str(exc)

    def _error(self, rec: TaskRecord) -> str:
        """The stored error (why it did not start), else what fails while it runs (a batch query)."""
        return rec.error or self.runtime.running_error(rec.id)

    def _dot(self, rec: TaskRecord, pipeline: Pipeline | None) -> str | None:
        if pipeline is None:
            return None
        running = self.runtime.running.get(rec.id)
        if running is None:
            return render_dot(rec.id, pipeline, executing=False)
        return self._executing_dot(rec.id, running.pipeline, running.executor)

    def _executing_dot(self, task_id: str, pipeline: Pipeline, executor: TaskExecutor) -> str:
        stats = executor.stats()
        return render_dot(
            task_id,
            pipeline,
            executing=True,
            view="labels" if self.labels else "attributes",
            stats=stats.get("node-stats", {}),
            edge_counts=executor.edge_counts(),
            throughput=float(stats.get("task-stats", {}).get("throughput", 0.0)),
            batch=pipeline.type == EdgeType.BATCH,
        )

    def full(self, rec: TaskRecord, replay: ReplayCopy | None = None) -> dict[str, Any]:
        """The whole task object: every field, `stats` `{}` when not executing.

        With `replay` (a running replay's copy of the task), `executing`, `stats` and `dot` are the copy's.
        """
        pipeline, error = self._compiled(rec)
        if replay is None:
            executing = self.runtime.is_executing(rec.id)
            dot = self._dot(rec, pipeline) or ""
            stats = self.runtime.stats(rec.id) if executing and pipeline is not None else {}
        else:
            executing = True
            dot = self._executing_dot(rec.id, replay.pipeline, replay.executor) if pipeline is not None else ""
            stats = dict(replay.executor.stats()) if pipeline is not None else {}
        return {
            "link": task_link(rec.id),
            "id": rec.id,
            "template-id": rec.template_id,
            "type": rec.type,
            "dbrps": dbrps_json(rec.dbrps),
            "script": scripts.shown(rec.script, self.fmt),
            "vars": rec.vars,
            "dot": dot,
            "status": rec.status,
            "executing": executing,
            "error": error,
            "stats": stats,
            "created": time_text(rec.created),
            "modified": time_text(rec.modified),
            "last-enabled": time_text(rec.last_enabled),
        }

    def fields(self, rec: TaskRecord, names: list[str]) -> dict[str, Any]:
        """A list entry with only `names` (keys sorted, as Go writes a map); unknown name: 400."""
        executing = self.runtime.is_executing(rec.id)
        lazy: dict[str, Any] = {}

        def pipeline() -> Pipeline | None:
            if "p" not in lazy:
                lazy["p"] = self._compiled(rec)[0]
            result: Pipeline | None = lazy["p"]
            return result

        getters: dict[str, Callable[[], Any]] = {
            "link": lambda: task_link(rec.id),
            "id": lambda: rec.id,
            "template-id": lambda: rec.template_id,
            "type": lambda: rec.type,
            "dbrps": lambda: dbrps_json(rec.dbrps),
            "script": lambda: scripts.shown(rec.script, self.fmt),
            "executing": lambda: executing,
            "dot": lambda: self._dot(rec, pipeline()),
            "stats": lambda: self.runtime.stats(rec.id) if executing else None,
            "error": lambda: self._error(rec),
            "status": lambda: rec.status,
            "created": lambda: time_text(rec.created),
            "modified": lambda: time_text(rec.modified),
            "last-enabled": lambda: time_text(rec.last_enabled),
            "vars": lambda: rec.vars,
        }
        out: dict[str, Any] = {}
        for name in names:
            getter = getters.get(name)
            if getter is None:
                raise TaskApiError(UNSUPPORTED_FIELD.format(value=go_quote(name)))
            if name == "template-id" and not rec.template_id:
                continue
            out[name] = getter()
        return dict(sorted(out.items()))


def template_pipeline(rec: TemplateRecord) -> tuple[Pipeline | None, str]:
    """The template compiled without vars (typed declarations stay open), and its error text."""
    try:
        program = scripts.parse(rec.script)
        return scripts.compile_template(program), rec.error
    except TaskApiError as exc:
        return None, str(exc)


def template_vars(rec: TemplateRecord) -> dict[str, Any]:
    """The script's declared vars with their defaults."""
    try:
        program = scripts.parse(rec.script)
    except TaskApiError:
        return {}
    return scripts.declared(program)


def template_full(rec: TemplateRecord, fmt: str) -> dict[str, Any]:
    """The whole template object."""
    pipeline, error = template_pipeline(rec)
    return {
        "link": template_link(rec.id),
        "id": rec.id,
        "type": rec.type,
        "script": scripts.shown(rec.script, fmt),
        "vars": template_vars(rec) if pipeline is not None else {},
        "dot": render_dot(rec.id, pipeline, executing=False) if pipeline is not None else "",
        "error": error,
        "created": time_text(rec.created),
        "modified": time_text(rec.modified),
    }


def template_fields(rec: TemplateRecord, names: list[str], fmt: str) -> dict[str, Any]:
    """A list entry; `{}` for a template that no longer compiles (as Kapacitor skips it)."""
    pipeline, _ = template_pipeline(rec)
    if pipeline is None:
        return {}
    getters: dict[str, Callable[[], Any]] = {
        "id": lambda: rec.id,
        "link": lambda: template_link(rec.id),
        "type": lambda: rec.type,
        "script": lambda: scripts.shown(rec.script, fmt),
        "dot": lambda: render_dot(rec.id, pipeline, executing=False),
        "vars": lambda: template_vars(rec),
        "error": lambda: rec.error,
        "created": lambda: time_text(rec.created),
        "modified": lambda: time_text(rec.modified),
    }
    out: dict[str, Any] = {}
    for name in names:
        getter = getters.get(name)
        if getter is None:
            raise TaskApiError(UNSUPPORTED_FIELD.format(value=go_quote(name)))
        out[name] = getter()
    return dict(sorted(out.items()))

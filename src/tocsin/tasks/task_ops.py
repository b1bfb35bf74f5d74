"""The tasks API (`/kapacitor/v1/tasks`): create, update, get, list and delete, step by step as Kapacitor."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Protocol

from tocsin.gocompat.quoting import go_quote
from tocsin.tasks import scripts
from tocsin.tasks.errors import (
    DBRP_BOTH_CREATE,
    DBRP_BOTH_UPDATE,
    MUST_PROVIDE_SCRIPT,
    MUST_SPECIFY_DBRP,
    NO_TEMPLATE,
    RENAME_TASK_FAILED,
    TASK_ALREADY_EXISTS,
    TASK_CANNOT_UPDATE,
    TASK_EXISTS,
    TASK_ID_INVALID,
    UNKNOWN_TEMPLATE,
    TaskApiError,
)
from tocsin.tasks.host import TaskHost
from tocsin.tasks.listing import dot_view, page_of, script_format, select
from tocsin.tasks.recordings import Recordings
from tocsin.tasks.records import DISABLED, ENABLED, TaskRecord, new_id, now_ns, valid_id
from tocsin.tasks.requests import task_request
from tocsin.tasks.views import TASK_FIELDS, TaskView


class ReplayingHost(TaskHost, Protocol):
    """A task host with its recordings service, whose running replays answer `?replay-id=`."""

    recordings: Recordings


def _view(svc: TaskHost, fmt: str = "formatted", view: str = "attributes") -> TaskView:
    return TaskView(svc.runtime, svc.engine.config, fmt, view)


def _check_id(task_id: str) -> None:
    if not valid_id(task_id):
        raise TaskApiError(TASK_ID_INVALID.format(id=go_quote(task_id)))


async def create(svc: TaskHost, body: Any) -> dict[str, Any]:
    """POST /tasks: the new task object; 400 for each rule, 500 when an enabled task fails to start."""
    req = task_request(body)
    task_id = req.id or new_id()
    _check_id(task_id)
    if task_id in svc.tasks:
        raise TaskApiError(TASK_EXISTS.format(id=task_id))
    if req.template_id:
        template = svc.templates.get(req.template_id)
        if template is None:
            raise TaskApiError(UNKNOWN_TEMPLATE.format(id=req.template_id, err=NO_TEMPLATE))
        script = template.script
    else:
        script = req.script
        if not script:
            raise TaskApiError(MUST_PROVIDE_SCRIPT)
    status = ENABLED if req.status == ENABLED else DISABLED
    task_vars = scripts.normalize_vars(req.vars)
    program = scripts.parse(script)
    task_type = scripts.task_type(program)
    scripts.validate(program, task_vars, svc.engine.config)
    implicit = scripts.implicit(program)
    if not implicit and not req.dbrps:
        raise TaskApiError(MUST_SPECIFY_DBRP)
    if implicit and req.dbrps:
        raise TaskApiError(DBRP_BOTH_CREATE)
    now = now_ns()
    rec = TaskRecord(
        id=task_id,
        script=script,
        type=task_type,
        template_id=req.template_id,
        dbrps=implicit or req.dbrps,
        vars=task_vars,
        status=status,
        created=now,
        modified=now,
        last_enabled=now if status == ENABLED else 0,
    )
    await svc.save_task(rec)
    if rec.enabled:
        error = await svc.start(rec)
        if error:
            raise TaskApiError(error, 500)
    return _view(svc).full(rec)


async def update(svc: TaskHost, task_id: str, body: Any) -> dict[str, Any]:
    """PATCH /tasks/<id>: change what the body gives; a status change starts or stops the task."""
    req = task_request(body)
    original = svc.tasks.get(task_id)
    if original is None:
        raise TaskApiError(TASK_CANNOT_UPDATE, 404)
    updated = replace(original, dbrps=list(original.dbrps), vars=dict(original.vars))
    if req.id:
        _check_id(req.id)
        updated.id = req.id
    if req.template_id or updated.template_id:
        template_id = req.template_id or updated.template_id
        template = svc.templates.get(template_id)
        if template is None:
            # Kapacitor names the requested template here, even when it is empty.
            raise TaskApiError(UNKNOWN_TEMPLATE.format(id=req.template_id, err=NO_TEMPLATE))
        updated.script = template.script
        updated.template_id = template_id
    else:
        old_program = scripts.parse(updated.script)
        if req.script:
            updated.script = req.script
            new_program = scripts.parse(updated.script)
            if scripts.implicit(old_program) and not scripts.implicit(new_program) and not req.dbrps:
                raise TaskApiError(MUST_SPECIFY_DBRP)
    program = scripts.parse(updated.script)
    implicit = scripts.implicit(program)
    if implicit and req.dbrps:
        raise TaskApiError(DBRP_BOTH_UPDATE)
    if implicit:
        updated.dbrps = implicit
    elif req.dbrps:
        updated.dbrps = list(req.dbrps)
    if req.status:
        updated.status = req.status
    status_changed = updated.status != original.status
    if req.vars:
        updated.vars = scripts.normalize_vars(req.vars)
    updated.type = scripts.task_type(program)
    scripts.validate(program, updated.vars, svc.engine.config)
    now = now_ns()
    updated.modified = now
    if status_changed and updated.enabled:
        updated.last_enabled = now
    if updated.id != original.id:
        if updated.id in svc.tasks:
            raise TaskApiError(RENAME_TASK_FAILED.format(err=TASK_ALREADY_EXISTS), 400)  # Kapacitor: 500
        await svc.save_task(updated)
        await svc.drop_task(original.id)
        if original.enabled and updated.enabled:
            await svc.stop(original.id)
            error = await svc.start(updated)
            if error:
                raise TaskApiError(error, 500)
    else:
        await svc.save_task(updated)
    if status_changed:
        if updated.enabled:
            error = await svc.start(updated)
            if error:
                raise TaskApiError(error, 500)
        else:
            await svc.stop(original.id)
    return _view(svc).full(updated)


async def delete(svc: TaskHost, task_id: str) -> None:
    """DELETE /tasks/<id>: stop it, drop its anonymous topics if it was enabled, forget it (unknown: no-op)."""
    rec = svc.tasks.get(task_id)
    if rec is None:
        return
    if rec.enabled:
        await svc.stop(task_id)
        engine = svc.engine
        for topic in engine.topics.list(f"main:{task_id}:*"):
            await engine.delete_topic(topic.id)
    await svc.drop_task(task_id)


def get(svc: ReplayingHost, task_id: str, query: dict[str, str]) -> dict[str, Any]:
    """GET /tasks/<id>; with `replay-id`, the task as it runs inside that running replay (its copy's
    `executing`, `stats` and `dot`), else 400 with Kapacitor's texts."""
    rec = svc.task(task_id)
    fmt = script_format(query.get("script-format", ""))
    view = dot_view(query.get("dot-view", ""))
    replay_id = query.get("replay-id", "")
    replay = svc.recordings.running_copy(replay_id, rec.id) if replay_id else None
    return _view(svc, fmt, view).full(rec, replay)


def listing(svc: TaskHost, query: dict[str, str], fields: list[str]) -> dict[str, Any]:
    """GET /tasks: `{"tasks": [...]}` with the requested fields (always id and link)."""
    names = [*fields, "id", "link"] if fields else list(TASK_FIELDS)
    fmt = script_format(query.get("script-format", ""))
    view = dot_view(query.get("dot-view", ""))
    page = page_of(query)
    chosen = select(list(svc.tasks.values()), lambda r: r.id, page)
    builder = _view(svc, fmt, view)
    return {"tasks": [builder.fields(rec, names) for rec in chosen]}

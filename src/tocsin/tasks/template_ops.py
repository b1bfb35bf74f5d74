"""The templates API (`/kapacitor/v1/templates`); a template update reloads every task made from it."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from tocsin.gocompat.quoting import go_quote
from tocsin.tasks import scripts
from tocsin.tasks.errors import (
    INVALID_SCRIPT,
    MUST_PROVIDE_SCRIPT,
    RELOAD_FAILED,
    RENAME_TEMPLATE_FAILED,
    TEMPLATE_ALREADY_EXISTS,
    TEMPLATE_CANNOT_UPDATE,
    TEMPLATE_EXISTS,
    TEMPLATE_ID_INVALID,
    TaskApiError,
)
from tocsin.tasks.host import TaskHost
from tocsin.tasks.listing import page_of, script_format, select
from tocsin.tasks.records import TaskRecord, TemplateRecord, new_id, now_ns, valid_id
from tocsin.tasks.requests import template_request
from tocsin.tasks.views import TEMPLATE_FIELDS, template_fields, template_full
from tocsin.tick.ast import Program

log = logging.getLogger(__name__)


def _check_id(template_id: str) -> None:
    if not valid_id(template_id):
        raise TaskApiError(TEMPLATE_ID_INVALID.format(id=go_quote(template_id)))


def _validate(program: Program) -> None:
    try:
        scripts.compile_template(program)
    except TaskApiError as exc:
        raise TaskApiError(INVALID_SCRIPT.format(err=exc)) from None


async def create(svc: TaskHost, body: Any) -> dict[str, Any]:
    """POST /templates: the new template object."""
    req = template_request(body)
    template_id = req.id or new_id()
    _check_id(template_id)
    if template_id in svc.templates:
        raise TaskApiError(TEMPLATE_EXISTS.format(id=template_id))
    # As Kapacitor: the script is parsed and typed before its presence is checked.
    program = scripts.parse(req.script)
    template_type = scripts.task_type(program)
    if not req.script:
        raise TaskApiError(MUST_PROVIDE_SCRIPT)
    _validate(program)
    now = now_ns()
    rec = TemplateRecord(template_id, req.script, template_type, created=now, modified=now)
    await svc.save_template(rec)
    return template_full(rec, "formatted")


async def update(svc: TaskHost, template_id: str, body: Any) -> dict[str, Any]:
    """PATCH /templates/<id>: store the change, then reload its tasks (all rolled back if one fails: 500)."""
    req = template_request(body)
    original = svc.templates.get(template_id)
    if original is None:
        raise TaskApiError(TEMPLATE_CANNOT_UPDATE, 404)
    updated = replace(original)
    if req.id:
        _check_id(req.id)
        updated.id = req.id
    if req.script:
        updated.script = req.script
    program = scripts.parse(updated.script)
    updated.type = scripts.task_type(program)
    _validate(program)
    task_ids = sorted(t.id for t in svc.tasks.values() if t.template_id == original.id)
    updated.modified = now_ns()
    if updated.id != original.id:
        if updated.id in svc.templates:
            raise TaskApiError(RENAME_TEMPLATE_FAILED.format(err=TEMPLATE_ALREADY_EXISTS), 400)  # Kapacitor: 500
        await svc.save_template(updated)
        await svc.drop_template(original.id)
    else:
        await svc.save_template(updated)
    await _reload_tasks(svc, original, updated, task_ids)
    return template_full(updated, "formatted")


async def _reload_tasks(svc: TaskHost, old: TemplateRecord, new: TemplateRecord, task_ids: list[str]) -> None:
    old_dbrps = scripts.implicit(scripts.parse(old.script))
    new_dbrps = scripts.implicit(scripts.parse(new.script))
    done: list[str] = []
    for task_id in task_ids:
        task = svc.tasks.get(task_id)
        if task is None:
            continue
        done.append(task_id)
        changed = replace(task, template_id=new.id, script=new.script, type=new.type)
        if old_dbrps or new_dbrps:
            changed.dbrps = list(new_dbrps)
        try:
            await _replace(svc, changed)
        except Exception as exc:
            await _roll_back(svc, old, old_dbrps, done)
            raise TaskApiError(RELOAD_FAILED.format(id=task_id, err=exc), 500) from None


async def _replace(svc: TaskHost, task: TaskRecord) -> None:
    """Store a changed task and restart it if enabled; raises with the start error."""
    await svc.save_task(task)
    if task.enabled:
        await svc.stop(task.id)
        error = await svc.start(task)
        if error:
            raise RuntimeError(error)


async def _roll_back(svc: TaskHost, old: TemplateRecord, old_dbrps: list[tuple[str, str]], ids: list[str]) -> None:
    for task_id in ids:
        task = svc.tasks.get(task_id)
        if task is None:
            continue
        restored = replace(task, template_id=old.id, script=old.script, type=old.type)
        if old_dbrps:
            restored.dbrps = list(old_dbrps)
        try:
            await _replace(svc, restored)
        except Exception as exc:
            log.error("rolling back task %s after a template update failed: %s", task_id, exc)


async def delete(svc: TaskHost, template_id: str) -> None:
    """DELETE /templates/<id>: its tasks keep running as orphans."""
    await svc.drop_template(template_id)


def get(svc: TaskHost, template_id: str, query: dict[str, str]) -> dict[str, Any]:
    """GET /templates/<id>."""
    rec = svc.template(template_id)
    return template_full(rec, script_format(query.get("script-format", "")))


def listing(svc: TaskHost, query: dict[str, str], fields: list[str]) -> dict[str, Any]:
    """GET /templates: `{"templates": [...]}`; `vars` only when asked for."""
    names = [*fields, "id", "link"] if fields else list(TEMPLATE_FIELDS)
    fmt = script_format(query.get("script-format", ""))
    page = page_of(query)
    chosen = select(list(svc.templates.values()), lambda r: r.id, page)
    return {"templates": [template_fields(rec, names, fmt) for rec in chosen]}

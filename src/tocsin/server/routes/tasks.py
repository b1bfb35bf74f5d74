"""TICKscript tasks: /kapacitor/v1/tasks[/<id>[/<httpOut endpoint>]]."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from tocsin.engine.errors import InvalidError
from tocsin.gocompat import json as gojson
from tocsin.server.jsondepth import check_depth
from tocsin.server.keys import ENGINE
from tocsin.server.responses import error, no_content, pretty
from tocsin.server.routes.body import read_text
from tocsin.tasks.errors import INVALID_JSON, TaskApiError
from tocsin.tasks.service import TaskService
from tocsin.wiring import tasks_of

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
NO_TASK_ID = "must specify task id on path"


def service_of(request: web.Request) -> TaskService:
    """The engine's task service."""
    return tasks_of(request.app[ENGINE])


async def read_body(request: web.Request) -> Any:
    """The JSON body; anything that does not decode is Kapacitor's 400 `invalid JSON`."""
    text = await read_text(request)
    try:
        check_depth(text, "")
        return json.loads(text)
    except (InvalidError, ValueError):
        raise TaskApiError(INVALID_JSON) from None


def first_values(request: web.Request) -> dict[str, str]:
    """Query parameters as Go's `Query().Get` reads them (the first value of each)."""
    return {key: request.query.get(key, "") for key in request.query}


def answering(handler: Handler) -> Handler:
    """Turn TaskApiError into Kapacitor's error body with its status."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except TaskApiError as exc:
            return error(str(exc), exc.status)

    return wrapped


async def list_tasks(request: web.Request) -> web.StreamResponse:
    fields = request.query.getall("fields", [])
    return pretty(service_of(request).list_tasks(first_values(request), fields))


async def create_task(request: web.Request) -> web.StreamResponse:
    svc = service_of(request)
    return pretty(await svc.create_task(await read_body(request)))


async def get_task(request: web.Request) -> web.StreamResponse:
    return pretty(service_of(request).get_task(request.match_info["id"], first_values(request)))


async def update_task(request: web.Request) -> web.StreamResponse:
    svc = service_of(request)
    return pretty(await svc.update_task(request.match_info["id"], await read_body(request)))


async def delete_task(request: web.Request) -> web.StreamResponse:
    await service_of(request).delete_task(request.match_info["id"])
    return no_content()


async def task_output(request: web.Request) -> web.StreamResponse:
    result = service_of(request).task_output(request.match_info["id"], request.match_info["name"])
    # An httpOut endpoint answers with json.Marshal: compact, no trailing newline.
    text = gojson.dumps(result)
    return web.Response(text=text, content_type="application/json", charset="utf-8")


async def missing_id(request: web.Request) -> web.StreamResponse:
    raise TaskApiError(NO_TASK_ID)


def add_collection(
    router: web.UrlDispatcher,
    base: str,
    *,
    listing: Handler,
    create: Handler,
    get: Handler,
    update: Handler,
    delete: Handler,
    missing: Handler,
    get_path: str = "/{id:.+}",
) -> None:
    """Kapacitor's routes for a collection of stored objects (tasks, templates) under `base`."""
    router.add_get(base, answering(listing), allow_head=False)
    router.add_post(base, answering(create))
    router.add_get(base + "/", answering(missing), allow_head=False)
    router.add_patch(base + "/", answering(missing))
    router.add_delete(base + "/", answering(missing))
    router.add_get(base + get_path, answering(get), allow_head=False)
    router.add_patch(base + "/{id:.+}", answering(update))
    router.add_delete(base + "/{id:.+}", answering(delete))


def add(router: web.UrlDispatcher, prefix: str) -> None:
    """Register the tasks routes under `prefix`."""
    base = f"{prefix}/tasks"
    add_collection(
        router,
        base,
        listing=list_tasks,
        create=create_task,
        get=get_task,
        update=update_task,
        delete=delete_task,
        missing=missing_id,
        get_path="/{id}",
    )
    router.add_get(base + "/{id}/{name:.+}", answering(task_output), allow_head=False)

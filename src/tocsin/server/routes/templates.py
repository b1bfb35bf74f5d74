"""TICKscript templates: /kapacitor/v1/templates[/<id>]."""

from __future__ import annotations

from aiohttp import web

from tocsin.server.responses import no_content, pretty
from tocsin.server.routes.tasks import add_collection, first_values, read_body, service_of
from tocsin.tasks.errors import TaskApiError

NO_TEMPLATE_ID = "must specify template id on path"


async def list_templates(request: web.Request) -> web.StreamResponse:
    fields = request.query.getall("fields", [])
    return pretty(service_of(request).list_templates(first_values(request), fields))


async def create_template(request: web.Request) -> web.StreamResponse:
    svc = service_of(request)
    return pretty(await svc.create_template(await read_body(request)))


async def get_template(request: web.Request) -> web.StreamResponse:
    return pretty(service_of(request).get_template(request.match_info["id"], first_values(request)))


async def update_template(request: web.Request) -> web.StreamResponse:
    svc = service_of(request)
    return pretty(await svc.update_template(request.match_info["id"], await read_body(request)))


async def delete_template(request: web.Request) -> web.StreamResponse:
    await service_of(request).delete_template(request.match_info["id"])
    return no_content()


async def missing_id(request: web.Request) -> web.StreamResponse:
    raise TaskApiError(NO_TEMPLATE_ID)


def add(router: web.UrlDispatcher, prefix: str) -> None:
    """Register the templates routes under `prefix`."""
    add_collection(
        router,
        f"{prefix}/templates",
        listing=list_templates,
        create=create_template,
        get=get_template,
        update=update_template,
        delete=delete_template,
        missing=missing_id,
    )

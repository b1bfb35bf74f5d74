"""`POST /kapacitor/v1/sideload/reload`: every running sideload node reads its source directory again."""

from __future__ import annotations

from aiohttp import web

from tocsin.server.keys import ENGINE
from tocsin.server.responses import error, no_content
from tocsin.tasks.nodes.sideload import SideloadNode, reload_sources
from tocsin.wiring import tasks_of


async def reload(request: web.Request) -> web.Response:
    """204 once every source is read again; 500 naming the first source that failed, as Kapacitor answers."""
    running = tasks_of(request.app[ENGINE]).runtime.running
    nodes = []
    for task in list(running.values()):
        for spec in task.pipeline.nodes:
            node = task.executor.node(spec.name) if spec.desc == "sideload" else None
            if isinstance(node, SideloadNode):
                nodes.append(node)
    problem = await reload_sources(nodes)
    if problem is not None:
        return error(problem, 500)
    return no_content()


def add(router: web.UrlDispatcher, prefix: str) -> None:
    router.add_post(prefix + "/sideload/reload", reload)

"""Configuration overrides: /kapacitor/v1/config/..."""

from __future__ import annotations

from aiohttp import web

from tocsin.config.view import config_document, element_document, section_document
from tocsin.engine.errors import InvalidError
from tocsin.server.keys import ENGINE
from tocsin.server.responses import compact, no_content
from tocsin.server.routes.body import read_json

NO_SECTION = "section not specified, do you have an extra trailing '/'?"


async def get_all(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    engine.check_overrides_enabled()
    return compact(config_document(engine.config))


async def get_missing_section(request: web.Request) -> web.Response:
    request.app[ENGINE].check_overrides_enabled()
    raise InvalidError(NO_SECTION)


async def get_section(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    engine.check_overrides_enabled()
    return compact(section_document(engine.config, request.match_info["section"]))


async def get_element(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    engine.check_overrides_enabled()
    element = request.match_info.get("element", "")
    return compact(element_document(engine.config, request.match_info["section"], element))


async def update(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    engine.check_overrides_enabled()
    section = request.match_info["section"]
    element = request.match_info.get("element")
    trailing = request.path.endswith("/")
    body = await read_json(request, "failed to decode JSON: ")
    await engine.update_config(section, element, trailing, body)
    return no_content()


def add(router: web.UrlDispatcher, prefix: str) -> None:
    base = prefix + "/config"
    router.add_get(base, get_all)
    router.add_get(base + "/", get_missing_section)
    router.add_get(base + "/{section}", get_section)
    router.add_post(base + "/{section}", update)
    router.add_get(base + "/{section}/", get_element)
    router.add_post(base + "/{section}/", update)
    router.add_get(base + "/{section}/{element}", get_element)
    router.add_post(base + "/{section}/{element}", update)

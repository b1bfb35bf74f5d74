"""Service tests ("Send Test Alert"): /kapacitor/v1/service-tests/..."""

from __future__ import annotations

import fnmatch
from typing import Any

from aiohttp import web

from tocsin.engine.errors import InvalidError, NotFoundError
from tocsin.handlers.base import ServiceTest
from tocsin.server.jsondepth import check_depth
from tocsin.server.keys import ENGINE
from tocsin.server.responses import compact, link
from tocsin.server.routes.body import decode_json, read_text
from tocsin.server.routes.patterns import check_pattern

BASE = "/kapacitor/v1/service-tests"
DECODE = "failed to decode JSON body:"


def _entry(test: ServiceTest) -> dict[str, Any]:
    return {"link": link(f"{BASE}/{test.name}"), "name": test.name, "options": dict(test.defaults)}


async def list_tests(request: web.Request) -> web.Response:
    pattern = request.query.get("pattern", "") or "*"
    check_pattern(pattern, "bad pattern: ")
    tests = request.app[ENGINE].service_tests()
    services = [_entry(tests[n]) for n in sorted(tests) if fnmatch.fnmatchcase(n, pattern)]
    return compact({"link": link(BASE), "services": services})


async def get_test(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    test = request.app[ENGINE].service_tests().get(name)
    if test is None:
        raise NotFoundError(f'service "{name}" not found')
    return compact(_entry(test))


async def run_test(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    name = request.match_info["name"]
    text = await read_text(request)
    if not text.strip():
        raise InvalidError(DECODE + "EOF")
    check_depth(text, DECODE)
    body = decode_json(text, DECODE)
    if body is not None and not isinstance(body, dict):
        raise InvalidError(DECODE + "expected a JSON object of options or null")
    success, message = await engine.run_service_test(name, body)
    return compact({"success": success, "message": message})


def add(router: web.UrlDispatcher, prefix: str) -> None:
    base = prefix + "/service-tests"
    router.add_get(base, list_tests)
    router.add_get(base + "/{name}", get_test)
    router.add_post(base + "/{name}", run_test)

"""Ping, debug vars and the log level: /kapacitor/v1/{ping,debug/vars,loglevel}."""

from __future__ import annotations

import logging
import sys

from aiohttp import web

from tocsin import KAPACITOR_COMPAT_VERSION, __version__
from tocsin.engine.errors import InvalidError
from tocsin.server.keys import ENGINE
from tocsin.server.responses import no_content, pretty
from tocsin.server.routes.body import read_json
from tocsin.stats.expvar import global_vars, statistics_map
from tocsin.stats.gather import gather
from tocsin.wiring import tasks_of

_LEVELS = {"DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARN": logging.WARNING, "ERROR": logging.ERROR}


async def ping(request: web.Request) -> web.Response:
    return no_content()


async def debug_vars(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    stats = gather(engine, tasks_of(engine))
    depth, oldest_age = engine.dispatcher.depth()
    body = {
        "cluster_id": engine.identity.cluster_id,
        "server_id": engine.identity.server_id,
        "host": str(engine.config.get("", "hostname")),
        "product": "tocsin",
        "version": KAPACITOR_COMPAT_VERSION,
        "tocsin_version": __version__,
        "platform": sys.platform,
        **global_vars(stats),
        "kapacitor": statistics_map(stats),
        "tocsin": {"outbox_depth": depth, "outbox_oldest_age_seconds": oldest_age},
        "cmdline": sys.argv,
    }
    return pretty(body)


async def log_level(request: web.Request) -> web.Response:
    body = await read_json(request, "invalid json: ")
    level = body.get("level") if isinstance(body, dict) else None
    if not isinstance(level, str) or level.upper() not in (*_LEVELS, "OFF"):
        raise InvalidError(f"invalid log level {level!r}: expected DEBUG, INFO, WARN, ERROR or OFF")
    root = logging.getLogger()
    root.setLevel(logging.CRITICAL + 1 if level.upper() == "OFF" else _LEVELS[level.upper()])
    return no_content()


def add(router: web.UrlDispatcher, prefix: str) -> None:
    router.add_get(prefix + "/ping", ping)  # aiohttp adds HEAD for GET routes
    router.add_get(prefix + "/debug/vars", debug_vars)
    router.add_post(prefix + "/loglevel", log_level)

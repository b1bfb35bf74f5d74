"""Alertmanager's API v2, the parts its clients use: Prometheus and `amtool` post alerts (`/api/v2/alerts`, made
Tocsin events by tocsin.engine.am_alerts) and manage silences (`/api/v2/silences`, `/api/v2/silence/{id}`, the
same silences as `/tocsin/v1/silences`); `amtool` reads `/api/v2/status`."""

from __future__ import annotations

import time
from collections.abc import Mapping

from aiohttp import web

from tocsin import __version__
from tocsin.engine.errors import InvalidError
from tocsin.gocompat.timefmt import format_rfc3339nano
from tocsin.server.keys import ENGINE
from tocsin.server.responses import pretty
from tocsin.server.routes.body import read_json
from tocsin.server.routes.silences import actor, filtered, filters, get_silence

AM = "/api/v2"
# The Alertmanager API Tocsin speaks: amtool warns when its version differs from the server's.
AM_API_VERSION = "0.25.0"


async def get_alerts(request: web.Request) -> web.Response:
    q = request.query
    alerts = request.app[ENGINE].list_am_alerts(
        filters(request), active=_flag(q, "active"), silenced=_flag(q, "silenced")
    )
    return pretty(alerts)


def _flag(query: Mapping[str, str], name: str) -> bool:
    value = query.get(name, "true").lower()
    if value not in ("true", "false"):
        raise InvalidError(f'{name}: "{value}" is not true or false')
    return value == "true"


async def post_alerts(request: web.Request) -> web.Response:
    body = await read_json(request, "invalid alerts json: ")
    await request.app[ENGINE].post_am_alerts(body)
    return web.Response(status=200)


async def am_list_silences(request: web.Request) -> web.Response:
    now = time.time_ns()
    return pretty([s.to_json(now) for s in filtered(request)])


async def am_post_silence(request: web.Request) -> web.Response:
    body = await read_json(request, "invalid silence json: ")
    silence = await request.app[ENGINE].save_silence(body, actor(request, body))
    return pretty({"silenceID": silence.id})


async def am_expire_silence(request: web.Request) -> web.Response:
    await request.app[ENGINE].expire_silence(request.match_info["id"], actor(request, None))
    return web.Response(status=200)


async def am_status(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    return pretty(
        {
            "cluster": {"name": "", "status": "disabled", "peers": []},
            # the Alertmanager API Tocsin speaks (amtool warns when versions differ); Tocsin's own in revision
            "versionInfo": {
                "version": AM_API_VERSION,
                "revision": f"tocsin {__version__}",
                "branch": "",
                "buildUser": "",
                "buildDate": "",
                "goVersion": "",
            },
            "config": {"original": ""},
            "uptime": format_rfc3339nano(engine.started_ns),
        }
    )


def add(router: web.UrlDispatcher) -> None:
    router.add_post(AM + "/alerts", post_alerts)
    router.add_get(AM + "/alerts", get_alerts)
    router.add_get(AM + "/silences", am_list_silences)
    router.add_post(AM + "/silences", am_post_silence)
    router.add_get(AM + "/silence/{id}", get_silence)
    router.add_delete(AM + "/silence/{id}", am_expire_silence)
    router.add_get(AM + "/status", am_status)

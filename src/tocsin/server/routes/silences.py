"""Silences over HTTP, Tocsin's routes (`/tocsin/v1/silences`): the shape of Alertmanager's API v2, whose own
routes (tocsin.server.routes.alertmanager) serve the same silences."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from tocsin.engine.errors import InvalidError
from tocsin.gocompat.timefmt import format_rfc3339nano
from tocsin.server.auth import AUTH_USER
from tocsin.server.keys import ENGINE
from tocsin.server.responses import no_content, pretty
from tocsin.server.routes.body import read_json
from tocsin.silences.filters import FilterError, parse_filter, shown_by
from tocsin.silences.matchers import Matcher
from tocsin.silences.silence import Silence

BASE = "/tocsin/v1/silences"


def actor(request: web.Request, body: Any) -> str:
    user = request.get(AUTH_USER)
    if user is not None:
        return str(user.name)
    given = body.get("createdBy") if isinstance(body, dict) else None
    return given if isinstance(given, str) else ""


def filters(request: web.Request) -> list[Matcher]:
    """The `filter` query parameters, as Alertmanager takes them (`host="db3"`, one matcher each)."""
    try:
        return [parse_filter(text) for text in request.query.getall("filter", [])]
    except FilterError as exc:
        raise InvalidError(str(exc)) from None


def filtered(request: web.Request) -> list[Silence]:
    matchers = filters(request)
    return [s for s in request.app[ENGINE].list_silences() if shown_by(s, matchers)]


async def list_silences(request: web.Request) -> web.Response:
    now = time.time_ns()
    return pretty({"silences": [s.to_json(now) for s in filtered(request)]})


async def post_silence(request: web.Request) -> web.Response:
    body = await read_json(request, "invalid silence json: ")
    silence = await request.app[ENGINE].save_silence(body, actor(request, body))
    return pretty(silence.to_json(time.time_ns()))


async def get_silence(request: web.Request) -> web.Response:
    return pretty(request.app[ENGINE].get_silence(request.match_info["id"]).to_json(time.time_ns()))


async def expire_silence(request: web.Request) -> web.Response:
    await request.app[ENGINE].expire_silence(request.match_info["id"], actor(request, None))
    return no_content()


async def preview_silence(request: web.Request) -> web.Response:
    body = await read_json(request, "invalid silence json: ")
    return pretty({"matches": request.app[ENGINE].silence_preview(body)})


async def suggest_silence(request: web.Request) -> web.Response:
    topic, alert_id = request.query.get("topic", ""), request.query.get("id", "")
    return pretty({"matchers": request.app[ENGINE].silence_suggestion(topic, alert_id)})


async def held_alerts(request: web.Request) -> web.Response:
    return pretty({"held": request.app[ENGINE].held_alerts(request.match_info["id"])})


async def silence_audit(request: web.Request) -> web.Response:
    entries = await request.app[ENGINE].silence_audit(request.match_info["id"])
    now = time.time_ns()
    return pretty(
        {
            "audit": [
                {
                    "at": format_rfc3339nano(int(e["at"])),
                    "action": e["action"],
                    "by": e["by"],
                    "silence": Silence.from_record(e["silence"]).to_json(now),
                }
                for e in entries
            ]
        }
    )


# maintenance windows

WINDOWS = "/tocsin/v1/maintenance-windows"
PREVIEW_COUNT = 5


async def list_windows(request: web.Request) -> web.Response:
    now = time.time_ns()
    return pretty({"windows": [w.to_json(now) for w in request.app[ENGINE].list_windows()]})


async def post_window(request: web.Request) -> web.Response:
    body = await read_json(request, "invalid window json: ")
    window = await request.app[ENGINE].save_window(body, actor(request, body))
    return pretty(window.to_json(time.time_ns()))


async def preview_window(request: web.Request) -> web.Response:
    body = await read_json(request, "invalid window json: ")
    return pretty({"next": request.app[ENGINE].preview_window(body, PREVIEW_COUNT)})


async def get_window(request: web.Request) -> web.Response:
    return pretty(request.app[ENGINE].get_window(request.match_info["id"]).to_json(time.time_ns()))


async def delete_window(request: web.Request) -> web.Response:
    await request.app[ENGINE].delete_window(request.match_info["id"], actor(request, None))
    return no_content()


def add(router: web.UrlDispatcher) -> None:
    router.add_get(BASE, list_silences)
    router.add_post(BASE, post_silence)
    router.add_post(BASE + "/preview", preview_silence)  # before /{id}: a literal path wins
    router.add_get(BASE + "/suggest", suggest_silence)
    router.add_get(BASE + "/{id}", get_silence)
    router.add_delete(BASE + "/{id}", expire_silence)
    router.add_get(BASE + "/{id}/audit", silence_audit)
    router.add_get(BASE + "/{id}/held", held_alerts)
    router.add_get(WINDOWS, list_windows)
    router.add_post(WINDOWS, post_window)
    router.add_post(WINDOWS + "/preview", preview_window)
    router.add_get(WINDOWS + "/{id}", get_window)
    router.add_delete(WINDOWS + "/{id}", delete_window)

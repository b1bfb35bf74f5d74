"""Alert topics, their events and their handlers: /kapacitor/v1/alerts/topics/..."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tocsin.alert.levels import parse_min_level
from tocsin.alert.topics import EventState, Topic
from tocsin.engine.errors import InvalidError, NotFoundError
from tocsin.engine.handler_secrets import redacted_options
from tocsin.engine.handlers import HandlerSpec
from tocsin.gocompat.duration import format_duration
from tocsin.gocompat.timefmt import format_rfc3339nano
from tocsin.server.keys import ENGINE
from tocsin.server.responses import link, no_content, pretty
from tocsin.server.routes.body import page_of, query_int, read_json
from tocsin.server.routes.patterns import check_pattern

BASE = "/kapacitor/v1/alerts/topics"


def topic_json(topic: Topic) -> dict[str, Any]:
    href = f"{BASE}/{topic.id}"
    return {
        "link": link(href),
        "id": topic.id,
        "level": topic.level.name,
        "collected": topic.collected,
        "events-link": link(f"{href}/events", "events"),
        "handlers-link": link(f"{href}/handlers", "handlers"),
    }


def event_json(topic_id: str, alert_id: str, state: EventState) -> dict[str, Any]:
    return {
        "link": link(f"{BASE}/{topic_id}/events/{alert_id}"),
        "id": alert_id,
        "state": {
            "message": state.message,
            "details": state.details,
            "time": format_rfc3339nano(state.time),
            "duration": format_duration(state.duration),
            "level": state.level.name,
        },
    }


def handler_json(spec: HandlerSpec) -> dict[str, Any]:
    """Kapacitor's handler answer; secret options show as a placeholder, listed in `redacted` when any is set."""
    options, hidden = redacted_options(spec.kind, spec.options)
    answer = {
        "link": link(f"{BASE}/{spec.topic}/handlers/{spec.id}"),
        "id": spec.id,
        "kind": spec.kind,
        "options": options,
        "match": spec.match,
    }
    if hidden:
        answer["redacted"] = hidden
    return answer


def _min_level(request: web.Request) -> Any:
    try:
        return parse_min_level(request.query.get("min-level", ""))
    except ValueError as exc:
        raise InvalidError(str(exc)) from None


async def list_topics(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    pattern = request.query.get("pattern", "")
    check_pattern(pattern, "invalid pattern: ")
    topics = page_of(engine.topics.list(pattern, _min_level(request)), *_page(request))
    return pretty({"link": link(request.raw_path), "topics": [topic_json(t) for t in topics]})


async def get_topic(request: web.Request) -> web.Response:
    topic = request.app[ENGINE].get_topic(request.match_info["topic"])
    return pretty(topic_json(topic))


async def delete_topic(request: web.Request) -> web.Response:
    await request.app[ENGINE].delete_topic(request.match_info["topic"])
    return no_content()


async def list_events(request: web.Request) -> web.Response:
    topic_id = request.match_info["topic"]
    topic = request.app[ENGINE].topics.get(topic_id)
    if topic is None:
        raise NotFoundError(f'failed to get topic events: unknown topic "{topic_id}"')
    level = _min_level(request)
    chosen = [(alert_id, state) for alert_id, state in sorted(topic.events.items()) if state.level >= level]
    events = [event_json(topic_id, alert_id, state) for alert_id, state in page_of(chosen, *_page(request))]
    return pretty({"link": link(f"{BASE}/{topic_id}/events"), "topic": topic_id, "events": events})


def _page(request: web.Request) -> tuple[int, int]:
    """Tocsin's `offset` and `limit` (Kapacitor lists every topic and event; there may be many thousands)."""
    return query_int(request, "offset", 0), query_int(request, "limit", -1)


async def get_event(request: web.Request) -> web.Response:
    topic_id, alert_id = request.match_info["topic"], request.match_info["event"]
    topic = request.app[ENGINE].topics.get(topic_id)
    state = topic.events.get(alert_id) if topic is not None else None
    if state is None:
        raise NotFoundError(f'unknown event "{alert_id}" in topic "{topic_id}"')
    return pretty(event_json(topic_id, alert_id, state))


async def list_handlers(request: web.Request) -> web.Response:
    topic_id = request.match_info["topic"]
    pattern = request.query.get("pattern", "")
    check_pattern(pattern, "invalid pattern: ")
    handlers = request.app[ENGINE].handlers.matching(topic_id, pattern)
    return pretty(
        {
            "link": link(request.raw_path),
            "topic": topic_id,
            "handlers": [handler_json(h.spec) for h in handlers],
        }
    )


async def create_handler(request: web.Request) -> web.Response:
    body = await read_json(request, "invalid handler json: ")
    spec = await request.app[ENGINE].create_handler(request.match_info["topic"], body)
    return pretty(handler_json(spec))


async def get_handler(request: web.Request) -> web.Response:
    spec = request.app[ENGINE].get_handler(request.match_info["topic"], request.match_info["handler"])
    return pretty(handler_json(spec))


async def replace_handler(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    topic, handler_id = request.match_info["topic"], request.match_info["handler"]
    engine.get_handler(topic, handler_id)
    body = await read_json(request, "invalid handler json: ")
    spec = await engine.replace_handler(topic, handler_id, body)
    return pretty(handler_json(spec))


async def patch_handler(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    topic, handler_id = request.match_info["topic"], request.match_info["handler"]
    engine.get_handler(topic, handler_id)
    patch = await read_json(request, "invalid patch json: ")
    spec = await engine.patch_handler(topic, handler_id, patch)
    return pretty(handler_json(spec))


async def delete_handler(request: web.Request) -> web.Response:
    await request.app[ENGINE].delete_handler(request.match_info["topic"], request.match_info["handler"])
    return no_content()


def add(router: web.UrlDispatcher, prefix: str) -> None:
    base = prefix + "/alerts/topics"
    router.add_get(base, list_topics)
    router.add_get(base + "/{topic}", get_topic)
    router.add_delete(base + "/{topic}", delete_topic)
    router.add_get(base + "/{topic}/events", list_events)
    router.add_get(base + "/{topic}/events/{event}", get_event)
    router.add_get(base + "/{topic}/handlers", list_handlers)
    router.add_post(base + "/{topic}/handlers", create_handler)
    router.add_get(base + "/{topic}/handlers/{handler}", get_handler)
    router.add_put(base + "/{topic}/handlers/{handler}", replace_handler)
    router.add_patch(base + "/{topic}/handlers/{handler}", patch_handler)
    router.add_delete(base + "/{topic}/handlers/{handler}", delete_handler)

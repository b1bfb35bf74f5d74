"""Tocsin's own API: event intake and the delivery log (/tocsin/v1/...), and Prometheus metrics."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from tocsin.alert.levels import Level
from tocsin.engine.errors import InvalidError
from tocsin.engine.intake import parse_events
from tocsin.gocompat.duration import parse_duration
from tocsin.gocompat.timefmt import format_rfc3339nano, parse_rfc3339
from tocsin.server.keys import ENGINE
from tocsin.server.responses import link, pretty
from tocsin.server.routes.body import read_json
from tocsin.store.base import DeliveryFilter, DeliveryRow, DeliveryStatus

BASE = "/tocsin/v1"
MAX_LIMIT = 10_000


def delivery_json(row: DeliveryRow) -> dict[str, Any]:
    def ts(ns: int | None) -> str | None:
        return format_rfc3339nano(ns) if ns else None

    return {
        "link": link(f"{BASE}/deliveries/{row.id}"),
        "id": row.id,
        "topic": row.topic,
        "handler": row.handler.rpartition("/")[2],
        "kind": row.kind,
        "alertId": row.alert_id,
        "level": Level(row.level).name,
        "status": row.status.label,
        "attempts": row.attempts,
        "lastStatusCode": row.last_status,
        "lastError": row.last_error,
        "latencyMs": None if row.latency_ms is None else round(row.latency_ms, 3),
        "created": ts(row.created),
        "updated": ts(row.updated),
        "nextAttempt": ts(row.next_attempt) if row.status is DeliveryStatus.PENDING else None,
        "deliveredAt": ts(row.delivered_at),
    }


async def post_events(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    body = await read_json(request, "invalid events json: ")
    items = parse_events(body, time.time_ns)
    engine.check_alert_quota(items)
    accepted = await engine.collect(items)
    return pretty({"accepted": accepted}, status=202)


async def post_dry_run(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    body = await read_json(request, "invalid events json: ")
    return pretty({"results": await engine.dry_run(parse_events(body, time.time_ns))})


def _filter(request: web.Request) -> DeliveryFilter:
    q = request.query
    flt = DeliveryFilter()
    topic, handler = q.get("topic", ""), q.get("handler", "")
    flt.topic = topic or None
    if handler and ("/" in handler or topic):
        flt.handler = handler if "/" in handler else f"{topic}/{handler}"
    elif handler:
        flt.handler_id = handler  # without a topic: that handler ID in any topic
    status = q.get("status", "")
    if status:
        try:
            flt.status = DeliveryStatus[status.upper()]
        except KeyError:
            raise InvalidError(f'invalid status "{status}": expected pending, delivered, dead or silenced') from None
    since = q.get("since", "")
    if since:
        try:
            flt.since = parse_rfc3339(since)
        except ValueError:
            try:
                flt.since = time.time_ns() - parse_duration(since)
            except ValueError:
                raise InvalidError(
                    f'invalid since "{since}": expected an RFC 3339 time or a duration such as 1h'
                ) from None
    limit = q.get("limit", "")
    if limit:
        if not limit.isdigit() or not 0 < int(limit) <= MAX_LIMIT:
            raise InvalidError(f'invalid limit "{limit}": expected a number from 1 to {MAX_LIMIT}')
        flt.limit = int(limit)
    return flt


def _delivery_id(request: web.Request) -> int:
    raw = request.match_info["id"]
    if not raw.isdigit():
        raise InvalidError(f'invalid delivery id "{raw}": expected a number')
    return int(raw)


async def list_deliveries(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    rows = await engine.deliveries(_filter(request))
    return pretty({"link": link(request.raw_path), "deliveries": [delivery_json(r) for r in rows]})


async def get_delivery(request: web.Request) -> web.Response:
    row = await request.app[ENGINE].delivery(_delivery_id(request))
    body = delivery_json(row)
    body["event"] = row.event
    return pretty(body)


async def retry_delivery(request: web.Request) -> web.Response:
    row = await request.app[ENGINE].retry_delivery(_delivery_id(request))
    return pretty(delivery_json(row))


async def metrics(request: web.Request) -> web.Response:
    data = generate_latest(request.app[ENGINE].metrics.registry)
    return web.Response(body=data, headers={"Content-Type": CONTENT_TYPE_LATEST})


def add(router: web.UrlDispatcher) -> None:
    router.add_post(BASE + "/events", post_events)
    router.add_post(BASE + "/dry-run", post_dry_run)
    router.add_get(BASE + "/deliveries", list_deliveries)
    router.add_get(BASE + "/deliveries/{id}", get_delivery)
    router.add_post(BASE + "/deliveries/{id}/retry", retry_delivery)
    router.add_get("/metrics", metrics)

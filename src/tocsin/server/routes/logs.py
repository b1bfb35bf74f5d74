"""`GET /kapacitor/v1/logs?task=cpu&lvl=warn`: the server's log entries as they happen, one JSON object a line."""

from __future__ import annotations

import asyncio
import contextlib
import json

from aiohttp import web

from tocsin.engine.errors import InvalidError, UnavailableError
from tocsin.logstream import LEVELS, LogBroker, TooManySubscribers
from tocsin.server.keys import LOG_BROKER

CREDENTIALS = ("u", "p")  # the sign-in query parameters: never filters
HEARTBEAT = 15.0  # seconds without an entry after which an empty line keeps proxies from closing the stream


async def stream_logs(request: web.Request) -> web.StreamResponse:
    filters = {k: v for k, v in request.query.items() if k not in CREDENTIALS}
    level = filters.get("lvl")
    if level is not None:
        if level.lower() not in LEVELS:
            raise InvalidError(f'invalid lvl "{level}": must be one of {", ".join(LEVELS)}')
        filters["lvl"] = level.lower()
    broker: LogBroker = request.app[LOG_BROKER]
    try:
        subscription = broker.subscribe(filters)
    except TooManySubscribers as exc:
        raise UnavailableError(str(exc)) from None
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    try:
        await response.prepare(request)
        while True:
            try:
                entry = await asyncio.wait_for(subscription.queue.get(), HEARTBEAT)
            except TimeoutError:
                await response.write(b"\n")
                continue
            await response.write(json.dumps(entry, ensure_ascii=False).encode() + b"\n")
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        broker.unsubscribe(subscription)
    with contextlib.suppress(ConnectionResetError):
        await response.write_eof()
    return response


def add(router: web.UrlDispatcher, prefix: str) -> None:
    router.add_get(prefix + "/logs", stream_logs)

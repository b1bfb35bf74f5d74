"""Dry runs: which topic handlers an event would match and the exact request each would send, sent nowhere.

Requests are described as plain JSON with every configured secret scrubbed, so the description can be shown on
the web page and returned by the API.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from tocsin.alert.event import Event, alert_data
from tocsin.alert.topics import Derive, TopicTable
from tocsin.delivery.errors import DeliveryError
from tocsin.engine.handlers import TopicHandler, match_context
from tocsin.gotemplate.budget import rendered
from tocsin.handlers.base import ConfigView
from tocsin.handlers.requests import Request
from tocsin.loopslice import Slicer

HIDDEN = "***"
_SECRET_FIELDS = frozenset({"password", "community", "token", "secret"})
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "x-api-key"})

_NOT_SHOWN = frozenset({"redacted_url", "inspect", "memo", "success", "check_reply"})  # hooks, not payload

Scrub = Callable[[str], str]


async def preview(
    event: Event,
    derive: Derive,
    topics: TopicTable,
    handlers: list[TopicHandler],
    config: ConfigView,
    memos: dict[tuple[str, str], str],
    scrub: Scrub,
    slicer: Slicer,
    held_by: str = "",
) -> dict[str, Any]:
    """The dry run of one event: its derived alert data and, per handler, match result and request (each
    render may take a template's whole time budget, so the loop is yielded between handlers)."""
    topics.preview(event, derive)
    ctx = match_context(event)
    results = []
    for handler in handlers:
        entry: dict[str, Any] = {"id": handler.spec.id, "kind": handler.kind.name, "match": handler.spec.match}
        try:
            entry["matched"] = handler.matches(ctx)
        except Exception as exc:
            entry.update(matched=False, error=scrub(f"match failed: {exc}"))
            results.append(entry)
            continue
        if entry["matched"] and handler.kind.skip is not None and handler.kind.skip(event, handler.options):
            entry.update(matched=False, error=f"the {handler.kind.name} kind never sends {event.level.name} events")
        elif entry["matched"]:
            entry.update(await _render(event, handler, config, memos, scrub))
            if held_by:
                entry["silencedBy"] = held_by  # recorded in the delivery log as silenced, never sent
        results.append(entry)
        await slicer.pause()
    return {"topic": event.topic, "event": alert_data(event), "handlers": results}


async def _render(
    event: Event, handler: TopicHandler, config: ConfigView, memos: dict[tuple[str, str], str], scrub: Scrub
) -> dict[str, Any]:
    kind = handler.kind
    if kind.combine is not None:
        return {"request": None, "note": "aggregated: sent as part of the next interval's folded event"}
    render_memo, render = kind.render_memo, kind.render
    try:
        if render_memo is not None:
            memo = memos.get((handler.key, event.id))
            request = await rendered(lambda: render_memo(event, handler.options, config, memo))
        else:
            request = await rendered(lambda: render(event, handler.options, config))
    except DeliveryError as exc:
        return {"request": None, "error": scrub(str(exc))}
    except Exception as exc:
        return {"request": None, "error": scrub(f"cannot build the request: {exc}")}
    return {"request": describe(request, scrub)}


def describe(request: Request, scrub: Scrub) -> dict[str, Any]:
    """A JSON description of a request with secrets hidden (URLs shown redacted, auth headers masked)."""
    out: dict[str, Any] = {"transport": type(request).__name__.removesuffix("Request").lower()}
    for f in dataclasses.fields(request):
        value = getattr(request, f.name)
        if callable(value) or f.name in _NOT_SHOWN:
            continue
        if f.name == "url" and getattr(request, "redacted_url", None):
            value = request.redacted_url  # type: ignore[union-attr]
        if f.name == "event":
            continue
        out[f.name] = _plain(f.name, value, scrub)
    return out


def _plain(name: str, value: Any, scrub: Scrub) -> Any:
    if name.lower() in _SECRET_FIELDS:
        return HIDDEN if value else value
    if isinstance(value, bytes):
        return scrub(value.decode("utf-8", "replace"))
    if isinstance(value, str):
        return scrub(value)
    if name == "headers" and isinstance(value, tuple):
        return [[k, HIDDEN if k.lower() in _SECRET_HEADERS else scrub(v)] for k, v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        label = getattr(value, "name", None) or getattr(value, "id", None)
        return scrub(str(label)) if label is not None else HIDDEN
    if isinstance(value, (list, tuple)):
        return [_plain("", v, scrub) for v in value]
    if isinstance(value, dict):
        return {k: _plain(k, v, scrub) for k, v in value.items()}
    return value

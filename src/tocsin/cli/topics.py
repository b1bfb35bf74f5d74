"""Topic verbs: `list topics`, `show-topic` and `delete topics`."""

from __future__ import annotations

from typing import Any

from tocsin.cli import paths
from tocsin.cli.context import Context
from tocsin.cli.output import left, print_json, print_lines, rfc822_text, right, time_key, widest

# Kapacitor's client defaults min-level to OK; the CLI never narrows it.
MIN_LEVEL_ALL = "OK"


def fetch_topics(ctx: Context, pattern: str) -> list[dict[str, Any]]:
    """The topics whose ID matches the glob `pattern` (empty matches all), sorted by ID."""
    answer = ctx.client.call("GET", paths.TOPICS, query={"pattern": pattern, "min-level": MIN_LEVEL_ALL})
    topics = answer.get("topics") if isinstance(answer, dict) else None
    return [t for t in topics or [] if isinstance(t, dict)]


def list_topics(ctx: Context, patterns: list[str]) -> int:
    """`list topics [patterns...]`: a table `ID Level Collected`, one query per pattern."""
    rows: list[dict[str, Any]] = []
    for pattern in patterns or [""]:
        rows.extend(fetch_topics(ctx, pattern))
    if ctx.json_output:
        print_json(ctx.out, rows)
        return 0
    id_width = widest(len("ID"), [t.get("id") for t in rows]) + 1
    # Kapacitor starts the Level column at 8 characters, wide enough for WARNING and CRITICAL.
    level_width = widest(8, [t.get("level") for t in rows]) + 1
    lines = [left("ID", id_width) + left("Level", level_width) + right("Collected", 10)]
    for t in rows:
        lines.append(left(t.get("id"), id_width) + left(t.get("level"), level_width) + right(t.get("collected", 0), 10))
    print_lines(ctx.out, lines)
    return 0


def _events(ctx: Context, topic: dict[str, Any], topic_id: str) -> list[dict[str, Any]]:
    href = paths.href(topic, "events-link", paths.topic(topic_id) + "/events")
    answer = ctx.client.call("GET", href, query={"min-level": MIN_LEVEL_ALL})
    events = answer.get("events") if isinstance(answer, dict) else None
    found = [e for e in events or [] if isinstance(e, dict)]
    # The API returns events in no defined order; show them oldest first, as Kapacitor's CLI does.
    return sorted(found, key=lambda e: time_key(_state(e).get("time")))


def _handlers(ctx: Context, topic: dict[str, Any], topic_id: str) -> list[dict[str, Any]]:
    href = paths.href(topic, "handlers-link", paths.topic_handlers(topic_id))
    answer = ctx.client.call("GET", href, query={"pattern": ""})
    handlers = answer.get("handlers") if isinstance(answer, dict) else None
    return [h for h in handlers or [] if isinstance(h, dict)]


def _state(event: dict[str, Any]) -> dict[str, Any]:
    state = event.get("state")
    return state if isinstance(state, dict) else {}


def show_topic(ctx: Context, topic_id: str) -> int:
    """`show-topic TOPIC`: the topic's fields, its handler IDs and a table of its events."""
    topic = ctx.client.call("GET", paths.topic(topic_id))
    if not isinstance(topic, dict):
        topic = {}
    events = _events(ctx, topic, topic_id)
    handlers = _handlers(ctx, topic, topic_id)
    if ctx.json_output:
        print_json(ctx.out, {"topic": topic, "handlers": handlers, "events": events})
        return 0
    event_width = widest(len("Event"), [e.get("id") for e in events]) + 1
    message_width = widest(len("Message"), [_state(e).get("message") for e in events]) + 1

    def row(event: object, level: object, message: object, date: object) -> str:
        return left(event, event_width) + left(level, 9) + left(message, message_width) + left(date, 23)

    handler_ids = ", ".join(str(h.get("id", "")) for h in handlers)
    lines = [
        f"ID: {topic.get('id', '')}",
        f"Level: {topic.get('level', '')}",
        f"Collected: {topic.get('collected', 0)}",
        f"Handlers: [{handler_ids}]",
        "Events:",
        row("Event", "Level", "Message", "Date"),
    ]
    for e in events:
        state = _state(e)
        lines.append(row(e.get("id"), state.get("level"), state.get("message"), rfc822_text(state.get("time"))))
    print_lines(ctx.out, lines)
    return 0


def delete_topics(ctx: Context, patterns: list[str]) -> int:
    """`delete topics PATTERNS...`: list the matching topics, then delete each one."""
    deleted: list[dict[str, Any]] = []
    for pattern in patterns:
        for t in fetch_topics(ctx, pattern):
            ctx.client.call("DELETE", paths.href(t, "link", paths.topic(str(t.get("id", "")))), expect=204)
            deleted.append(t)
    if ctx.json_output:
        print_json(ctx.out, deleted)
    return 0

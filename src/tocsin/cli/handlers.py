"""Topic-handler verbs: `define-topic-handler`, `show-topic-handler`, `list topic-handlers`, `delete topic-handlers`."""

from __future__ import annotations

from typing import Any

from tocsin.cli import paths
from tocsin.cli.context import Context
from tocsin.cli.errors import ApiError
from tocsin.cli.output import compact_json, left, print_json, print_lines, widest
from tocsin.cli.topics import fetch_topics


def _existing_handler(ctx: Context, href: str) -> bool:
    # Kapacitor's CLI treats any failed lookup as "does not exist yet" and lets the POST report the problem.
    try:
        answer = ctx.client.call("GET", href)
    except ApiError:
        return False
    return isinstance(answer, dict) and bool(answer.get("id"))


def define_topic_handler(ctx: Context, path: str) -> int:
    """`define-topic-handler FILE`: PUT the handler if it exists on its topic, else POST it there."""
    # Imported here so that only this verb pays for loading PyYAML.
    from tocsin.cli.handler_file import load_handler_file

    spec = load_handler_file(path)
    href = paths.topic_handler(spec["topic"], spec["id"])
    if _existing_handler(ctx, href):
        answer = ctx.client.call("PUT", href, body=spec)
    else:
        answer = ctx.client.call("POST", paths.topic_handlers(spec["topic"]), body=spec)
    if ctx.json_output:
        print_json(ctx.out, answer)
    return 0


def show_topic_handler(ctx: Context, topic_id: str, handler_id: str) -> int:
    """`show-topic-handler TOPIC HANDLER`: ID, Topic, Kind, Match and the options as compact JSON."""
    handler = ctx.client.call("GET", paths.topic_handler(topic_id, handler_id))
    if ctx.json_output:
        print_json(ctx.out, handler)
        return 0
    if not isinstance(handler, dict):
        handler = {}
    lines = [
        f"ID: {handler.get('id', '')}",
        f"Topic: {topic_id}",
        f"Kind: {handler.get('kind', '')}",
        f"Match: {handler.get('match', '')}",
        f"Options: {compact_json(handler.get('options'))}",
    ]
    print_lines(ctx.out, lines)
    return 0


def fetch_handlers(ctx: Context, href: str, pattern: str) -> list[dict[str, Any]]:
    """The handlers listed at `href` whose ID matches the glob `pattern` (empty matches all)."""
    answer = ctx.client.call("GET", href, query={"pattern": pattern})
    handlers = answer.get("handlers") if isinstance(answer, dict) else None
    return [h for h in handlers or [] if isinstance(h, dict)]


def list_topic_handlers(ctx: Context, patterns: list[str]) -> int:
    """`list topic-handlers [topicPattern] [handlerPatterns...]`: a table `Topic ID Kind`."""
    topic_pattern = patterns[0] if patterns else ""
    handler_patterns = patterns[1:] or [""]
    rows: list[dict[str, Any]] = []
    for topic in fetch_topics(ctx, topic_pattern):
        topic_id = str(topic.get("id", ""))
        href = paths.href(topic, "handlers-link", paths.topic_handlers(topic_id))
        for pattern in handler_patterns:
            rows.extend({"topic": topic_id, **h} for h in fetch_handlers(ctx, href, pattern))
    if ctx.json_output:
        print_json(ctx.out, rows)
        return 0
    # Kapacitor starts every column of this table at 10 characters.
    widths = [widest(10, [r.get(key) for r in rows]) + 1 for key in ("topic", "id", "kind")]

    def row(topic: object, handler: object, kind: object) -> str:
        return left(topic, widths[0]) + left(handler, widths[1]) + left(kind, widths[2])

    lines = [row("Topic", "ID", "Kind")]
    lines.extend(row(r.get("topic"), r.get("id"), r.get("kind")) for r in rows)
    print_lines(ctx.out, lines)
    return 0


def delete_topic_handlers(ctx: Context, topic_id: str, patterns: list[str]) -> int:
    """`delete topic-handlers TOPIC PATTERNS...`: list the topic's matching handlers, then delete each one."""
    deleted: list[dict[str, Any]] = []
    for pattern in patterns:
        for h in fetch_handlers(ctx, paths.topic_handlers(topic_id), pattern):
            fallback = paths.topic_handler(topic_id, str(h.get("id", "")))
            ctx.client.call("DELETE", paths.href(h, "link", fallback), expect=204)
            deleted.append(h)
    if ctx.json_output:
        print_json(ctx.out, deleted)
    return 0

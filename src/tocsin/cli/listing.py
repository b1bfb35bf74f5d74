"""`list` and `delete`: pick the resource kind, then hand the patterns to its module."""

from __future__ import annotations

from collections.abc import Callable

from tocsin.cli.context import Context
from tocsin.cli.errors import CommandError, UsageError
from tocsin.cli.handlers import delete_topic_handlers, list_topic_handlers
from tocsin.cli.record import delete_recordings, delete_replays, list_recordings, list_replays
from tocsin.cli.service_tests import list_service_tests
from tocsin.cli.tasks import delete_tasks, list_tasks
from tocsin.cli.templates import delete_templates, list_templates
from tocsin.cli.topics import delete_topics, list_topics

LIST_KINDS: dict[str, Callable[[Context, list[str]], int]] = {
    "tasks": list_tasks,
    "templates": list_templates,
    "topics": list_topics,
    "recordings": list_recordings,
    "replays": list_replays,
    "topic-handlers": list_topic_handlers,
    "service-tests": list_service_tests,
}
LIST_MISSING_KIND = "must specify 'topics', 'topic-handlers' or 'service-tests'"
LIST_UNKNOWN_KIND = (
    "cannot list '{kind}' did you mean 'tasks', 'templates', 'recordings', 'replays', 'topics', 'topic-handlers' "
    "or 'service-tests'?"
)
DELETE_KINDS: dict[str, Callable[[Context, list[str]], int]] = {
    "tasks": delete_tasks,
    "templates": delete_templates,
    "topics": delete_topics,
    "recordings": delete_recordings,
    "replays": delete_replays,
}
DELETE_MISSING_ID = "must pass at least one ID or pattern"
DELETE_MISSING_TOPIC = "must pass a topic ID and at least one handler ID or pattern"
DELETE_UNKNOWN_KIND = (
    "cannot delete '{kind}' did you mean 'tasks', 'templates', 'recordings', 'replays', 'topics' or 'topic-handlers'?"
)


def run_list(ctx: Context, words: list[str]) -> int:
    """`list KIND [patterns...]`."""
    if not words:
        raise UsageError(LIST_MISSING_KIND, "list")
    kind, patterns = words[0], words[1:]
    if kind not in LIST_KINDS:
        raise CommandError(LIST_UNKNOWN_KIND.format(kind=kind))
    return LIST_KINDS[kind](ctx, patterns)


def run_delete(ctx: Context, words: list[str]) -> int:
    """`delete tasks|templates|topics PATTERNS...` or `delete topic-handlers TOPIC PATTERNS...`."""
    if len(words) < 2:
        raise UsageError(DELETE_MISSING_ID, "delete")
    kind = words[0]
    if kind in DELETE_KINDS:
        return DELETE_KINDS[kind](ctx, words[1:])
    if kind == "topic-handlers":
        if len(words) < 3:
            raise UsageError(DELETE_MISSING_TOPIC, "delete")
        return delete_topic_handlers(ctx, words[1], words[2:])
    raise CommandError(DELETE_UNKNOWN_KIND.format(kind=kind))

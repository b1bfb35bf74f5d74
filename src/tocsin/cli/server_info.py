"""Verbs about the server itself, as Kapacitor's CLI has them: `level`, `stats general|ingress`, `vars`."""

from __future__ import annotations

import json
from typing import Any

from tocsin.cli import paths
from tocsin.cli.context import Context
from tocsin.cli.errors import UsageError
from tocsin.cli.output import left, print_json, print_lines
from tocsin.logstream import logfmt

LEVELS = ("debug", "info", "warn", "error")
STATS_CATEGORIES = ("general", "ingress")
MAIN_TASK_MASTER = "main"


def set_level(ctx: Context, words: list[str]) -> int:
    """`level LEVEL`: the server's log level (POST /loglevel)."""
    if not words:
        raise UsageError("Must pass a log level", "level")
    if len(words) > 1:
        raise UsageError("level takes one log level", "level")
    ctx.client.call("POST", paths.LOG_LEVEL, body={"level": words[0].upper()}, expect=204)
    return 0


def debug_vars(ctx: Context) -> dict[str, Any]:
    answer = ctx.client.call("GET", paths.DEBUG_VARS)
    return answer if isinstance(answer, dict) else {}


def show_vars(ctx: Context, words: list[str]) -> int:
    """`vars`: the debug vars as the server answers them (JSON)."""
    if words:
        raise UsageError("vars takes no arguments", "vars")
    ctx.out.write(json.dumps(debug_vars(ctx), ensure_ascii=False) + "\n")
    return 0


def show_stats(ctx: Context, words: list[str]) -> int:
    """`stats general|ingress`: Kapacitor's layouts (`%-30s` columns), or `-json` for scripts."""
    if len(words) != 1 or words[0] not in STATS_CATEGORIES:
        raise UsageError("must provide a stats category", "stats")
    got = debug_vars(ctx)
    if words[0] == "general":
        general = {
            "ClusterID": got.get("cluster_id", ""),
            "ServerID": got.get("server_id", ""),
            "Host": got.get("host", ""),
            "Tasks": got.get("num_tasks", 0),
            "Enabled Tasks": got.get("num_enabled_tasks", 0),
            "Subscriptions": got.get("num_subscriptions", 0),
            "Version": got.get("version", ""),
        }
        if ctx.json_output:
            print_json(ctx.out, general)
            return 0
        print_lines(ctx.out, [left(f"{name}:", 30) + left(value, 30) for name, value in general.items()])
        return 0
    rows = sorted(_ingress(got))
    if ctx.json_output:
        print_json(
            ctx.out,
            [{"database": d, "retention_policy": r, "measurement": m, "points_received": n} for d, r, m, n in rows],
        )
        return 0
    lines = [
        left("Database", 30) + left("Retention Policy", 30) + left("Measurement", 30) + left("Points Received", 20)
    ]
    lines.extend(left(d, 30) + left(r, 30) + left(m, 30) + left(f"{n:.0f}", 20) for d, r, m, n in rows)
    print_lines(ctx.out, lines)
    return 0


def _ingress(got: dict[str, Any]) -> list[tuple[str, str, str, float]]:
    """The main task master's `ingress` statistics: (database, retention policy, measurement, points)."""
    stats = got.get("kapacitor")
    out: list[tuple[str, str, str, float]] = []
    for stat in (stats or {}).values() if isinstance(stats, dict) else ():
        if not isinstance(stat, dict) or stat.get("name") != "ingress":
            continue
        tags, values = stat.get("tags") or {}, stat.get("values") or {}
        if tags.get("task_master") != MAIN_TASK_MASTER:
            continue
        received = values.get("points_received", 0)
        number = float(received) if isinstance(received, int | float) and not isinstance(received, bool) else 0.0
        out.append(
            (
                str(tags.get("database", "")),
                str(tags.get("retention_policy", "")),
                str(tags.get("measurement", "")),
                number,
            )
        )
    return out


def _filters(words: list[str], verb: str) -> dict[str, str]:
    filters: dict[str, str] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or not key:
            raise UsageError(f"invalid filter {word!r}: expected key=value", verb)
        filters[key] = value
    return filters


def _follow(ctx: Context, filters: dict[str, str]) -> int:
    for entry in ctx.client.stream(paths.LOGS, query=filters):
        if ctx.json_output:
            ctx.out.write(json.dumps(entry, ensure_ascii=False) + "\n")
        else:
            ctx.out.write(logfmt(entry) + "\n")
        ctx.out.flush()
    return 0


def show_logs(ctx: Context, words: list[str]) -> int:
    """`logs [key=value]...`: the server's log as it happens (`lvl=warn` and up; `service=`, `task=`, ...)."""
    return _follow(ctx, _filters(words, "logs"))


def watch_task(ctx: Context, words: list[str]) -> int:
    """`watch <task ID> [key=value]...`: a task's log lines as they happen."""
    if not words:
        raise UsageError("Must pass a task ID", "watch")
    return _follow(ctx, {**_filters(words[1:], "watch"), "task": words[0]})


def backup(ctx: Context, words: list[str]) -> int:
    """`backup <file>`: a copy of the server's store (SQLite), saved to the file (mode 0600)."""
    if len(words) != 1:
        raise UsageError("Must pass the path of the backup file", "backup")
    ctx.client.download(paths.STORAGE_BACKUP, words[0])
    return 0

"""`record`, `replay`, `replay-live`, and `list|delete recordings|replays`, with Kapacitor's flags and layouts.

Like Kapacitor's CLI, `record` and `replay` print the ID once the work is done (polling every 500ms), or at
once with `-no-wait`; a failed recording or replay is an error carrying its `error` text.
"""

from __future__ import annotations

import math
import time
from typing import Any

from tocsin.cli.context import Context
from tocsin.cli.errors import ApiError, CommandError, UsageError
from tocsin.cli.flags import FlagSet, ParsedArgs
from tocsin.cli.output import print_json, print_lines, rfc822_text
from tocsin.cli.tasks import list_pages
from tocsin.expr.gostrconv import parse_influx_duration
from tocsin.gocompat.timefmt import format_rfc3339nano, parse_rfc3339

RECORDINGS = "/kapacitor/v1/recordings"
REPLAYS = "/kapacitor/v1/replays"
ZERO_TIME = "0001-01-01T00:00:00Z"
POLL = 0.5

# Kapacitor's texts.
UNKNOWN_RECORD = "Unknown record type {kind}, expected 'stream', 'batch' or 'query'"
UNKNOWN_REPLAY_LIVE = "Unknown replay-live type {kind}, expected 'batch' or 'query'"
STREAM_REQUIRED = "both task and duration are required"
TASK_REQUIRED = "task is required"
START_OR_PAST = "must set one of start or past flags."
NOT_BOTH = "cannot set both start and past flags."
QUERY_TYPE_REQUIRED = "both query and type are required"
QUERY_TASK_REQUIRED = "both query and task are required"
NO_RECORDING_ID = "must pass recording ID"
NO_TASK_ID = "must pass task ID"
RECORDING_FAILED = "recording failed: unknown reason"
REPLAY_FAILED = "replay failed: unknown reason"
BAD_TASK_TYPE = "json: error calling MarshalText for type client.TaskType: unknown TaskType 0"
INVALID_DURATION = "invalid duration"
MISSING_KIND = "must pass one of {kinds}"


def _go_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _common(flags: FlagSet, what: str) -> None:
    flags.add("no-wait", False, f"Do not wait for the {what} to finish.")


def _replay_flags(flags: FlagSet) -> None:
    flags.add("task", "", "The task ID.")
    flags.add("real-clock", False, "If set, replay the data in real time. If not set replay data as fast as possible.")
    flags.add("rec-time", False, "If set, use the times saved in the recording instead of present times.")
    flags.add("replay-id", "", "The ID to give to this replay. If not set a random ID is chosen.")
    _common(flags, "replay")


def _range_flags(flags: FlagSet) -> None:
    flags.add("start", "", "The start time for the set of queries.")
    flags.add("stop", "", "The stop time for the set of queries (default now).")
    flags.add("past", "", "Set start time via 'now - past'.")


def record_flags(kind: str) -> FlagSet:
    """The flags of `record stream|batch|query`."""
    flags = FlagSet("record")
    if kind == "stream":
        flags.add("task", "", "The ID of a task. Uses the dbrp value for the task.")
        flags.add("duration", "", "How long to record the data stream.")
    elif kind == "batch":
        flags.add("task", "", "The ID of a task. Uses the queries contained in the task.")
        _range_flags(flags)
    else:
        flags.add("query", "", "The query to record.")
        flags.add("type", "", "The type of the recording to save (stream|batch).")
        flags.add("cluster", "", "Optional named InfluxDB cluster from configuration.")
    _common(flags, "recording")
    flags.add("recording-id", "", "The ID to give to this recording. If not set an random ID is chosen.")
    return flags


def replay_flags() -> FlagSet:
    """The flags of `replay`."""
    flags = FlagSet("replay")
    flags.add("recording", "", "The recording ID.")
    _replay_flags(flags)
    return flags


def replay_live_flags(kind: str) -> FlagSet:
    """The flags of `replay-live batch|query`."""
    flags = FlagSet("replay-live")
    _replay_flags(flags)
    if kind == "batch":
        _range_flags(flags)
    else:
        flags.add("query", "", "The query to replay.")
        flags.add("cluster", "", "Optional named InfluxDB cluster from configuration.")
    return flags


def _duration(text: str) -> int:
    try:
        return parse_influx_duration(text)
    except ValueError:
        raise CommandError(INVALID_DURATION) from None


def _time(text: str) -> int:
    try:
        return parse_rfc3339(text)
    except ValueError as exc:
        raise CommandError(f"parsing time {_go_quote(text)}: {exc}") from None


def _range(parsed: ParsedArgs, verb: str) -> tuple[str, str]:
    start, stop, past = parsed.string("start"), parsed.string("stop"), parsed.string("past")
    if not start and not past:
        raise UsageError(START_OR_PAST, verb)
    if start and past:
        raise UsageError(NOT_BOTH, verb)
    stop_ns = _time(stop) if stop else time.time_ns()
    start_ns = _time(start) if start else stop_ns - _duration(past)
    return format_rfc3339nano(start_ns), format_rfc3339nano(stop_ns)


def _with_id(value: str, body: dict[str, Any]) -> dict[str, Any]:
    # the Go client's `id,omitempty`: no key at all for an empty ID
    return {"id": value, **body} if value else body


def run_record(ctx: Context, args: list[str]) -> int:
    """`record stream|batch|query [flags]`."""
    if not args:
        raise UsageError(MISSING_KIND.format(kinds="stream, batch or query"), "record")
    kind = args[0]
    if kind not in ("stream", "batch", "query"):
        raise CommandError(UNKNOWN_RECORD.format(kind=_go_quote(kind)))
    parsed = ctx.parse(record_flags(kind), args[1:])
    rid = parsed.string("recording-id")
    if kind == "stream":
        task, duration = parsed.string("task"), parsed.string("duration")
        if not task or not duration:
            raise UsageError(STREAM_REQUIRED, "record")
        stop = format_rfc3339nano(time.time_ns() + _duration(duration))
        body = _with_id(rid, {"task": task, "stop": stop})
    elif kind == "batch":
        task = parsed.string("task")
        if not task:
            raise UsageError(TASK_REQUIRED, "record")
        start, stop = _range(parsed, "record")
        body = _with_id(rid, {"task": task, "start": start, "stop": stop})
    else:
        query, kind_flag = parsed.string("query"), parsed.string("type")
        if not query or not kind_flag:
            raise UsageError(QUERY_TYPE_REQUIRED, "record")
        if kind_flag not in ("stream", "batch"):
            raise CommandError(BAD_TASK_TYPE)
        body = _with_id(rid, {"query": query, "type": kind_flag})
        if parsed.string("cluster"):
            body["cluster"] = parsed.string("cluster")
    answer = ctx.client.call("POST", f"{RECORDINGS}/{kind}", body=body, expect=201)
    return _finish(ctx, answer, parsed.boolean("no-wait"), RECORDING_FAILED)


def run_replay(ctx: Context, args: list[str]) -> int:
    """`replay -recording ID -task ID [-rec-time] [-real-clock] [-replay-id ID] [-no-wait]`."""
    parsed = ctx.parse(replay_flags(), args)
    if not parsed.string("recording"):
        raise UsageError(NO_RECORDING_ID, "replay")
    if not parsed.string("task"):
        raise UsageError(NO_TASK_ID, "replay")
    body = {
        "id": parsed.string("replay-id"),  # CreateReplayOptions has no omitempty on the ID
        "recording": parsed.string("recording"),
        "task": parsed.string("task"),
        "recording-time": parsed.boolean("rec-time"),
        "clock": "real" if parsed.boolean("real-clock") else "fast",
    }
    answer = ctx.client.call("POST", REPLAYS, body=body, expect=201)
    return _finish(ctx, answer, parsed.boolean("no-wait"), REPLAY_FAILED)


def run_replay_live(ctx: Context, args: list[str]) -> int:
    """`replay-live batch|query [flags]`: replay InfluxDB data without keeping a recording."""
    if not args:
        raise UsageError(MISSING_KIND.format(kinds="batch or query"), "replay-live")
    kind = args[0]
    if kind not in ("batch", "query"):
        raise CommandError(UNKNOWN_REPLAY_LIVE.format(kind=_go_quote(kind)))
    parsed = ctx.parse(replay_live_flags(kind), args[1:])
    task, rid = parsed.string("task"), parsed.string("replay-id")
    clock = {"recording-time": parsed.boolean("rec-time"), "clock": "real" if parsed.boolean("real-clock") else "fast"}
    if kind == "batch":
        if not task:
            raise UsageError(TASK_REQUIRED, "replay-live")
        start, stop = _range(parsed, "replay-live")
        body = _with_id(rid, {"task": task, "start": start, "stop": stop, **clock})
    else:
        query = parsed.string("query")
        if not query or not task:
            raise UsageError(QUERY_TASK_REQUIRED, "replay-live")
        body = _with_id(rid, {"task": task, "query": query})
        if parsed.string("cluster"):
            body["cluster"] = parsed.string("cluster")
        body.update(clock)
    answer = ctx.client.call("POST", f"{REPLAYS}/{kind}", body=body, expect=201)
    return _finish(ctx, answer, parsed.boolean("no-wait"), REPLAY_FAILED)


def _finish(ctx: Context, answer: Any, no_wait: bool, unknown: str) -> int:
    item: dict[str, Any] = answer if isinstance(answer, dict) else {}
    if not no_wait:
        link = item.get("link")
        href = link.get("href") if isinstance(link, dict) else None
        while item.get("status") == "running" and href:
            time.sleep(POLL)
            item = _poll(ctx, str(href), item)
    if ctx.json_output:
        print_json(ctx.out, item)
    else:
        ctx.write(str(item.get("id", "")))
    if not no_wait and item.get("status") == "failed":
        raise CommandError(str(item.get("error") or unknown))
    return 0


def _poll(ctx: Context, href: str, previous: dict[str, Any]) -> dict[str, Any]:
    """The object at `href`; a 202 (still running) keeps the previous answer's state."""
    try:
        answer = ctx.client.call("GET", href)
    except ApiError as exc:
        if exc.status == 202:
            return previous
        raise
    return answer if isinstance(answer, dict) else previous


def human_bytes(size: int) -> str:
    """go-humanize's Bytes: SI units, one decimal below 10 (`0 B`, `9.9 kB`, `35 MB`)."""
    if size < 10:
        return f"{size} B"
    exponent = min(6, math.floor(math.log(size) / math.log(1000)))
    value = math.floor(size / 1000**exponent * 10 + 0.5) / 10
    suffix = ("B", "kB", "MB", "GB", "TB", "PB", "EB")[exponent]
    return f"{value:.1f} {suffix}" if value < 10 else f"{value:.0f} {suffix}"


def _pages(ctx: Context, href: str, key: str, pattern: str, fields: list[str], *, advance: bool = True) -> Any:
    return list_pages(ctx, href, key, {"pattern": pattern, "fields": fields}, advance=advance)


def list_recordings(ctx: Context, patterns: list[str]) -> int:
    """`list recordings [patterns...]`: `ID Type Status Size Date`, in the server's order (newest first)."""
    rows: list[dict[str, Any]] = []
    for pattern in patterns or [""]:
        rows.extend(_pages(ctx, RECORDINGS, "recordings", pattern, ["type", "size", "date", "status"]))
    if ctx.json_output:
        print_json(ctx.out, rows)
        return 0
    width = max([2, *(len(str(r.get("id", ""))) for r in rows)]) + 1
    lines = [f"{'ID':<{width}}{'Type':<8}{'Status':<10}{'Size':<10}{'Date':<23}"]
    for r in rows:
        size = human_bytes(int(r.get("size") or 0))
        fields = (str(r.get("type", "")), str(r.get("status", "")), size, rfc822_text(r.get("date")))
        lines.append(f"{r.get('id', '')!s:<{width}}{fields[0]:<8}{fields[1]:<10}{fields[2]:<10}{fields[3]:<23}")
    print_lines(ctx.out, lines)
    return 0


def list_replays(ctx: Context, patterns: list[str]) -> int:
    """`list replays [patterns...]`: `ID Task Recording Status Clock Date`, in the server's order."""
    rows: list[dict[str, Any]] = []
    for pattern in patterns or [""]:
        rows.extend(_pages(ctx, REPLAYS, "replays", pattern, ["task", "recording", "status", "clock", "date"]))
    if ctx.json_output:
        print_json(ctx.out, rows)
        return 0
    widths = [max([minimum, *(len(str(r.get(key, ""))) for r in rows)]) + 1 for key, minimum in _REPLAY_WIDTHS]
    lines = [_replay_line(widths, "ID", "Task", "Recording", "Status", "Clock", "Date")]
    for r in rows:
        cells = [str(r.get(k, "")) for k in ("id", "task", "recording", "status", "clock")]
        lines.append(_replay_line(widths, *cells, rfc822_text(r.get("date"))))
    print_lines(ctx.out, lines)
    return 0


_REPLAY_WIDTHS = (("id", 2), ("task", 4), ("recording", 9))


def _replay_line(widths: list[int], *cells: str) -> str:
    fixed = [*widths, 9, 8, 23]
    return "".join(f"{cell:<{width}}" for cell, width in zip(cells, fixed, strict=True))


def _delete(ctx: Context, href: str, key: str, patterns: list[str]) -> int:
    deleted: list[Any] = []
    for pattern in patterns:
        for item in _pages(ctx, href, key, pattern, ["link"], advance=False):
            link = item.get("link")
            target = link.get("href") if isinstance(link, dict) else None
            ctx.client.call("DELETE", target or f"{href}/{item.get('id', '')}", expect=204)
            deleted.append(item)
    if ctx.json_output:
        print_json(ctx.out, deleted)
    return 0


def delete_recordings(ctx: Context, patterns: list[str]) -> int:
    """`delete recordings PATTERNS...`: list the matches with `fields=link`, delete them, repeat."""
    return _delete(ctx, RECORDINGS, "recordings", patterns)


def delete_replays(ctx: Context, patterns: list[str]) -> int:
    """`delete replays PATTERNS...`."""
    return _delete(ctx, REPLAYS, "replays", patterns)

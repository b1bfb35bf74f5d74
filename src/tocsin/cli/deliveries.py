"""`deliveries`: list, show and retry deliveries through Tocsin's extension API (/tocsin/v1/deliveries)."""

from __future__ import annotations

from typing import Any

from tocsin.cli import paths
from tocsin.cli.context import Context
from tocsin.cli.errors import UsageError
from tocsin.cli.flags import FLAG_INVALID_VALUE, FlagSet, ParsedArgs
from tocsin.cli.output import print_json, print_lines, rfc822_text, table
from tocsin.gocompat.duration import MILLISECOND, format_duration, parse_duration
from tocsin.gocompat.timefmt import format_rfc3339nano, now_ns, parse_rfc3339

VERB = "deliveries"
STATUSES = ("pending", "delivered", "dead")
LIST_FLAGS = ("topic", "handler", "status", "since", "limit")
SINCE_INVALID = "must be a duration (30m, 1h) or an RFC 3339 time"
LIMIT_INVALID = "must be a positive number"
BAD_ID = 'invalid delivery ID "{text}": must be a positive number'
UNKNOWN_SUBCOMMAND = 'unknown deliveries command "{name}"; use list, show or retry'
LIST_ONLY_FLAG = "-{name} applies only to 'deliveries list'"
TABLE_HEADERS = ("ID", "Topic", "Handler", "Kind", "Alert", "Status", "Attempts", "Last Updated")


def delivery_flags() -> FlagSet:
    """The filters of `deliveries list`."""
    flags = FlagSet(VERB)
    flags.add("topic", "", "Only deliveries of this topic.")
    flags.add("handler", "", "Only deliveries of this handler ID.")
    flags.add("status", "", "Only deliveries in this state.", choices=STATUSES)
    flags.add("since", "", "Only deliveries updated since this time (a duration ago, or RFC 3339).")
    flags.add("limit", 0, "Show at most this many deliveries.")
    return flags


def since_query(text: str) -> str:
    """The `since` parameter: a duration becomes the RFC 3339 time that long ago; a time is sent as given."""
    try:
        ago = parse_duration(text)
    except ValueError:
        ago = -1
    if ago >= 0:
        return format_rfc3339nano(now_ns() - ago)
    try:
        parse_rfc3339(text)
    except ValueError:
        raise UsageError(FLAG_INVALID_VALUE.format(value=text, name="since", reason=SINCE_INVALID), VERB) from None
    return text


def list_query(parsed: ParsedArgs) -> dict[str, str]:
    """The query of `GET /tocsin/v1/deliveries` for the filters given on the command line."""
    query = {name: parsed.string(name) for name in ("topic", "handler", "status") if parsed.string(name)}
    if parsed.string("since"):
        query["since"] = since_query(parsed.string("since"))
    if "limit" in parsed.given:
        limit = parsed.integer("limit")
        if limit <= 0:
            raise UsageError(FLAG_INVALID_VALUE.format(value=limit, name="limit", reason=LIMIT_INVALID), VERB)
        query["limit"] = str(limit)
    return query


def delivery_id(text: str) -> int:
    """A delivery ID from the command line."""
    if not text.isdigit() or int(text) <= 0:
        raise UsageError(BAD_ID.format(text=text), VERB)
    return int(text)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _latency(value: object) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_duration(round(value * MILLISECOND))
    return ""


def detail_lines(d: dict[str, Any]) -> list[str]:
    """`deliveries show`: one `Key: value` line per field; times as the API sent them (RFC 3339, UTC)."""
    fields = [
        ("ID", _text(d.get("id"))),
        ("Topic", _text(d.get("topic"))),
        ("Handler", _text(d.get("handler"))),
        ("Kind", _text(d.get("kind"))),
        ("Alert ID", _text(d.get("alertId"))),
        ("Level", _text(d.get("level"))),
        ("Status", _text(d.get("status"))),
        ("Attempts", _text(d.get("attempts"))),
        ("Last Status Code", _text(d.get("lastStatusCode"))),
        ("Last Error", _text(d.get("lastError"))),
        ("Latency", _latency(d.get("latencyMs"))),
        ("Created", _text(d.get("created"))),
        ("Updated", _text(d.get("updated"))),
        ("Next Attempt", _text(d.get("nextAttempt"))),
        ("Delivered At", _text(d.get("deliveredAt"))),
    ]
    return [f"{label}: {value}" if value else f"{label}:" for label, value in fields]


def list_deliveries(ctx: Context, parsed: ParsedArgs) -> int:
    """`deliveries list`: newest first, as a table or (with --json) the API's delivery objects."""
    query = list_query(parsed)
    answer = ctx.client.call("GET", paths.DELIVERIES, query=query or None)
    found = answer.get("deliveries") if isinstance(answer, dict) else None
    rows = [d for d in found or [] if isinstance(d, dict)]
    if ctx.json_output:
        print_json(ctx.out, rows)
        return 0
    cells = [
        [
            d.get("id"),
            d.get("topic"),
            d.get("handler"),
            d.get("kind"),
            d.get("alertId"),
            d.get("status"),
            d.get("attempts"),
            rfc822_text(d.get("updated")),
        ]
        for d in rows
    ]
    print_lines(ctx.out, table(TABLE_HEADERS, cells))
    return 0


def show_delivery(ctx: Context, ids: list[str]) -> int:
    """`deliveries show ID`."""
    if len(ids) != 1:
        raise UsageError("must specify one delivery ID", VERB)
    answer = ctx.client.call("GET", paths.delivery(delivery_id(ids[0])))
    if ctx.json_output:
        print_json(ctx.out, answer)
        return 0
    print_lines(ctx.out, detail_lines(answer if isinstance(answer, dict) else {}))
    return 0


def retry_deliveries(ctx: Context, ids: list[str]) -> int:
    """`deliveries retry ID...`: queue each dead delivery again; stops at the first failure."""
    if not ids:
        raise UsageError("must specify at least one delivery ID", VERB)
    numbers = [delivery_id(text) for text in ids]
    answers = []
    for number in numbers:
        answer = ctx.client.call("POST", paths.delivery_retry(number))
        answers.append(answer)
        if not ctx.json_output:
            status = answer.get("status", "") if isinstance(answer, dict) else ""
            ctx.write(f"Delivery {number} is {status}")
    if ctx.json_output:
        print_json(ctx.out, answers)
    return 0


def run_deliveries(ctx: Context, args: list[str]) -> int:
    """`deliveries [list|show|retry] ...`."""
    parsed = ctx.parse(delivery_flags(), args)
    words = parsed.positional
    command = words[0] if words else "list"
    if command == "list":
        if len(words) > 1:
            raise UsageError(f'unexpected argument "{words[1]}"', VERB)
        return list_deliveries(ctx, parsed)
    if command not in ("show", "retry"):
        raise UsageError(UNKNOWN_SUBCOMMAND.format(name=command), VERB)
    for name in LIST_FLAGS:
        if name in parsed.given:
            raise UsageError(LIST_ONLY_FLAG.format(name=name), VERB)
    if command == "show":
        return show_delivery(ctx, words[1:])
    return retry_deliveries(ctx, words[1:])

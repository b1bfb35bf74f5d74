"""`silence`: add, query, expire and import silences through Tocsin's API (/tocsin/v1/silences), with matchers
written as amtool writes them (`host=db3`, `alertname=~disk.*`, `team!=ops`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tocsin.cli import paths
from tocsin.cli.context import Context
from tocsin.cli.errors import UsageError
from tocsin.cli.flags import FLAG_INVALID_VALUE, FlagSet, ParsedArgs
from tocsin.cli.output import print_json, print_lines, rfc822_text, table
from tocsin.gocompat.duration import parse_duration
from tocsin.gocompat.timefmt import format_rfc3339nano, now_ns, parse_rfc3339
from tocsin.silences.filters import FilterError, parse_filter
from tocsin.silences.matchers import Matcher

VERB = "silence"
UNKNOWN_SUBCOMMAND = 'unknown silence command "{name}"; use add, query, expire or import'
TABLE_HEADERS = ("ID", "Matchers", "State", "Ends At", "Created By", "Comment")
DURATION_INVALID = "must be a positive duration (1h, 30m)"
TIME_INVALID = "must be an RFC 3339 time"


def silence_flags() -> FlagSet:
    flags = FlagSet(VERB)
    flags.add("duration", "1h", "add: how long the silence lasts (when -end is not given).")
    flags.add("start", "", "add: when it begins (RFC 3339; default now).")
    flags.add("end", "", "add: when it ends (RFC 3339).")
    flags.add("author", "", "add: who made it (createdBy).")
    flags.add("comment", "", "add: why.")
    flags.add("expired", False, "query: show expired silences too.")
    return flags


def _matcher_json(text: str) -> dict[str, Any]:
    try:
        return parse_filter(text).to_json()
    except FilterError as exc:
        raise UsageError(str(exc), VERB) from None


def _time(parsed: ParsedArgs, name: str) -> int | None:
    text = parsed.string(name)
    if not text:
        return None
    try:
        return parse_rfc3339(text)
    except ValueError:
        raise UsageError(FLAG_INVALID_VALUE.format(value=text, name=name, reason=TIME_INVALID), VERB) from None


def add_silence(ctx: Context, parsed: ParsedArgs, matchers: list[str]) -> int:
    """`silence add matcher...`: prints the new silence's ID."""
    if not matchers:
        raise UsageError("must specify at least one matcher (name=value)", VERB)
    start = _time(parsed, "start") or now_ns()
    end = _time(parsed, "end")
    if end is None:
        text = parsed.string("duration")
        try:
            length = parse_duration(text)
        except ValueError:
            length = 0
        if length <= 0:
            raise UsageError(FLAG_INVALID_VALUE.format(value=text, name="duration", reason=DURATION_INVALID), VERB)
        end = start + length
    body = {
        "matchers": [_matcher_json(m) for m in matchers],
        "startsAt": format_rfc3339nano(start),
        "endsAt": format_rfc3339nano(end),
        "createdBy": parsed.string("author"),
        "comment": parsed.string("comment"),
    }
    answer = ctx.client.call("POST", paths.SILENCES, body=body)
    if ctx.json_output:
        print_json(ctx.out, answer)
    else:
        ctx.write(str(answer.get("id", "")) if isinstance(answer, dict) else "")
    return 0


def _matchers_text(silence: dict[str, Any]) -> str:
    return " ".join(
        str(
            Matcher(
                str(m.get("name")), str(m.get("value")), bool(m.get("isRegex")), m.get("isEqual", True) is not False
            )
        )
        for m in silence.get("matchers") or []
    )


def query_silences(ctx: Context, parsed: ParsedArgs, filters: list[str]) -> int:
    """`silence query [filter...]`: pending and active silences (and expired ones with -expired)."""
    for text in filters:
        _matcher_json(text)  # a bad filter is a usage error before any request
    answer = ctx.client.call("GET", paths.SILENCES, query={"filter": filters} if filters else None)
    found = answer.get("silences") if isinstance(answer, dict) else None
    rows = [s for s in found or [] if isinstance(s, dict)]
    if not parsed.boolean("expired"):
        rows = [s for s in rows if (s.get("status") or {}).get("state") != "expired"]
    if ctx.json_output:
        print_json(ctx.out, rows)
        return 0
    cells = [
        [
            s.get("id"),
            _matchers_text(s),
            (s.get("status") or {}).get("state"),
            rfc822_text(s.get("endsAt")),
            s.get("createdBy"),
            s.get("comment"),
        ]
        for s in rows
    ]
    print_lines(ctx.out, table(TABLE_HEADERS, cells))
    return 0


def expire_silences(ctx: Context, ids: list[str]) -> int:
    """`silence expire ID...`: ends each one now; stops at the first failure."""
    if not ids:
        raise UsageError("must specify at least one silence ID", VERB)
    for silence_id in ids:
        ctx.client.call("DELETE", paths.silence(silence_id), expect=204)
        if not ctx.json_output:
            ctx.write(f"Silence {silence_id} expired")
    if ctx.json_output:
        print_json(ctx.out, ids)
    return 0


def import_silences(ctx: Context, sources: list[str]) -> int:
    """`silence import [file|-]`: a JSON array of silences (as `silence query -json` prints them); each one
    still pending or active is created anew (its ID, state and times of update are not kept)."""
    if len(sources) > 1:
        raise UsageError("import takes one file (or - for standard input)", VERB)
    source = sources[0] if sources else "-"
    text = sys.stdin.read() if source == "-" else Path(source).read_text()
    try:
        silences = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"{source}: not JSON: {exc}", VERB) from None
    if not isinstance(silences, list):
        raise UsageError(f"{source}: expected a JSON array of silences", VERB)
    now = now_ns()
    created = []
    for i, s in enumerate(silences):
        if not isinstance(s, dict):
            raise UsageError(f"{source}: silence {i}: expected an object", VERB)
        try:
            if parse_rfc3339(str(s.get("endsAt"))) <= now:
                continue  # an expired silence is history, not something to hold alerts with
        except ValueError:
            pass  # the server names the problem
        body = {k: s[k] for k in ("matchers", "startsAt", "endsAt", "createdBy", "comment") if k in s}
        answer = ctx.client.call("POST", paths.SILENCES, body=body)
        created.append(answer.get("id", "") if isinstance(answer, dict) else "")
    if ctx.json_output:
        print_json(ctx.out, created)
    else:
        for silence_id in created:
            ctx.write(silence_id)
    return 0


def run_silence(ctx: Context, args: list[str]) -> int:
    """`silence [query|add|expire|import] ...`."""
    parsed = ctx.parse(silence_flags(), args)
    words = parsed.positional
    command, rest = (words[0], words[1:]) if words else ("query", [])
    if command == "add":
        return add_silence(ctx, parsed, rest)
    if command == "query":
        return query_silences(ctx, parsed, rest)
    if command == "expire":
        return expire_silences(ctx, rest)
    if command == "import":
        return import_silences(ctx, rest)
    raise UsageError(UNKNOWN_SUBCOMMAND.format(name=command), VERB)

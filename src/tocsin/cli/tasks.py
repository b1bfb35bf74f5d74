"""Task verbs: `define`, `enable`, `disable`, `reload`, `show`, `list tasks` and `delete tasks`.

They send what Kapacitor's CLI sends (cmd/kapacitor/main.go through client/v1) and print its layouts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tocsin.cli.context import Context
from tocsin.cli.errors import CommandError, UsageError
from tocsin.cli.flags import FlagSet
from tocsin.cli.output import print_json, print_lines
from tocsin.gocompat.duration import format_duration
from tocsin.gotemplate.gofmt import format_value

TASKS = "/kapacitor/v1/tasks"
PAGE = 100
TASK_OPTIONS = {"dot-view": "attributes", "script-format": "formatted"}

# Kapacitor's texts.
MISSING_TASK_ID = "must provide a task ID"
MISSING_PATTERN = "must pass at least one task ID"
SHOW_ONE = "must specify one task ID"
DBRP_EMPTY = "dbrp cannot be empty"
DBRP_NO_DOT = 'does not contain a \'.\', it must be in the form "dbname"."rpname" where the quotes are optional.'
DBRP_NO_RP = "dbrp must specify retention policy, do you have a missing or extra '.'?"
OPEN_FAILED = "failed to open file {path}: {reason}"
OPEN_ERROR = "open {path}: {reason}"
BAD_VARS_JSON = "invalid JSON in file {path}: {reason}"
BAD_EXTENSION = "bad file extension. Must be YAML or JSON"
BAD_TASK_FILE = "failed to unmarshal {kind} task vars file {path}: {reason}"
ID_MISMATCH = "Task id given on command line does not match id in {path}"
LISTING = "listing tasks: {reason}"
CHANGING = "{verb} task {id}: {reason}"
BAD_LIST_VAR = "lists can only contain strings or a star, got {type}"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_RFC3339 = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):\d\d(?:\.\d+)?(Z|[+-]\d\d:\d\d)")
_INFLUXQL_DURATION = re.compile(r"(\d+)(ns|u|µ|ms|s|m|h|d|w)")
_UNITS = {"ns": 1, "u": 1000, "µ": 1000, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}
_UNITS.update({"d": 24 * _UNITS["h"], "w": 7 * 24 * _UNITS["h"]})


def parse_dbrp(value: str) -> dict[str, str]:
    """`-dbrp "db"."rp"` (quotes optional, `\\"` inside quotes) as the API's `{"db", "rp"}`."""
    if not value:
        raise UsageError(DBRP_EMPTY, "define")
    if value[0] == '"':
        db, n = _quoted(value)
    else:
        n = value.find(".")
        if n < 0:
            raise UsageError(DBRP_NO_DOT, "define")
        db = value[:n]
    if n >= len(value) or value[n] != ".":
        raise UsageError(DBRP_NO_RP, "define")
    rest = value[n + 1 :]
    rp = _quoted(rest)[0] if rest[:1] == '"' else rest
    return {"db": db, "rp": rp}


def _quoted(text: str) -> tuple[str, int]:
    """Kapacitor's parseQuotedStr: the text up to the next unescaped quote, and how many characters it used."""
    quote, out, last, i = text[0], [], 1, 1
    while i < len(text) - 1:
        if text[i] == "\\" and text[i + 1] == quote:
            out.append(text[last:i] + quote)
            i += 2
            last = i
            continue
        if text[i] == quote:
            break
        i += 1
    out.append(text[last:i])
    return "".join(out), i + 1


def take_repeated(args: list[str], name: str) -> tuple[list[str], list[str]]:
    """The values of a repeatable flag (`-name v`, `--name=v`), and the other arguments."""
    values: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        flag, eq, value = arg.lstrip("-").partition("=")
        if arg.startswith("-") and flag == name:
            if not eq:
                if i + 1 >= len(args):
                    raise UsageError(f"flag needs an argument: -{name}", "define")
                i += 1
                value = args[i]
            values.append(value)
        else:
            rest.append(arg)
        i += 1
    return values, rest


def influxql_duration(text: str) -> int:
    """An InfluxQL duration literal (`90s`, `1h30m`, `2w`) in ns."""
    pos, total = 0, 0
    for match in _INFLUXQL_DURATION.finditer(text):
        if match.start() != pos:
            break
        total += int(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if pos != len(text) or not text:
        raise CommandError(f"invalid duration string {text!r}")
    return total


def normalize_vars(raw: object, path: str) -> dict[str, Any]:
    """Vars as Kapacitor's client re-encodes them: typed values, durations in ns, a description always."""
    if not isinstance(raw, dict):
        raise CommandError(BAD_VARS_JSON.format(path=path, reason="vars must be a JSON object"))
    out: dict[str, Any] = {}
    for name, var in raw.items():
        if not isinstance(var, dict):
            raise CommandError(BAD_VARS_JSON.format(path=path, reason=f"var {name} must be an object"))
        kind, value = var.get("type"), var.get("value")
        if kind == "duration" and isinstance(value, str):
            value = influxql_duration(value)
        elif kind == "float" and isinstance(value, int | float) and not isinstance(value, bool):
            value = float(value)
        out[name] = {"type": kind, "value": value, "description": var.get("description", "")}
    return out


def read_file(path: str) -> str:
    """A file's text; CommandError with Go's `open <path>: <reason>` when it cannot be read."""
    try:
        return Path(path).read_text()
    except OSError as exc:
        reason = str(exc.strerror or exc)
        raise CommandError(OPEN_ERROR.format(path=path, reason=reason[:1].lower() + reason[1:])) from None


def _read_wrapped(path: str) -> str:
    try:
        return read_file(path)
    except CommandError as exc:
        raise CommandError(OPEN_FAILED.format(path=path, reason=exc)) from None


def _load_vars(path: str) -> dict[str, Any]:
    try:
        raw = json.loads(_read_wrapped(path))
    except ValueError as exc:
        raise CommandError(BAD_VARS_JSON.format(path=path, reason=exc)) from None
    return normalize_vars(raw, path)


def _load_task_file(path: str, task_id: str) -> dict[str, Any]:
    """A `-file` task: id, template-id, dbrps and vars, from YAML or JSON."""
    text = _read_wrapped(path)
    suffix = Path(path).suffix
    if suffix not in (".yaml", ".yml", ".json"):
        raise CommandError(BAD_EXTENSION)
    kind = "json" if suffix == ".json" else "yaml"
    import yaml  # Only this option pays for loading PyYAML.

    try:
        raw = json.loads(text) if kind == "json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise CommandError(BAD_TASK_FILE.format(kind=kind, path=path, reason=exc)) from None
    if not isinstance(raw, dict):
        raise CommandError(BAD_TASK_FILE.format(kind=kind, path=path, reason="not an object"))
    file_id = str(raw.get("id") or "")
    if file_id and file_id != task_id:
        raise CommandError(ID_MISMATCH.format(path=path))
    body: dict[str, Any] = {"id": task_id}
    if raw.get("template-id"):
        body["template-id"] = str(raw["template-id"])
    if raw.get("dbrps"):
        body["dbrps"] = [{"db": d.get("db", ""), "rp": d.get("rp", "")} for d in raw["dbrps"]]
    if raw.get("vars"):
        body["vars"] = normalize_vars(raw["vars"], path)
    return body


def define_flags() -> FlagSet:
    flags = FlagSet("define")
    flags.add("tick", "", "Path to the TICKscript")
    flags.add("type", "", "The task type (stream|batch)")
    flags.add("template", "", "Optional template ID")
    flags.add("vars", "", "Optional path to a JSON vars file")
    flags.add("file", "", "Optional path to a YAML or JSON template task file.")
    flags.add("no-reload", False, "Do not reload the task even if it is enabled")
    flags.add("dbrp", "", 'A database and retention policy pair of the form "db"."rp". Repeatable.')
    return flags


def task_href(task_id: str) -> str:
    return f"{TASKS}/{task_id}"


def define_task(ctx: Context, args: list[str]) -> int:
    """`define ID [flags]`: create the task disabled, or patch the given fields; then reload it if enabled."""
    dbrp_texts, rest = take_repeated(args, "dbrp")
    parsed = ctx.parse(define_flags(), rest)
    if len(parsed.positional) != 1:
        raise UsageError(MISSING_TASK_ID, "define")
    task_id = parsed.positional[0]
    dbrps = [parse_dbrp(text) for text in dbrp_texts]
    script = read_file(parsed.string("tick")) if parsed.string("tick") else ""
    kind = parsed.string("type") if parsed.string("type") in ("stream", "batch") else ""
    variables = _load_vars(parsed.string("vars")) if parsed.string("vars") else {}
    href = task_href(task_id)
    existing = lookup(ctx, href, {**TASK_OPTIONS, "replay-id": ""})
    if parsed.string("file"):
        # Kapacitor's client sends the id on update too when the task comes from a file.
        body = _load_task_file(parsed.string("file"), task_id)
    else:
        body = {"id": task_id} if not existing else {}
        body.update({"template-id": parsed.string("template"), "type": kind, "dbrps": dbrps, "script": script})
        if not existing:
            body["status"] = "disabled"
        body["vars"] = variables
        body = {k: v for k, v in body.items() if v}
    answer = ctx.client.call("PATCH", href, body=body) if existing else ctx.client.call("POST", TASKS, body=body)
    if existing and existing.get("status") == "enabled" and not parsed.boolean("no-reload"):
        ctx.client.call("PATCH", href, body={"status": "disabled"})
        answer = ctx.client.call("PATCH", href, body={"status": "enabled"})
    if ctx.json_output:
        print_json(ctx.out, answer)
    return 0


def lookup(ctx: Context, href: str, query: dict[str, Any]) -> dict[str, Any] | None:
    """The task or template at `href`, or None.

    Kapacitor's CLI treats any failed lookup as "does not exist" and lets the create report the problem.
    """
    try:
        answer = ctx.client.call("GET", href, query=query)
    except CommandError:
        return None
    return answer if isinstance(answer, dict) and answer.get("id") else None


def list_pages(ctx: Context, href: str, key: str, query: dict[str, Any], *, advance: bool = True) -> Iterator[Any]:
    """Every item of a paged list, 100 at a time (`advance=False` re-reads offset 0, for deleting)."""
    offset = 0
    while True:
        answer = ctx.client.call("GET", href, query={**query, "offset": str(offset), "limit": str(PAGE)})
        items = answer.get(key) if isinstance(answer, dict) else None
        page = [i for i in items or [] if isinstance(i, dict)]
        yield from page
        if len(page) != PAGE:
            return
        if advance:
            offset += PAGE


def _task_pages(ctx: Context, pattern: str, fields: list[str], *, advance: bool = True) -> Iterator[Any]:
    query = {**TASK_OPTIONS, "pattern": pattern, "fields": fields, "replay-id": ""}
    return list_pages(ctx, TASKS, "tasks", query, advance=advance)


def _set_status(ctx: Context, patterns: list[str], status: str, verb: str, done: list[Any]) -> None:
    for pattern in patterns:
        # Page by page, as Kapacitor does: each page is changed before the next one is listed.
        pages = _task_pages(ctx, pattern, ["link"])
        while True:
            try:
                task = next(pages)
            except StopIteration:
                break
            except CommandError as exc:
                raise CommandError(LISTING.format(reason=exc)) from None
            href = _href(task)
            try:
                done.append(ctx.client.call("PATCH", href, body={"status": status}))
            except CommandError as exc:
                raise CommandError(CHANGING.format(verb=verb, id=task.get("id", ""), reason=exc)) from None


def _href(item: dict[str, Any]) -> str:
    link = item.get("link")
    href = link.get("href") if isinstance(link, dict) else None
    return href if isinstance(href, str) and href else task_href(str(item.get("id", "")))


def change_status(ctx: Context, verb: str, args: list[str]) -> int:
    """`enable|disable|reload PATTERN...`; reload disables every match, then enables every match."""
    patterns = ctx.parse(FlagSet(verb), args).positional
    if not patterns:
        raise UsageError(MISSING_PATTERN, verb)
    done: list[Any] = []
    if verb in ("disable", "reload"):
        _set_status(ctx, patterns, "disabled", "disabling", done)
    if verb in ("enable", "reload"):
        _set_status(ctx, patterns, "enabled", "enabling", done)
    if ctx.json_output:
        print_json(ctx.out, done)
    return 0


def rfc822(text: object) -> str:
    """Go's `t.Format(time.RFC822)` of an API time, in the zone it was written with."""
    match = _RFC3339.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        return "01 Jan 01 00:00 UTC"
    year, month, day, hour, minute, zone = match.groups()
    zone = "UTC" if zone == "Z" else zone.replace(":", "")
    return f"{day} {_MONTHS[int(month) - 1]} {year[2:]} {hour}:{minute} {zone}"


def dbrps_text(dbrps: object) -> str:
    """Go's `fmt.Println` of `[]client.DBRP`: `["db"."rp" "db2"."rp2"]`."""
    items = dbrps if isinstance(dbrps, list) else []
    return "[" + " ".join(f"{_go_quote(d.get('db', ''))}.{_go_quote(d.get('rp', ''))}" for d in items) + "]"


def _go_quote(value: object) -> str:
    return json.dumps(str(value), ensure_ascii=False)


def var_value(var: dict[str, Any]) -> str:
    """A var's value as Go's `%v` prints what Kapacitor's client decoded."""
    kind, value = var.get("type"), var.get("value")
    if kind == "list" and isinstance(value, list):
        words = []
        for item in value:
            item_kind = item.get("type") if isinstance(item, dict) else None
            if item_kind == "string":
                words.append(str(item.get("value", "")))
            elif item_kind == "star":
                words.append("*")
            else:
                raise CommandError(BAD_LIST_VAR.format(type=item_kind))
        return "[" + ", ".join(words) + "]"
    if kind == "duration" and isinstance(value, int) and not isinstance(value, bool):
        return format_duration(value)
    if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    return format_value(value, "v")


def show_task(ctx: Context, args: list[str]) -> int:
    """`show [-replay ID] TASK`: Kapacitor's layout, vars table included."""
    flags = FlagSet("show")
    flags.add("replay", "", "Optional replay ID. If set the task information is in the context of the running replay.")
    parsed = ctx.parse(flags, args)
    if len(parsed.positional) != 1:
        raise UsageError(SHOW_ONE, "show")
    query = {**TASK_OPTIONS, "replay-id": parsed.string("replay")}
    task = ctx.client.call("GET", task_href(parsed.positional[0]), query=query)
    if ctx.json_output:
        print_json(ctx.out, task)
        return 0
    t: dict[str, Any] = task if isinstance(task, dict) else {}
    lines = [
        f"ID: {t.get('id', '')}",
        f"Error: {t.get('error', '')}",
        f"Template: {t.get('template-id', '')}",
        f"Type: {t.get('type', '')}",
        f"Status: {t.get('status', '')}",
        f"Executing: {format_value(bool(t.get('executing')), 'v')}",
        f"Created: {rfc822(t.get('created'))}",
        f"Modified: {rfc822(t.get('modified'))}",
        f"LastEnabled: {rfc822(t.get('last-enabled'))}",
        f"Databases Retention Policies: {dbrps_text(t.get('dbrps'))}",
        f"TICKscript:\n{t.get('script', '')}",
    ]
    raw_vars = t.get("vars")
    variables: dict[str, Any] = raw_vars if isinstance(raw_vars, dict) else {}
    if variables:
        lines.append("Vars:")
        lines.append(f"{'Name':<30}{'Type':<10}{'Value':<40}")
        for name in sorted(variables):
            var = variables[name]
            lines.append(f"{name:<30}{format_value(var.get('type'), 'v'):<10}{var_value(var):<40}")
    lines.append(f"DOT:\n{t.get('dot', '')}")
    print_lines(ctx.out, lines)
    return 0


def list_tasks(ctx: Context, patterns: list[str]) -> int:
    """`list tasks [patterns...]`: `ID Type Status Executing Databases and Retention Policies`, sorted by ID."""
    rows: list[dict[str, Any]] = []
    for pattern in patterns or [""]:
        rows.extend(_task_pages(ctx, pattern, ["type", "status", "executing", "dbrps"]))
    rows.sort(key=lambda t: str(t.get("id", "")))
    if ctx.json_output:
        print_json(ctx.out, rows)
        return 0
    width = max([2, *(len(str(t.get("id", ""))) for t in rows)]) + 1
    lines = [f"{'ID':<{width}}{'Type':<10}{'Status':<10}{'Executing':<10}Databases and Retention Policies"]
    for t in rows:
        executing = format_value(bool(t.get("executing")), "v")
        lines.append(
            f"{t.get('id', '')!s:<{width}}{t.get('type', '')!s:<10}{t.get('status', '')!s:<10}{executing:<10}"
            + dbrps_text(t.get("dbrps"))
        )
    print_lines(ctx.out, lines)
    return 0


def delete_tasks(ctx: Context, patterns: list[str]) -> int:
    """`delete tasks PATTERNS...`: list the first 100 matches with `fields=link`, delete them, repeat."""
    deleted: list[Any] = []
    for pattern in patterns:
        for task in _task_pages(ctx, pattern, ["link"], advance=False):
            ctx.client.call("DELETE", _href(task), expect=204)
            deleted.append(task)
    if ctx.json_output:
        print_json(ctx.out, deleted)
    return 0

"""Template verbs: `define-template`, `show-template`, `list templates` and `delete templates`."""

from __future__ import annotations

from typing import Any

from tocsin.cli.context import Context
from tocsin.cli.errors import UsageError
from tocsin.cli.flags import FlagSet
from tocsin.cli.output import print_json, print_lines
from tocsin.cli.tasks import list_pages, lookup, read_file, rfc822, var_value
from tocsin.gotemplate.gofmt import format_value

TEMPLATES = "/kapacitor/v1/templates"
TEMPLATE_OPTIONS = {"script-format": "formatted"}

# Kapacitor's texts.
MISSING_TEMPLATE_ID = "must provide a template ID"
SHOW_ONE = "must specify one template ID"
REQUIRED = "<required>"


def template_href(template_id: str) -> str:
    return f"{TEMPLATES}/{template_id}"


def define_template(ctx: Context, args: list[str]) -> int:
    """`define-template ID [-tick F] [-type T]`: create the template, or patch the given fields."""
    flags = FlagSet("define-template")
    flags.add("tick", "", "Path to the TICKscript")
    flags.add("type", "", "The template type (stream|batch)")
    parsed = ctx.parse(flags, args)
    if len(parsed.positional) != 1:
        raise UsageError(MISSING_TEMPLATE_ID, "define-template")
    template_id = parsed.positional[0]
    script = read_file(parsed.string("tick")) if parsed.string("tick") else ""
    kind = parsed.string("type") if parsed.string("type") in ("stream", "batch") else ""
    href = template_href(template_id)
    body = {k: v for k, v in {"type": kind, "script": script}.items() if v}
    if lookup(ctx, href, TEMPLATE_OPTIONS) is not None:
        answer = ctx.client.call("PATCH", href, body=body)
    else:
        answer = ctx.client.call("POST", TEMPLATES, body={"id": template_id, **body})
    if ctx.json_output:
        print_json(ctx.out, answer)
    return 0


def show_template(ctx: Context, args: list[str]) -> int:
    """`show-template ID`: Kapacitor's layout with the `Name Type Default Value Description` vars table."""
    words = ctx.parse(FlagSet("show-template"), args).positional
    if len(words) != 1:
        raise UsageError(SHOW_ONE, "show-template")
    template = ctx.client.call("GET", template_href(words[0]), query=TEMPLATE_OPTIONS)
    if ctx.json_output:
        print_json(ctx.out, template)
        return 0
    t: dict[str, Any] = template if isinstance(template, dict) else {}
    lines = [
        f"ID: {t.get('id', '')}",
        f"Error: {t.get('error', '')}",
        f"Type: {t.get('type', '')}",
        f"Created: {rfc822(t.get('created'))}",
        f"Modified: {rfc822(t.get('modified'))}",
        f"TICKscript:\n{t.get('script', '')}",
        "Vars:",
        f"{'Name':<30}{'Type':<10}{'Default Value':<40}{'Description':<40}",
    ]
    raw_vars = t.get("vars")
    variables: dict[str, Any] = raw_vars if isinstance(raw_vars, dict) else {}
    for name in sorted(variables):
        var = variables[name]
        value = REQUIRED if var.get("value") is None else var_value(var)
        kind = format_value(var.get("type"), "v")
        lines.append(f"{name:<30}{kind:<10}{value:<40}{format_value(var.get('description', ''), 'v'):<40}")
    lines.append(f"DOT:\n{t.get('dot', '')}")
    print_lines(ctx.out, lines)
    return 0


def _template_pages(ctx: Context, pattern: str, fields: list[str], *, advance: bool = True) -> Any:
    query = {**TEMPLATE_OPTIONS, "pattern": pattern, "fields": fields}
    return list_pages(ctx, TEMPLATES, "templates", query, advance=advance)


def list_templates(ctx: Context, patterns: list[str]) -> int:
    """`list templates [patterns...]`: `ID Type Vars` (var names sorted, comma-separated), sorted by ID."""
    rows: list[dict[str, Any]] = []
    for pattern in patterns or [""]:
        rows.extend(_template_pages(ctx, pattern, ["type", "vars"]))
    rows.sort(key=lambda t: str(t.get("id", "")))
    if ctx.json_output:
        print_json(ctx.out, rows)
        return 0
    width = max([2, *(len(str(t.get("id", ""))) for t in rows)]) + 1
    lines = [f"{'ID':<{width}}{'Type':<10}{'Vars':<40}"]
    for t in rows:
        raw_vars = t.get("vars")
        names = ",".join(sorted(raw_vars)) if isinstance(raw_vars, dict) else ""
        lines.append(f"{t.get('id', '')!s:<{width}}{t.get('type', '')!s:<10}{names:<40}")
    print_lines(ctx.out, lines)
    return 0


def delete_templates(ctx: Context, patterns: list[str]) -> int:
    """`delete templates PATTERNS...`: list the first 100 matches with `fields=link`, delete them, repeat."""
    deleted: list[Any] = []
    for pattern in patterns:
        for template in _template_pages(ctx, pattern, ["link"], advance=False):
            link = template.get("link")
            href = link.get("href") if isinstance(link, dict) else None
            ctx.client.call("DELETE", href or template_href(str(template.get("id", ""))), expect=204)
            deleted.append(template)
    if ctx.json_output:
        print_json(ctx.out, deleted)
    return 0

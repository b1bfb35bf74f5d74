"""Service-test verbs: `list service-tests` and `service-tests NAME_OR_PATTERN...`."""

from __future__ import annotations

from typing import Any

from tocsin.cli import paths
from tocsin.cli.context import Context
from tocsin.cli.output import left, print_json, print_lines

# Kapacitor's client sends `*` when no pattern is given.
ALL_SERVICES = "*"


def fetch_services(ctx: Context, pattern: str) -> list[dict[str, Any]]:
    """The services whose name matches the glob `pattern`, sorted by name."""
    answer = ctx.client.call("GET", paths.SERVICE_TESTS, query={"pattern": pattern or ALL_SERVICES})
    services = answer.get("services") if isinstance(answer, dict) else None
    return [s for s in services or [] if isinstance(s, dict)]


def list_service_tests(ctx: Context, patterns: list[str]) -> int:
    """`list service-tests [patterns...]`: the header `Service Name`, then one name per line."""
    services: list[dict[str, Any]] = []
    for pattern in patterns or [""]:
        services.extend(fetch_services(ctx, pattern))
    if ctx.json_output:
        print_json(ctx.out, services)
        return 0
    print_lines(ctx.out, ["Service Name", *(str(s.get("name", "")) for s in services)])
    return 0


def run_service_tests(ctx: Context, patterns: list[str]) -> int:
    """`service-tests NAMES...`: test every matching service with its defaults (body `null`), then report."""
    services: list[dict[str, Any]] = []
    for pattern in patterns:
        services.extend(fetch_services(ctx, pattern))
    results: list[dict[str, Any]] = []
    for service in services:
        name = str(service.get("name", ""))
        href = paths.href(service, "link", f"{paths.SERVICE_TESTS}/{name}")
        answer = ctx.client.call("POST", href, body=None)
        if not isinstance(answer, dict):
            answer = {}
        success = answer.get("success") is True
        results.append({"service": name, "success": success, "message": answer.get("message", "")})
    if ctx.json_output:
        print_json(ctx.out, results)
        return 0
    # Kapacitor's layout: `%-20s%-10v%s`.
    lines = [left("Service", 20) + left("Success", 10) + "Message"]
    lines.extend(left(r["service"], 20) + left(r["success"], 10) + str(r["message"]) for r in results)
    print_lines(ctx.out, lines)
    return 0

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tocsin.gocompat.timefmt import parse_rfc3339

from .fake_api import FakeApi, Run

DELIVERIES = "/tocsin/v1/deliveries"
DEAD: dict[str, Any] = {
    "link": {"rel": "self", "href": f"{DELIVERIES}/7"},
    "id": 7,
    "topic": "cpu",
    "handler": "slack",
    "kind": "slack",
    "alertId": "cpu:host=a",
    "level": "CRITICAL",
    "status": "dead",
    "attempts": 5,
    "lastStatusCode": 500,
    "lastError": "server error: 500 Internal Server Error",
    "latencyMs": 12.5,
    "created": "2026-03-01T10:00:00Z",
    "updated": "2026-03-01T10:05:00.123Z",
    "nextAttempt": None,
    "deliveredAt": None,
}
DELIVERED: dict[str, Any] = {
    **DEAD,
    "link": {"rel": "self", "href": f"{DELIVERIES}/8"},
    "id": 8,
    "topic": "mem",
    "handler": "log-all",
    "kind": "log",
    "alertId": "mem:host=b",
    "level": "WARNING",
    "status": "delivered",
    "attempts": 1,
    "lastStatusCode": None,
    "lastError": "",
    "latencyMs": 0.8,
    "updated": "2026-03-01T09:00:00Z",
    "deliveredAt": "2026-03-01T09:00:00Z",
}
LISTING = {"link": {"rel": "self", "href": DELIVERIES}, "deliveries": [DEAD, DELIVERED]}


def test_list_table(api: FakeApi, run: Run, local_tz: Callable[[str], None]) -> None:
    api.on("GET", DELIVERIES, LISTING)
    result = run("deliveries")
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "ID  Topic  Handler  Kind   Alert       Status     Attempts  Last Updated\n"
        "7   cpu    slack    slack  cpu:host=a  dead       5         01 Mar 26 10:05 UTC\n"
        "8   mem    log-all  log    mem:host=b  delivered  1         01 Mar 26 09:00 UTC\n"
    )
    assert api.lines() == [f"GET {DELIVERIES}"]


def test_list_filters_become_query_parameters(api: FakeApi, run: Run) -> None:
    api.on("GET", DELIVERIES, {"link": {}, "deliveries": []})
    result = run(
        "deliveries",
        "list",
        "-topic",
        "cpu",
        "--handler",
        "slack",
        "-status=dead",
        "-since",
        "2026-01-02T03:04:05Z",
        "-limit",
        "5",
    )
    assert (result.code, result.out) == (0, "ID  Topic  Handler  Kind  Alert  Status  Attempts  Last Updated\n")
    assert api.requests[0].query == {
        "topic": "cpu",
        "handler": "slack",
        "status": "dead",
        "since": "2026-01-02T03:04:05Z",
        "limit": "5",
    }


def test_since_duration_is_sent_as_a_time(api: FakeApi, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tocsin.cli.deliveries.now_ns", lambda: parse_rfc3339("2026-03-01T12:00:00Z"))
    api.on("GET", DELIVERIES, {"link": {}, "deliveries": []})
    assert run("deliveries", "-since", "90m").code == 0
    assert api.requests[0].raw_query == "since=2026-03-01T10%3A30%3A00Z"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("-status", "lost"), 'invalid value "lost" for flag -status: must be one of pending, delivered, dead'),
        (
            ("-since", "yesterday"),
            'invalid value "yesterday" for flag -since: must be a duration (30m, 1h) or an RFC 3339 time',
        ),
        (("-since", "-1h"), 'invalid value "-1h" for flag -since: must be a duration (30m, 1h) or an RFC 3339 time'),
        (("-limit", "0"), 'invalid value "0" for flag -limit: must be a positive number'),
        (("-limit", "ten"), 'invalid value "ten" for flag -limit: parse error'),
        (("show",), "must specify one delivery ID"),
        (("show", "abc"), 'invalid delivery ID "abc": must be a positive number'),
        (("retry",), "must specify at least one delivery ID"),
        (("show", "7", "-status", "dead"), "-status applies only to 'deliveries list'"),
        (("purge",), 'unknown deliveries command "purge"; use list, show or retry'),
        (("-color",), "flag provided but not defined: -color"),
    ],
    ids=[
        "status",
        "since",
        "since-negative",
        "limit-zero",
        "limit-text",
        "show-no-id",
        "show-bad-id",
        "retry-no-id",
        "show-list-flag",
        "unknown-subcommand",
        "unknown-flag",
    ],
)
def test_usage_errors(api: FakeApi, run: Run, argv: tuple[str, ...], message: str) -> None:
    result = run("deliveries", *argv)
    assert result.code == 2
    assert result.err.startswith(f"Error: {message}\n\nUsage: tocsin deliveries [list]")
    assert api.requests == []


def test_list_json(api: FakeApi, run: Run) -> None:
    api.on("GET", DELIVERIES, LISTING)
    result = run("deliveries", "--json", "-limit", "2")
    assert json.loads(result.out) == [DEAD, DELIVERED]
    assert api.lines() == [f"GET {DELIVERIES}?limit=2"]


def test_show(api: FakeApi, run: Run) -> None:
    api.on("GET", f"{DELIVERIES}/7", DEAD)
    result = run("deliveries", "show", "7")
    assert result.code == 0
    assert result.out == (
        "ID: 7\n"
        "Topic: cpu\n"
        "Handler: slack\n"
        "Kind: slack\n"
        "Alert ID: cpu:host=a\n"
        "Level: CRITICAL\n"
        "Status: dead\n"
        "Attempts: 5\n"
        "Last Status Code: 500\n"
        "Last Error: server error: 500 Internal Server Error\n"
        "Latency: 12.5ms\n"
        "Created: 2026-03-01T10:00:00Z\n"
        "Updated: 2026-03-01T10:05:00.123Z\n"
        "Next Attempt:\n"
        "Delivered At:\n"
    )


def test_show_json_and_not_found(api: FakeApi, run: Run) -> None:
    api.on("GET", f"{DELIVERIES}/8", DELIVERED)
    api.on("GET", f"{DELIVERIES}/9", {"error": "unknown delivery 9", "message": "unknown delivery 9"}, status=404)
    assert json.loads(run("deliveries", "show", "8", "--json").out) == DELIVERED
    result = run("deliveries", "show", "9")
    assert (result.code, result.out, result.err) == (3, "", "Error: unknown delivery 9\n")


def test_retry_each_id(api: FakeApi, run: Run) -> None:
    api.on("POST", f"{DELIVERIES}/7/retry", {**DEAD, "status": "pending"})
    api.on("POST", f"{DELIVERIES}/8/retry", {**DELIVERED, "status": "pending"})
    result = run("deliveries", "retry", "7", "8")
    assert (result.code, result.out, result.err) == (0, "Delivery 7 is pending\nDelivery 8 is pending\n", "")
    assert api.lines() == [f"POST {DELIVERIES}/7/retry", f"POST {DELIVERIES}/8/retry"]


def test_retry_conflict_stops_with_the_api_error(api: FakeApi, run: Run) -> None:
    api.on("POST", f"{DELIVERIES}/8/retry", {"error": "delivery 8 is not dead", "message": "x"}, status=409)
    api.on("POST", f"{DELIVERIES}/7/retry", {**DEAD, "status": "pending"})
    result = run("deliveries", "retry", "8", "7")
    assert (result.code, result.out, result.err) == (3, "", "Error: delivery 8 is not dead\n")
    assert api.lines() == [f"POST {DELIVERIES}/8/retry"]


def test_retry_json(api: FakeApi, run: Run) -> None:
    retried = {**DEAD, "status": "pending"}
    api.on("POST", f"{DELIVERIES}/7/retry", retried)
    assert json.loads(run("--json", "deliveries", "retry", "7").out) == [retried]

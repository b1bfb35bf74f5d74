from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from .fake_api import VECTORS, FakeApi, Run, handler, topic

TOPICS = "/kapacitor/v1/alerts/topics"


def event(event_id: str, level: str, message: str, when: str) -> dict[str, Any]:
    return {
        "link": {"rel": "self", "href": f"{TOPICS}/cpu/events/{event_id}"},
        "id": event_id,
        "state": {"message": message, "details": "", "time": when, "duration": "0s", "level": level},
    }


def test_list_topics_table_and_request(api: FakeApi, run: Run) -> None:
    vector = VECTORS["client.list_topics"]
    api.on("GET", TOPICS, vector["response"]["body"])
    result = run("list", "topics", "*")
    assert result.code == 0
    # The vector's answer has no `collected`; Go prints the zero value.
    assert result.out == ("ID     Level     Collected\nsystem CRITICAL          0\napp    WARNING           0\n")
    sent = api.requests[0]
    expected = vector["request"]
    assert (sent.method, sent.path) == (expected["method"], expected["path"])
    # Same parameters as the Go client; the CLI never raises min-level above the client's default, OK.
    assert sent.query == {**expected["query"], "min-level": "OK"}
    assert sent.raw_query == "min-level=OK&pattern=%2A"


def test_list_topics_one_request_per_pattern_and_wide_columns(api: FakeApi, run: Run) -> None:
    topics = [topic("main:cpu_alert:alert2", "CRITICAL", 12345678901), topic("b", "OK", 3)]
    api.on("GET", TOPICS, {"link": {}, "topics": topics})
    result = run("list", "topics", "main:*", "b")
    assert result.out == (
        "ID                    Level     Collected\n"
        "main:cpu_alert:alert2 CRITICAL 12345678901\n"
        "b                     OK                3\n"
        "main:cpu_alert:alert2 CRITICAL 12345678901\n"
        "b                     OK                3\n"
    )
    assert api.lines() == [
        f"GET {TOPICS}?min-level=OK&pattern=main%3A%2A",
        f"GET {TOPICS}?min-level=OK&pattern=b",
    ]


def test_list_topics_without_patterns_sends_empty_pattern(api: FakeApi, run: Run) -> None:
    api.on("GET", TOPICS, {"link": {}, "topics": []})
    result = run("list", "topics")
    assert (result.code, result.out) == (0, "ID Level     Collected\n")
    assert api.lines() == [f"GET {TOPICS}?min-level=OK&pattern="]


def test_list_topics_json_rows(api: FakeApi, run: Run) -> None:
    topics = [topic("cpu", "WARNING", 2)]
    api.on("GET", TOPICS, {"link": {}, "topics": topics})
    result = run("--json", "list", "topics")
    assert (result.code, json.loads(result.out)) == (0, topics)


def _cpu_topic(api: FakeApi) -> None:
    api.on("GET", f"{TOPICS}/cpu", topic("cpu", "CRITICAL", 7))
    events = [
        event("host=b", "CRITICAL", "cpu high on b", "2016-12-01T00:10:00Z"),
        event("a", "OK", "ok", "2016-12-01T00:00:00.5Z"),
        event("c", "WARNING", "summer", "2016-07-01T12:00:00Z"),
    ]
    api.on("GET", f"{TOPICS}/cpu/events", {"link": {}, "topic": "cpu", "events": events})
    handlers = [handler("cpu", "log", "log"), handler("cpu", "slack", "slack")]
    api.on("GET", f"{TOPICS}/cpu/handlers", {"link": {}, "topic": "cpu", "handlers": handlers})


def test_show_topic_layout_sorted_by_time(api: FakeApi, run: Run, local_tz: Callable[[str], None]) -> None:
    _cpu_topic(api)
    result = run("show-topic", "cpu")
    assert result.code == 0
    assert result.out == (
        "ID: cpu\n"
        "Level: CRITICAL\n"
        "Collected: 7\n"
        "Handlers: [log, slack]\n"
        "Events:\n"
        "Event  Level    Message       Date                   \n"
        "c      WARNING  summer        01 Jul 16 12:00 UTC    \n"
        "a      OK       ok            01 Dec 16 00:00 UTC    \n"
        "host=b CRITICAL cpu high on b 01 Dec 16 00:10 UTC    \n"
    )
    assert api.lines() == [
        f"GET {TOPICS}/cpu",
        f"GET {TOPICS}/cpu/events?min-level=OK",
        f"GET {TOPICS}/cpu/handlers?pattern=",
    ]


@pytest.mark.parametrize(
    ("vector", "index"),
    [("client.get_topic", 0), ("client.list_topic_events", 1), ("client.list_topic_handlers", 2)],
    ids=["topic", "events", "handlers"],
)
def test_show_topic_requests_match_the_go_client(api: FakeApi, run: Run, vector: str, index: int) -> None:
    api.on("GET", f"{TOPICS}/system", topic("system", "CRITICAL", 5))
    api.on("GET", f"{TOPICS}/system/events", VECTORS["client.list_topic_events"]["response"]["body"])
    api.on("GET", f"{TOPICS}/system/handlers", VECTORS["client.list_topic_handlers"]["response"]["body"])
    assert run("show-topic", "system").code == 0
    expected = VECTORS[vector]["request"]
    sent = api.requests[index]
    assert (sent.method, sent.path, sent.query) == (expected["method"], expected["path"], expected["query"])


def test_show_topic_dates_are_local_time(api: FakeApi, run: Run, local_tz: Callable[[str], None]) -> None:
    local_tz("EST+5EDT,M3.2.0,M11.1.0")
    _cpu_topic(api)
    lines = run("show-topic", "cpu").out.splitlines()
    assert [line[30:].rstrip() for line in lines[6:]] == [
        "01 Jul 16 08:00 EDT",
        "30 Nov 16 19:00 EST",
        "30 Nov 16 19:10 EST",
    ]


def test_show_topic_json(api: FakeApi, run: Run) -> None:
    _cpu_topic(api)
    result = run("show-topic", "cpu", "--json")
    shown = json.loads(result.out)
    assert shown["topic"] == topic("cpu", "CRITICAL", 7)
    assert [h["id"] for h in shown["handlers"]] == ["log", "slack"]
    assert [e["id"] for e in shown["events"]] == ["c", "a", "host=b"]


def test_show_topic_unknown(api: FakeApi, run: Run) -> None:
    api.on("GET", f"{TOPICS}/nope", {"error": 'unknown topic: "nope"', "message": 'unknown topic: "nope"'}, 404)
    result = run("show-topic", "nope")
    assert (result.code, result.out, result.err) == (3, "", 'Error: unknown topic: "nope"\n')


def test_show_topic_needs_one_topic(api: FakeApi, run: Run) -> None:
    result = run("show-topic", "a", "b")
    assert result.code == 2
    assert result.err.startswith("Error: must specify one topic ID\n\nUsage: tocsin show-topic <topic ID>\n")


def test_delete_topics_lists_then_deletes_each(api: FakeApi, run: Run) -> None:
    api.on("GET", TOPICS, {"link": {}, "topics": [topic("system"), topic("system2")]})
    api.on("DELETE", f"{TOPICS}/system", status=204)
    api.on("DELETE", f"{TOPICS}/system2", status=204)
    result = run("delete", "topics", "sys*")
    assert (result.code, result.out, result.err) == (0, "", "")
    assert api.lines() == [
        f"GET {TOPICS}?min-level=OK&pattern=sys%2A",
        f"DELETE {TOPICS}/system",
        f"DELETE {TOPICS}/system2",
    ]
    expected = VECTORS["client.delete_topic"]["request"]
    assert (api.requests[1].method, api.requests[1].path) == (expected["method"], expected["path"])


def test_delete_needs_an_id(api: FakeApi, run: Run) -> None:
    result = run("delete", "topics")
    assert result.code == 2
    assert result.err.startswith("Error: must pass at least one ID or pattern\n\nUsage: tocsin delete ")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ("list", "bogus"),
            "cannot list 'bogus' did you mean 'tasks', 'templates', 'recordings', 'replays', 'topics', "
            "'topic-handlers' or 'service-tests'?",
        ),
        (
            ("delete", "bogus", "x"),
            "cannot delete 'bogus' did you mean 'tasks', 'templates', 'recordings', 'replays', 'topics' or "
            "'topic-handlers'?",
        ),
    ],
    ids=["list", "delete"],
)
def test_unknown_kind(api: FakeApi, run: Run, argv: tuple[str, ...], message: str) -> None:
    result = run(*argv)
    assert (result.code, result.out, result.err) == (3, "", f"Error: {message}\n")

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .fake_api import VECTORS, FakeApi, Run, handler, topic

SEED_YAML = """\
id: handler-id
topic: topic-name
match: changed()
kind: post
options:
  url: http://example.com/alert
"""
SEED_BODY = (
    b'{"topic":"topic-name","id":"handler-id","kind":"post",'
    b'"options":{"url":"http://example.com/alert"},"match":"changed()"}\n'
)
SEED_HANDLER = "/kapacitor/v1/alerts/topics/topic-name/handlers/handler-id"
SEED_HANDLERS = "/kapacitor/v1/alerts/topics/topic-name/handlers"
UNKNOWN_HANDLER = {"error": 'unknown handler: "handler-id"', "message": 'unknown handler: "handler-id"'}


@pytest.fixture
def seed_file(tmp_path: Path) -> Path:
    path = tmp_path / "post_handler.yaml"
    path.write_text(SEED_YAML)
    return path


def test_define_topic_handler_posts_when_the_handler_is_new(api: FakeApi, run: Run, seed_file: Path) -> None:
    api.on("GET", SEED_HANDLER, UNKNOWN_HANDLER, status=404)
    api.on("POST", SEED_HANDLERS, handler("topic-name", "handler-id", "post", {"url": "http://example.com/alert"}))
    result = run("define-topic-handler", str(seed_file))
    assert (result.code, result.out, result.err) == (0, "", "")
    assert api.lines() == [f"GET {SEED_HANDLER}", f"POST {SEED_HANDLERS}"]
    post = api.requests[1]
    assert post.body == SEED_BODY
    assert post.headers["Content-Type"] == "application/json"


def test_define_topic_handler_puts_when_the_handler_exists(api: FakeApi, run: Run, seed_file: Path) -> None:
    api.on("GET", SEED_HANDLER, handler("topic-name", "handler-id", "log", {"path": "/tmp/a.log"}))
    api.on("PUT", SEED_HANDLER, handler("topic-name", "handler-id", "post", {"url": "http://example.com/alert"}))
    result = run("define-topic-handler", str(seed_file))
    assert (result.code, result.out, result.err) == (0, "", "")
    assert api.lines() == [f"GET {SEED_HANDLER}", f"PUT {SEED_HANDLER}"]
    assert api.requests[1].body == SEED_BODY


def test_define_topic_handler_json_prints_the_api_answer(api: FakeApi, run: Run, seed_file: Path) -> None:
    created = handler("topic-name", "handler-id", "post", {"url": "http://example.com/alert"}, "changed()")
    api.on("GET", SEED_HANDLER, UNKNOWN_HANDLER, status=404)
    api.on("POST", SEED_HANDLERS, created)
    result = run("define-topic-handler", "--json", str(seed_file))
    assert result.code == 0
    assert json.loads(result.out) == created


@pytest.mark.parametrize(
    ("vector", "exists"),
    [("client.create_topic_handler", False), ("client.replace_topic_handler", True)],
    ids=["create", "replace"],
)
def test_define_topic_handler_sends_what_the_go_client_sends(
    api: FakeApi, run: Run, tmp_path: Path, vector: str, exists: bool
) -> None:
    expected = VECTORS[vector]["request"]
    spec = {"topic": "system", **{k: v for k, v in expected["body"].items() if k != "topic"}}
    path = tmp_path / "handler.json"
    path.write_text(json.dumps(spec))
    get_path = "/kapacitor/v1/alerts/topics/system/handlers/slack"
    if exists:
        api.on("GET", get_path, handler("system", "slack", "slack"))
    api.on(expected["method"], expected["path"], VECTORS[vector]["response"]["body"])
    assert run("define-topic-handler", str(path)).code == 0
    sent = api.requests[-1]
    assert (sent.method, sent.path, sent.query) == (expected["method"], expected["path"], expected["query"])
    # The Go client always sends all five fields, in struct order; the vector's test left `topic` empty.
    assert list(json.loads(sent.body)) == list(expected["body"])
    assert sent.json() == {**expected["body"], "topic": "system"}


def test_define_topic_handler_api_error_exits_3(api: FakeApi, run: Run, seed_file: Path) -> None:
    message = 'failed to create handler: unsupported action kind "post2"'
    api.on("GET", SEED_HANDLER, UNKNOWN_HANDLER, status=404)
    api.on("POST", SEED_HANDLERS, {"error": message, "message": message}, status=500)
    result = run("define-topic-handler", str(seed_file))
    assert (result.code, result.out, result.err) == (3, "", f"Error: {message}\n")


@pytest.mark.parametrize(
    ("name", "text", "error"),
    [
        ("h.yaml", "id: a\ntopic: b\n  kind: c\n", "{path}:3:7: mapping values are not allowed here"),
        ("h.yml", "id: a\ntopic: [b\n", "{path}:3:1: expected ',' or ']', but got '<stream end>'"),
        ("h.json", '{"id": "a",\n "topic": }', "{path}:2:11: Expecting value"),
        ("h.yaml", "id: 5\ntopic: t\n", '{path}: field "id" must be a string, got number'),
        ("h.yaml", "id: a\nkind: log\n", '{path}: field "topic" is required'),
    ],
    ids=["yaml-mapping", "yaml-unclosed", "json", "wrong-type", "missing-topic"],
)
def test_define_topic_handler_bad_file_names_file_line_and_column(
    api: FakeApi, run: Run, tmp_path: Path, name: str, text: str, error: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    result = run("define-topic-handler", str(path))
    assert (result.code, result.out, result.err) == (3, "", "Error: " + error.format(path=path) + "\n")
    assert api.requests == []


def test_define_topic_handler_missing_file(api: FakeApi, run: Run, tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"
    result = run("define-topic-handler", str(path))
    assert result.code == 3
    assert result.err == f'Error: failed to open handler spec file "{path}": No such file or directory\n'


def test_define_topic_handler_needs_exactly_one_file(api: FakeApi, run: Run) -> None:
    result = run("define-topic-handler")
    assert result.code == 2
    assert result.err.startswith(
        "Error: must provide the path of one handler file\n\nUsage: tocsin define-topic-handler <handler file>\n"
    )


def test_show_topic_handler_layout(api: FakeApi, run: Run) -> None:
    expected = VECTORS["client.get_topic_handler"]["request"]
    options = {"url": "http://x/a?b=1&c=<2>", "headers": {"b": "2", "a": "1"}, "timeout": 1.5}
    api.on("GET", expected["path"], handler("system", "slack", "post", options, "changed()"))
    result = run("show-topic-handler", "system", "slack")
    assert result.code == 0
    assert result.out == (
        "ID: slack\n"
        "Topic: system\n"
        "Kind: post\n"
        "Match: changed()\n"
        'Options: {"headers":{"a":"1","b":"2"},"timeout":1.5,"url":"http://x/a?b=1\\u0026c=\\u003c2\\u003e"}\n'
    )
    sent = api.requests[0]
    assert (sent.method, sent.path, sent.query) == (expected["method"], expected["path"], expected["query"])


def test_show_topic_handler_json(api: FakeApi, run: Run) -> None:
    answer = handler("system", "slack", "slack", {"channel": "#alerts"})
    api.on("GET", "/kapacitor/v1/alerts/topics/system/handlers/slack", answer)
    result = run("show-topic-handler", "-json", "system", "slack")
    assert (result.code, json.loads(result.out)) == (0, answer)


def test_show_topic_handler_unknown(api: FakeApi, run: Run) -> None:
    error = {"error": 'unknown handler: "nope"', "message": 'unknown handler: "nope"'}
    api.on("GET", "/kapacitor/v1/alerts/topics/system/handlers/nope", error, status=404)
    result = run("show-topic-handler", "system", "nope")
    assert (result.code, result.out, result.err) == (3, "", 'Error: unknown handler: "nope"\n')


def _system_topic_with_vector_handlers(api: FakeApi) -> None:
    api.on("GET", "/kapacitor/v1/alerts/topics", {"link": {}, "topics": [topic("system", "CRITICAL", 5)]})
    vector = VECTORS["client.list_topic_handlers"]
    api.on("GET", vector["request"]["path"], vector["response"]["body"])


def test_list_topic_handlers_table_and_requests(api: FakeApi, run: Run) -> None:
    _system_topic_with_vector_handlers(api)
    result = run("list", "topic-handlers", "system")
    assert result.code == 0
    assert result.out == (
        "Topic      ID         Kind       \nsystem     slack      slack      \nsystem     smtp       smtp       \n"
    )
    assert api.lines() == [
        "GET /kapacitor/v1/alerts/topics?min-level=OK&pattern=system",
        "GET /kapacitor/v1/alerts/topics/system/handlers?pattern=",
    ]
    expected = VECTORS["client.list_topic_handlers"]["request"]
    sent = api.requests[1]
    assert (sent.method, sent.path, sent.query) == (expected["method"], expected["path"], expected["query"])


def test_list_topic_handlers_widens_columns_and_queries_each_pattern(api: FakeApi, run: Run) -> None:
    topics = [topic("main:cpu_alert:alert2")]
    api.on("GET", "/kapacitor/v1/alerts/topics", {"link": {}, "topics": topics})
    handlers = [handler("main:cpu_alert:alert2", "very-long-handler-id", "pagerduty2")]
    api.on("GET", "/kapacitor/v1/alerts/topics/main:cpu_alert:alert2/handlers", {"handlers": handlers})
    result = run("list", "topic-handlers", "main:*", "very*", "other*")
    assert result.out == (
        "Topic                 ID                   Kind       \n"
        "main:cpu_alert:alert2 very-long-handler-id pagerduty2 \n"
        "main:cpu_alert:alert2 very-long-handler-id pagerduty2 \n"
    )
    assert api.lines() == [
        "GET /kapacitor/v1/alerts/topics?min-level=OK&pattern=main%3A%2A",
        "GET /kapacitor/v1/alerts/topics/main:cpu_alert:alert2/handlers?pattern=very%2A",
        "GET /kapacitor/v1/alerts/topics/main:cpu_alert:alert2/handlers?pattern=other%2A",
    ]


def test_list_topic_handlers_json_rows(api: FakeApi, run: Run) -> None:
    _system_topic_with_vector_handlers(api)
    result = run("list", "topic-handlers", "--json")
    handlers = VECTORS["client.list_topic_handlers"]["response"]["body"]["handlers"]
    assert json.loads(result.out) == [{"topic": "system", **h} for h in handlers]
    assert api.lines()[0] == "GET /kapacitor/v1/alerts/topics?min-level=OK&pattern="


def test_delete_topic_handlers_lists_then_deletes(api: FakeApi, run: Run) -> None:
    slack = handler("system", "slack", "slack")
    api.on("GET", "/kapacitor/v1/alerts/topics/system/handlers", {"topic": "system", "handlers": [slack]})
    api.on("DELETE", "/kapacitor/v1/alerts/topics/system/handlers/slack", status=204)
    result = run("delete", "topic-handlers", "system", "sl*")
    assert (result.code, result.out, result.err) == (0, "", "")
    assert api.lines() == [
        "GET /kapacitor/v1/alerts/topics/system/handlers?pattern=sl%2A",
        "DELETE /kapacitor/v1/alerts/topics/system/handlers/slack",
    ]
    expected = VECTORS["client.delete_topic_handler"]["request"]
    assert (api.requests[1].method, api.requests[1].path) == (expected["method"], expected["path"])


def test_delete_topic_handlers_needs_a_pattern(api: FakeApi, run: Run) -> None:
    result = run("delete", "topic-handlers", "system")
    assert result.code == 2
    assert result.err.startswith("Error: must pass a topic ID and at least one handler ID or pattern\n\nUsage:")
    assert api.requests == []

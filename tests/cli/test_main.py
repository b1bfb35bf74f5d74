from __future__ import annotations

import json
import socket
import sys
import types
from typing import Any

import pytest

from tocsin.cli import main as cli_main
from tocsin.cli.context import Context

from .fake_api import FakeApi, Run

TOPICS = "/kapacitor/v1/alerts/topics"
EMPTY_TOPICS: dict[str, Any] = {"link": {}, "topics": []}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def dead_url() -> str:
    return f"http://127.0.0.1:{_free_port()}"


@pytest.mark.parametrize(
    "form",
    [
        ("-url", "{url}", "list", "topics"),
        ("--url", "{url}", "list", "topics"),
        ("-url={url}", "list", "topics"),
        ("--url={url}", "list", "topics"),
        ("list", "topics", "-url", "{url}"),
    ],
    ids=["dash", "double-dash", "dash-equals", "double-dash-equals", "after-verb"],
)
def test_url_flag_forms(
    api: FakeApi, run: Run, monkeypatch: pytest.MonkeyPatch, dead_url: str, form: tuple[str, ...]
) -> None:
    monkeypatch.setenv("TOCSIN_URL", dead_url)
    api.on("GET", TOPICS, EMPTY_TOPICS)
    result = run(*(arg.format(url=api.url) for arg in form))
    assert (result.code, result.err) == (0, "")
    assert api.lines() == [f"GET {TOPICS}?min-level=OK&pattern="]


def test_tocsin_url_wins_over_kapacitor_url(
    api: FakeApi, run: Run, monkeypatch: pytest.MonkeyPatch, dead_url: str
) -> None:
    monkeypatch.setenv("KAPACITOR_URL", dead_url)
    api.on("GET", TOPICS, EMPTY_TOPICS)
    assert run("list", "topics").code == 0
    assert len(api.requests) == 1


def test_kapacitor_url_is_used_without_tocsin_url(api: FakeApi, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOCSIN_URL")
    monkeypatch.setenv("KAPACITOR_URL", api.url)
    api.on("GET", TOPICS, EMPTY_TOPICS)
    assert run("list", "topics").code == 0
    assert len(api.requests) == 1


@pytest.mark.parametrize(
    ("env", "flag", "expected"),
    [
        ({}, "", "http://localhost:9092"),
        ({"KAPACITOR_URL": "http://k:1"}, "", "http://k:1"),
        ({"KAPACITOR_URL": "http://k:1", "TOCSIN_URL": "http://t:2"}, "", "http://t:2"),
        ({"TOCSIN_URL": "http://t:2"}, "http://f:3", "http://f:3"),
    ],
    ids=["default", "kapacitor", "tocsin-first", "flag-first"],
)
def test_url_precedence(env: dict[str, str], flag: str, expected: str) -> None:
    ctx = Context(out=sys.stdout, err=sys.stderr, env=env, url=flag)
    assert ctx.resolved_url() == expected


@pytest.mark.parametrize(
    ("env", "flag", "expected"),
    [
        ({}, None, False),
        ({"KAPACITOR_UNSAFE_SSL": "true"}, None, True),
        ({"KAPACITOR_UNSAFE_SSL": "true", "TOCSIN_UNSAFE_SSL": "0"}, None, False),
        ({"KAPACITOR_UNSAFE_SSL": "false"}, True, True),
    ],
    ids=["default", "kapacitor-env", "tocsin-env-first", "flag-first"],
)
def test_skip_verify_precedence(env: dict[str, str], flag: bool | None, expected: bool) -> None:
    ctx = Context(out=sys.stdout, err=sys.stderr, env=env, skip_verify=flag)
    assert ctx.resolved_skip_verify() is expected


def test_skip_verify_bad_env_is_a_usage_error(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAPACITOR_UNSAFE_SSL", "maybe")
    result = run("list", "topics")
    assert result.code == 2
    assert result.err.startswith('Error: KAPACITOR_UNSAFE_SSL: strconv.ParseBool: parsing "maybe": invalid syntax\n')


def test_skip_verify_flag_is_accepted(api: FakeApi, run: Run) -> None:
    api.on("GET", TOPICS, EMPTY_TOPICS)
    assert run("-skipVerify", "list", "topics").code == 0
    assert run("-skipVerify=true", "list", "topics", "-json").out == "[]\n"


def test_unreachable_server(run: Run, dead_url: str) -> None:
    result = run("-url", dead_url, "list", "topics")
    assert (result.code, result.out) == (3, "")
    assert result.err == f"Error: cannot reach Tocsin at {dead_url}: Connection refused\n"


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (
            400,
            {"error": "invalid pattern: syntax error in pattern", "message": "x"},
            "invalid pattern: syntax error in pattern",
        ),
        (500, {"Error": "boom"}, "boom"),
        (502, b"bad gateway", "invalid response: code 502: body: bad gateway"),
        (404, {"message": "only message"}, 'invalid response: code 404: body: {\n    "message": "only message"\n}'),
    ],
    ids=["error-field", "case-insensitive", "not-an-object", "no-error-field"],
)
def test_api_errors_exit_3(api: FakeApi, run: Run, status: int, body: Any, message: str) -> None:
    api.on("GET", TOPICS, body, status=status)
    result = run("list", "topics")
    assert (result.code, result.out, result.err) == (3, "", f"Error: {message}\n")


def test_undecodable_success_body(api: FakeApi, run: Run) -> None:
    api.on("GET", TOPICS, b"<html>oops</html>")
    result = run("list", "topics")
    assert (result.code, result.out) == (3, "")
    assert result.err == "Error: failed to decode JSON: Expecting value: line 1 column 1 (char 0)\n"


@pytest.mark.parametrize(
    ("argv", "message", "usage"),
    [
        ((), "must pass a command", "Usage: tocsin [options] <command> [args]"),
        (("launch",), 'unknown command "launch"', "Usage: tocsin [options] <command> [args]"),
        (("-bogus", "list"), "flag provided but not defined: -bogus", "Usage: tocsin [options]"),
        (("-url",), "flag needs an argument: -url", "Usage: tocsin [options]"),
        (("---url", "x"), "bad flag syntax: ---url", "Usage: tocsin [options]"),
        (("-json=maybe", "version"), 'invalid boolean value "maybe" for -json: parse error', "Usage: tocsin"),
        (
            ("-url", "ftp://x", "list", "topics"),
            "Unsupported protocol scheme: ftp, your address must start with http:// or https://",
            "Usage: tocsin",
        ),
        (("list",), "must specify 'topics', 'topic-handlers' or 'service-tests'", "Usage: tocsin list "),
        (
            ("show-topic-handler", "t"),
            "must specify both the topic ID and the handler ID",
            "Usage: tocsin show-topic-handler <topic ID> <handler ID>",
        ),
        (("version", "extra"), "version takes no arguments", "Usage: tocsin version"),
        (("help", "nope"), 'unknown command "nope"', "Usage: tocsin [options]"),
    ],
    ids=[
        "no-command",
        "unknown-command",
        "unknown-flag",
        "missing-value",
        "bad-syntax",
        "bad-bool",
        "bad-scheme",
        "list-no-kind",
        "show-handler-args",
        "version-args",
        "help-unknown",
    ],
)
def test_usage_errors_exit_2(run: Run, argv: tuple[str, ...], message: str, usage: str) -> None:
    result = run(*argv)
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(f"Error: {message}\n\n{usage}")


@pytest.mark.parametrize(
    ("argv", "first_line"),
    [
        (("help",), "Usage: tocsin [options] <command> [args]"),
        (("-h",), "Usage: tocsin [options] <command> [args]"),
        (("--help", "list"), "Usage: tocsin [options] <command> [args]"),
        (
            ("help", "deliveries"),
            "Usage: tocsin deliveries [list] [-topic T] [-handler H] [-status S] [-since D] [-limit N]",
        ),
        (("list", "-h"), "Usage: tocsin list (topics|topic-handlers|service-tests) [ID or pattern]..."),
        (("help", "define-topic-handler"), "Usage: tocsin define-topic-handler <handler file>"),
    ],
    ids=["help", "dash-h", "dash-dash-help", "help-verb", "verb-dash-h", "help-define"],
)
def test_help_goes_to_stdout(run: Run, argv: tuple[str, ...], first_line: str) -> None:
    result = run(*argv)
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines()[0] == first_line


def test_main_usage_lists_every_verb(run: Run) -> None:
    out = run("help").out
    listed = [line.split()[0] for line in out.split("Commands:\n\n")[1].split("\n\n")[0].splitlines()]
    assert listed == list(cli_main.VERBS)


def test_version(run: Run) -> None:
    assert run("version").out == "Tocsin 0.1.0 (Kapacitor API 1.8.3)\n"
    assert json.loads(run("version", "--json").out) == {"version": "0.1.0", "kapacitorApiVersion": "1.8.3"}


def test_serve_hands_its_arguments_to_the_server(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []

    def serve_main(args: list[str]) -> int:
        calls.append(args)
        return 4

    module = types.ModuleType("tocsin.server.run")
    module.serve_main = serve_main  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tocsin.server.run", module)
    result = run("-url", "http://x:1", "serve", "-config", "/etc/tocsin.toml", "--json")
    assert (result.code, result.out, result.err) == (4, "", "")
    assert calls == [["-config", "/etc/tocsin.toml", "--json"]]


def test_config_prints_the_default_toml(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("tocsin.config.loader")
    module.default_config_toml = lambda: '[http]\nbind-address = ":9092"'  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tocsin.config.loader", module)
    result = run("config")
    assert (result.code, result.out, result.err) == (0, '[http]\nbind-address = ":9092"\n', "")


def test_unavailable_local_verb(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tocsin.server.run", types.ModuleType("tocsin.server.run"))
    result = run("serve")
    assert result.code == 3
    assert result.err.startswith("Error: serve is unavailable: module 'tocsin.server.run' has no attribute")


def test_unexpected_failure_is_one_error_line(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(ctx: Context, args: list[str]) -> int:
        raise RuntimeError("boom")

    monkeypatch.setitem(cli_main.VERBS, "version", broken)
    result = run("version")
    assert (result.code, result.out, result.err) == (3, "", "Error: internal error: RuntimeError: boom\n")

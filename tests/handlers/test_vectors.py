"""Kapacitor's own handler tests (the spec's handler vectors), executed through the real transports."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.config import OPEN_POLICY_VALUES, StaticConfig
from tests.support.sink import HttpSink, TcpSink
from tests.support.vectors import case, event_from_alert, substitute
from tocsin.alert.event import Event, alert_data
from tocsin.alert.levels import Level
from tocsin.handlers import aggregate, exec, log, post, publish, tcp
from tocsin.handlers.base import HandlerKind
from tocsin.handlers.options import normalize
from tocsin.handlers.requests import Publish
from tocsin.transports import Transports

KINDS: dict[str, HandlerKind] = {k.name: k for k in (log.KIND, tcp.KIND, exec.KIND, post.KIND)}
# TICKscript vectors carry no options: these are the options their handler properties set.
TICK_OPTIONS: dict[str, list[dict[str, Any]]] = {
    "stream/post-url": [{"url": "<server>"}],
    "stream/post-endpoint-headers": [{"endpoint": "test"}],
    "stream/tcp": [{"address": "<tcp server>"}],
    "stream/log": [{"path": "<tempdir>/normal.log"}, {"path": "<tempdir>/mode.log", "mode": 0o644}],
    "stream/exec": [{"prog": "/bin/my-script", "args": ["arg1", "arg2"]}, {"prog": "/bin/my-other-script"}],
}
# Headers Go's HTTP client adds on its own; Tocsin's client sends its own values for them.
GO_CLIENT_HEADERS = {"Accept-Encoding", "User-Agent"}


@pytest.fixture
def no_umask() -> Iterator[None]:
    previous = os.umask(0)
    yield
    os.umask(previous)


def _options(vector: dict[str, Any], replacements: dict[str, str]) -> list[dict[str, Any]]:
    raw = TICK_OPTIONS.get(vector["id"]) or [vector["options"]]
    return [substitute(o, replacements) for o in raw]


async def _deliver(vector: dict[str, Any], replacements: dict[str, str], transports: Transports) -> None:
    kind = KINDS[vector["handler"]]
    values = {**OPEN_POLICY_VALUES, **substitute(vector.get("config") or {}, replacements)}
    config = StaticConfig(values, sections=[post.SECTION])
    event = event_from_alert(vector["alert"])
    for raw in _options(vector, replacements):
        options = normalize(kind, raw, config)
        await transports.send(kind.render(event, options, config), kind.timeout)


@pytest.mark.parametrize(
    "case_id",
    [
        "server/post-url",
        "stream/post-url",
        "server/post-endpoint-alert-template",
        "stream/post-endpoint-headers",
        "server/alertjson-normal_json",
        "server/alertjson-compact-json",
    ],
)
async def test_post_vectors(case_id: str, sink: HttpSink, transports: Transports) -> None:
    vector = case(case_id)
    await _deliver(vector, {"<server>": sink.url}, transports)
    (got,) = await sink.wait_for(1)
    (want,) = vector["exact"]
    assert (got.method, got.path, got.query_string) == (want["method"], want["path"], "")
    assert got.body == want["body"].encode()
    if "body_json" in want:
        assert got.json() == want["body_json"]
    for name, value in want["headers"].items():
        if name not in GO_CLIENT_HEADERS:
            assert got.header_values(name) == [value], name
    if "Content-Type" not in want["headers"]:
        assert got.header("Content-Type") is None


@pytest.mark.parametrize("case_id", ["server/tcp", "stream/tcp"])
async def test_tcp_vectors(case_id: str, tcp_sink: TcpSink, transports: Transports) -> None:
    vector = case(case_id)
    await _deliver(vector, {"<tcp server>": tcp_sink.address}, transports)
    assert await tcp_sink.wait_for(1) == [want["body"].encode() for want in vector["exact"]]


@pytest.mark.parametrize(
    ("case_id", "files"),
    [("server/log", {"alert.log": 0o604}), ("stream/log", {"normal.log": 0o600, "mode.log": 0o644})],
    ids=["server/log", "stream/log"],
)
async def test_log_vectors(
    case_id: str, files: dict[str, int], tmp_path: Path, transports: Transports, no_umask: None
) -> None:
    vector = case(case_id)
    await _deliver(vector, {"<tempdir>": str(tmp_path)}, transports)
    (want,) = vector["exact"]
    for name, mode in files.items():
        path = tmp_path / name
        assert path.read_bytes() == want["body"].encode()
        assert stat.S_IMODE(path.stat().st_mode) == mode
    if "mode" in want.get("extra", {}):
        assert int(want["extra"]["mode"], 8) == files["alert.log"]


def _recording_program(directory: Path, argv0: str) -> Path:
    path = directory / Path(argv0).name
    path.write_text(
        '#!/bin/sh\n: > "$0.argv"\nfor a in "$@"; do printf "%s\\0" "$a" >> "$0.argv"; done\ncat > "$0.stdin"\n'
    )
    path.chmod(0o755)
    return path


def _recorded(program: Path) -> tuple[list[str], bytes]:
    args = Path(f"{program}.argv").read_bytes().split(b"\0")[:-1]
    return [a.decode() for a in args], Path(f"{program}.stdin").read_bytes()


@pytest.mark.parametrize("case_id", ["server/exec", "stream/exec"])
async def test_exec_vectors(case_id: str, tmp_path: Path, transports: Transports) -> None:
    vector = case(case_id)
    argv0s = [want["extra"]["argv"][0] for want in vector["exact"]]
    programs = {argv0: _recording_program(tmp_path, argv0) for argv0 in argv0s}
    await _deliver(vector, {argv0: str(path) for argv0, path in programs.items()}, transports)
    for want in vector["exact"]:
        argv = want["extra"]["argv"]
        assert _recorded(programs[argv[0]]) == (argv[1:], want["body"].encode())


def test_aggregate_vector_combines_to_the_exact_event() -> None:
    vector = case("server/aggregate")
    options = normalize(aggregate.KIND, vector["options"]["topic_handlers"][1]["options"])
    inputs = [
        Event(
            topic="agg",
            id="id",
            level=Level.CRITICAL,
            time=ms * 1_000_000,
            duration=ms * 1_000_000,  # the alert has been CRITICAL since the first point
            message="message",
            details="details",
            name="alert",
            task_name="aggregate_task",
            data={"series": [{"name": "alert", "columns": ["time", "value"], "values": [[ts, value]]}]},
        )
        for ms, ts, value in [
            (0, "1970-01-01T00:00:00Z", 3),
            (1, "1970-01-01T00:00:00.001Z", 4),
            (2, "1970-01-01T00:00:00.002Z", 2),
        ]
    ]
    assert aggregate.KIND.combine is not None and aggregate.KIND.interval is not None
    combined = aggregate.KIND.combine(inputs, options)
    assert aggregate.KIND.interval(options) == 100_000_000
    assert combined == event_from_alert(vector["alert"])
    assert alert_data(combined) == json.loads(vector["exact"][0]["body"])


async def test_aggregate_vector_reaches_tcp_exactly(tcp_sink: TcpSink, transports: Transports) -> None:
    vector = case("server/aggregate")
    combined = event_from_alert(vector["alert"])
    config = StaticConfig()
    request = tcp.KIND.render(combined, normalize(tcp.KIND, {"address": tcp_sink.address}), config)
    await transports.send(request, 5.0)
    assert await tcp_sink.wait_for(1) == [vector["exact"][0]["body"].encode()]


async def test_publish_vector(tcp_sink: TcpSink, transports: Transports) -> None:
    vector = case("server/publish")
    publish_spec, tcp_spec = vector["options"]["topic_handlers"][1], vector["options"]["topic_handlers"][0]
    event = event_from_alert({**vector["alert"], "topic": publish_spec["topic"]})
    config = StaticConfig()
    request = publish.KIND.render(event, normalize(publish.KIND, publish_spec["options"]), config)
    assert request == Publish(topics=("tcp",), event=event)
    assert request.event is event
    tcp_options = normalize(tcp.KIND, substitute(tcp_spec["options"], {"<tcp server>": tcp_sink.address}))
    await transports.send(tcp.KIND.render(request.event, tcp_options, config), 5.0)
    assert await tcp_sink.wait_for(1) == [vector["exact"][0]["body"].encode()]

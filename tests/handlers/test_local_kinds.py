"""Render of the local kinds (log, tcp, exec, publish): pure requests, exact bytes."""

from __future__ import annotations

import pytest

from tests.support.config import StaticConfig
from tocsin.alert.event import Event, alert_json_line
from tocsin.alert.levels import Level
from tocsin.handlers import exec, log, publish, tcp
from tocsin.handlers.log import go_file_mode
from tocsin.handlers.options import normalize
from tocsin.handlers.registry import get_kind
from tocsin.handlers.requests import ExecRequest, FileAppend, Publish, TcpRequest

EVENT = Event(topic="t", id="a<b>&c", level=Level.WARNING, time=1_500_000, message="m", duration=3)
LINE = (
    b'{"id":"a\\u003cb\\u003e\\u0026c","message":"m","details":"","time":"1970-01-01T00:00:00.0015Z",'
    b'"duration":3,"level":"WARNING","data":{"series":null},"previousLevel":"OK","recoverable":true}\n'
)
CONFIG = StaticConfig()


def test_alert_line_is_go_encoder_output() -> None:
    assert alert_json_line(EVENT) == LINE


def test_log_render() -> None:
    options = normalize(log.KIND, {"path": "/var/log/a.log", "mode": 0o4644})
    assert log.KIND.render(EVENT, options, CONFIG) == FileAppend("/var/log/a.log", LINE, 0o644)


def test_tcp_render_ends_with_two_newlines() -> None:
    options = normalize(tcp.KIND, {"address": "127.0.0.1:9"})
    assert tcp.KIND.render(EVENT, options, CONFIG) == TcpRequest("127.0.0.1:9", LINE + b"\n")


@pytest.mark.parametrize(
    ("raw", "argv"),
    [({"prog": "/bin/p", "args": ["a", "b"]}, ("/bin/p", "a", "b")), ({"prog": "/bin/p"}, ("/bin/p",))],
    ids=["with-args", "without-args"],
)
def test_exec_render(raw: dict[str, object], argv: tuple[str, ...]) -> None:
    assert exec.KIND.render(EVENT, normalize(exec.KIND, raw), CONFIG) == ExecRequest(argv, LINE)


def test_publish_render_carries_the_same_event() -> None:
    request = publish.KIND.render(EVENT, normalize(publish.KIND, {"topics": ["a", "b"]}), CONFIG)
    assert request == Publish(("a", "b"), EVENT)
    assert request.event is EVENT


def test_kind_flags() -> None:
    kinds = {name: get_kind(name) for name in ("log", "tcp", "exec", "post", "publish", "aggregate")}
    assert {n: k.external for n, k in kinds.items()} == {
        "log": True, "tcp": True, "exec": True, "post": True, "publish": False, "aggregate": False,
    }  # fmt: skip
    assert {n: k.name for n, k in kinds.items()} == {n: n for n in kinds}
    assert kinds["post"].config is not None and kinds["post"].config.name == "httppost"
    assert [t.name for t in kinds["post"].service_tests] == ["httppost"]


@pytest.mark.parametrize(
    ("mode", "text"),
    [(0o644, "-rw-r--r--"), (0o7777, "-rwxrwxrwx"), (0, "----------"), ((1 << 31) | 0o500, "dr-x------"),
     ((1 << 31) | (1 << 27) | 0o777, "dLrwxrwxrwx")],
    ids=["file", "special-bits-ignored", "none", "dir", "dir-symlink"],
)  # fmt: skip
def test_go_file_mode(mode: int, text: str) -> None:
    assert go_file_mode(mode) == text

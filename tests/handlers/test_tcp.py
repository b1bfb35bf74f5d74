from __future__ import annotations

from tests.handlers._events import EVENT, LINE
from tests.support.config import StaticConfig
from tocsin.handlers import tcp
from tocsin.handlers.options import normalize
from tocsin.handlers.requests import TcpRequest


def test_render_ends_with_two_newlines() -> None:
    options = normalize(tcp.KIND, {"address": "127.0.0.1:9"})
    assert tcp.KIND.render(EVENT, options, StaticConfig()) == TcpRequest("127.0.0.1:9", LINE + b"\n")


def test_kind() -> None:
    assert (tcp.KIND.name, tcp.KIND.external, tcp.KIND.config, tcp.KIND.service_tests) == ("tcp", True, None, ())

from __future__ import annotations

from tests.handlers._events import EVENT
from tests.support.config import StaticConfig
from tocsin.handlers import publish
from tocsin.handlers.options import normalize
from tocsin.handlers.registry import get_kind
from tocsin.handlers.requests import Publish


def test_render_carries_the_same_event() -> None:
    request = publish.KIND.render(EVENT, normalize(publish.KIND, {"topics": ["a", "b"]}), StaticConfig())
    assert request == Publish(("a", "b"), EVENT)
    assert request.event is EVENT


def test_registered_kinds_and_which_leave_the_process() -> None:
    kinds = {name: get_kind(name) for name in ("log", "tcp", "exec", "post", "publish", "aggregate")}
    assert {n: (k.name, k.external) for n, k in kinds.items()} == {
        "log": ("log", True),
        "tcp": ("tcp", True),
        "exec": ("exec", True),
        "post": ("post", True),
        "publish": ("publish", False),
        "aggregate": ("aggregate", False),
    }

from __future__ import annotations

import pytest

from tests.handlers._events import EVENT, LINE
from tests.support.config import OPEN_POLICY
from tocsin.handlers import exec
from tocsin.handlers.options import normalize
from tocsin.handlers.requests import ExecRequest


@pytest.mark.parametrize(
    ("raw", "argv"),
    [({"prog": "/bin/p", "args": ["a", "b"]}, ("/bin/p", "a", "b")), ({"prog": "/bin/p"}, ("/bin/p",))],
    ids=["with-args", "without-args"],
)
def test_render(raw: dict[str, object], argv: tuple[str, ...]) -> None:
    assert exec.KIND.render(EVENT, normalize(exec.KIND, raw, OPEN_POLICY), OPEN_POLICY) == ExecRequest(argv, LINE)

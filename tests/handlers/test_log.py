from __future__ import annotations

import pytest

from tests.handlers._events import EVENT, LINE
from tests.support.config import OPEN_POLICY
from tocsin.alert.event import alert_json_line
from tocsin.handlers import log
from tocsin.handlers.log import go_file_mode
from tocsin.handlers.options import normalize
from tocsin.handlers.requests import FileAppend


def test_alert_line_is_go_encoder_output() -> None:
    assert alert_json_line(EVENT) == LINE


def test_render_appends_the_line_with_the_permission_bits() -> None:
    options = normalize(log.KIND, {"path": "/var/log/a.log", "mode": 0o4644}, OPEN_POLICY)
    assert log.KIND.render(EVENT, options, OPEN_POLICY) == FileAppend("/var/log/a.log", LINE, 0o644)


def test_default_mode() -> None:
    assert normalize(log.KIND, {"path": "/a.log"}, OPEN_POLICY)["mode"] == 0o600


@pytest.mark.parametrize(
    ("mode", "text"),
    [
        (0o644, "-rw-r--r--"),
        (0o7777, "-rwxrwxrwx"),
        (0, "----------"),
        ((1 << 31) | 0o500, "dr-x------"),
        ((1 << 31) | (1 << 27) | 0o777, "dLrwxrwxrwx"),
    ],
    ids=["file", "special-bits-ignored", "none", "dir", "dir-symlink"],
)
def test_go_file_mode(mode: int, text: str) -> None:
    assert go_file_mode(mode) == text

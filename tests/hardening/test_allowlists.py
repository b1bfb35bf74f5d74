"""`[exec] allowed-commands` and `[log] allowed-dirs`: checked when a handler is defined and again at delivery."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.hardening.conftest import Start
from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.config.allowlists import warn_open_policies
from tocsin.config.effective import Config
from tocsin.config.loader import load_text
from tocsin.config.overrides import Overrides
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.errors import ConfigError
from tocsin.handlers import exec as exec_kind
from tocsin.handlers import log as log_kind

POLICY = """[exec]
allowed-commands = ["/usr/bin/true", "/opt/alerts/*.sh"]
[log]
allowed-dirs = ["/var/log/tocsin", "/srv/*/alerts"]
"""
HANDLERS = "/kapacitor/v1/alerts/topics/t/handlers"


def config(text: str = POLICY) -> Config:
    return Config.build(load_text(text, "t.conf", environ={}), Overrides())


@pytest.mark.parametrize(
    ("prog", "problem"),
    [
        ("/usr/bin/true", None),
        ("/opt/alerts/page.sh", None),
        ("/opt/alerts/sub/page.sh", 'program "/opt/alerts/sub/page.sh" is not allowed by [exec] allowed-commands'),
        ("/opt/alerts/../../bin/sh", 'program "/opt/alerts/../../bin/sh" is not allowed by [exec] allowed-commands'),
        ("/bin/sh", 'program "/bin/sh" is not allowed by [exec] allowed-commands'),
        ("true", 'program "true" is not allowed by [exec] allowed-commands'),
    ],
    ids=["exact", "glob", "glob-one-segment", "dotdot", "other", "relative"],
)
def test_exec_validate(prog: str, problem: str | None) -> None:
    assert exec_kind.validate({"prog": prog, "args": []}, config()) == problem


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("/var/log/tocsin/a.log", None),
        ("/var/log/tocsin/deep/a.log", None),
        ("/srv/web/alerts/a.log", None),
        ("/var/log/tocsin/../../../etc/passwd", 'log path "/var/log/tocsin/../../../etc/passwd" is not inside a '
         "directory of [log] allowed-dirs"),
        ("/etc/cron.d/x", 'log path "/etc/cron.d/x" is not inside a directory of [log] allowed-dirs'),
        ("relative.log", "log path must be absolute: relative.log is not absolute"),
    ],
    ids=["inside", "deeper", "glob", "dotdot", "outside", "relative"],
)
def test_log_validate(path: str, problem: str | None) -> None:
    assert log_kind.validate({"path": path, "mode": 0o600}, config()) == problem


def test_empty_lists_allow_everything_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    open_config = config("")
    assert exec_kind.validate({"prog": "/bin/sh", "args": []}, open_config) is None
    assert log_kind.validate({"path": "/etc/x", "mode": 0o600}, open_config) is None
    with caplog.at_level(logging.WARNING):
        warn_open_policies(open_config)
        warn_open_policies(config())
    assert [r.getMessage() for r in caplog.records] == [
        "[exec] allowed-commands is empty: exec topic handlers may run any program",
        "[log] allowed-dirs is empty: log topic handlers may append to any file the server can write",
    ]


def test_patterns_must_be_absolute() -> None:
    with pytest.raises(ConfigError, match='allowed-commands: "bin/x" is not an absolute path or pattern'):
        config('[exec]\nallowed-commands = ["bin/x"]\n')


def test_delivery_checks_again() -> None:
    event = Event(topic="t", id="a", level=Level.CRITICAL, time=1, message="m")
    with pytest.raises(DeliveryError) as err:
        exec_kind.render(event, {"prog": "/bin/sh", "args": []}, config())
    assert (err.value.reason, err.value.retryable) == (Reason.CONFIG, False)
    assert str(err.value) == 'program "/bin/sh" is not allowed by [exec] allowed-commands'
    with pytest.raises(DeliveryError) as err:
        log_kind.render(event, {"path": "/etc/x", "mode": 0o600}, config())
    assert str(err.value) == 'log path "/etc/x" is not inside a directory of [log] allowed-dirs'


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ({"id": "x", "kind": "exec", "options": {"prog": "/bin/sh", "args": ["-c", "id"]}},
         'program "/bin/sh" is not allowed by [exec] allowed-commands'),
        ({"id": "y", "kind": "log", "options": {"path": "/etc/passwd"}},
         'log path "/etc/passwd" is not inside a directory of [log] allowed-dirs'),
    ],
    ids=["exec", "log"],
)
async def test_api_rejects_with_400(start: Start, body: dict[str, Any], text: str) -> None:
    client: TestClient = await start(POLICY)
    resp = await client.post(HANDLERS, json=body)
    assert resp.status == 400
    assert (await resp.json())["error"].endswith(text)
    assert (await (await client.get(HANDLERS)).json())["handlers"] == []


async def test_api_accepts_allowed(start: Start, tmp_path: Path) -> None:
    client = await start(POLICY)
    body = {"id": "ok", "kind": "exec", "options": {"prog": "/usr/bin/true"}}
    assert (await client.post(HANDLERS, json=body)).status == 200

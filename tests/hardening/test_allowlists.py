"""`[exec] allowed-commands` and `[log] allowed-dirs`: checked when a handler is defined and again at delivery."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from tests.hardening.conftest import Start
from tests.support.client import Client
from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.config.allowlists import EXEC_DISABLED, LOG_DISABLED, SIDELOAD_DISABLED, log_open_policies
from tocsin.config.effective import Config
from tocsin.config.loader import load_text
from tocsin.config.overrides import Overrides
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.errors import ConfigError
from tocsin.handlers import exec as exec_kind
from tocsin.handlers import log as log_kind

POLICY = """[exec]
allowed-commands = ["/usr/bin/true", "/opt/alerts/*.sh", "/opt/tools/**"]
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
        ("/opt/tools/a/b/page", None),
        ("/opt/tools/../../bin/sh", 'program "/opt/tools/../../bin/sh" is not allowed by [exec] allowed-commands'),
        ("/usr//bin/true", 'program "/usr//bin/true" is not allowed by [exec] allowed-commands'),
        ("/opt/tools", 'program "/opt/tools" is not allowed by [exec] allowed-commands'),
    ],
    ids=[
        "exact",
        "glob",
        "glob-one-segment",
        "dotdot",
        "other",
        "relative",
        "below",
        "below-dotdot",
        "double-slash",
        "the-directory-itself",
    ],
)
def test_exec_validate(prog: str, problem: str | None) -> None:
    assert exec_kind.validate({"prog": prog, "args": []}, config()) == problem


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("/var/log/tocsin/a.log", None),
        ("/var/log/tocsin/deep/a.log", None),
        ("/srv/web/alerts/a.log", None),
        (
            "/var/log/tocsin/../../../etc/passwd",
            'log path "/var/log/tocsin/../../../etc/passwd" is not inside a directory of [log] allowed-dirs',
        ),
        ("/etc/cron.d/x", 'log path "/etc/cron.d/x" is not inside a directory of [log] allowed-dirs'),
        ("relative.log", "log path must be absolute: relative.log is not absolute"),
    ],
    ids=["inside", "deeper", "glob", "dotdot", "outside", "relative"],
)
def test_log_validate(path: str, problem: str | None) -> None:
    assert log_kind.validate({"path": path, "mode": 0o600}, config()) == problem


def test_empty_lists_disable_the_kinds_and_startup_says_so(caplog: pytest.LogCaptureFixture) -> None:
    closed = config("")
    assert exec_kind.validate({"prog": "/bin/sh", "args": []}, closed) == EXEC_DISABLED
    assert log_kind.validate({"path": "/etc/x", "mode": 0o600}, closed) == LOG_DISABLED
    assert "[exec] allowed-commands" in EXEC_DISABLED and "[log] allowed-dirs" in LOG_DISABLED
    with caplog.at_level(logging.INFO, logger="tocsin.config.allowlists"):
        log_open_policies(closed)
        log_open_policies(config())
    kept = " (Kapacitor's kapacitor.conf has no such list: add it to keep {} handlers working)"
    assert [r.getMessage() for r in caplog.records] == [
        EXEC_DISABLED + kept.format("exec"),
        LOG_DISABLED + kept.format("log"),
        SIDELOAD_DISABLED,  # Kapacitor has no such list: sideload reads files from any path there
        SIDELOAD_DISABLED,
    ]


def test_a_symlink_out_of_an_allowed_dir_is_refused(tmp_path: Path) -> None:
    allowed, outside = tmp_path / "logs", tmp_path / "etc"
    allowed.mkdir()
    outside.mkdir()
    (allowed / "escape").symlink_to(outside)
    policy = config(f'[log]\nallowed-dirs = ["{allowed}"]\n')
    assert log_kind.validate({"path": f"{allowed}/a.log", "mode": 0o600}, policy) is None
    assert log_kind.validate({"path": f"{allowed}/escape/a.log", "mode": 0o600}, policy) == (
        f'log path "{allowed}/escape/a.log" is not inside a directory of [log] allowed-dirs'
    )


def test_a_symlinked_log_file_is_not_followed(tmp_path: Path) -> None:
    from tocsin.transports.file import _append

    target = tmp_path / "target"
    target.write_bytes(b"")
    (tmp_path / "link.log").symlink_to(target)
    with pytest.raises(DeliveryError):
        _append(str(tmp_path / "link.log"), b"x\n", 0o600)
    assert target.read_bytes() == b""


def test_patterns_must_be_absolute() -> None:
    with pytest.raises(ConfigError, match='allowed-commands: "bin/x" is not an absolute path or pattern'):
        config('[exec]\nallowed-commands = ["bin/x"]\n')


def test_delivery_checks_again() -> None:
    event = Event(topic="t", id="a", level=Level.CRITICAL, time=1, message="m")
    with pytest.raises(DeliveryError) as err:
        exec_kind.render(event, {"prog": "/bin/sh", "args": []}, config())
    assert (err.value.reason, err.value.retryable) == (Reason.POLICY, False)
    assert str(err.value) == 'program "/bin/sh" is not allowed by [exec] allowed-commands'
    with pytest.raises(DeliveryError) as err:
        log_kind.render(event, {"path": "/etc/x", "mode": 0o600}, config())
    assert str(err.value) == 'log path "/etc/x" is not inside a directory of [log] allowed-dirs'


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (
            {"id": "x", "kind": "exec", "options": {"prog": "/bin/sh", "args": ["-c", "id"]}},
            'program "/bin/sh" is not allowed by [exec] allowed-commands',
        ),
        (
            {"id": "y", "kind": "log", "options": {"path": "/etc/passwd"}},
            'log path "/etc/passwd" is not inside a directory of [log] allowed-dirs',
        ),
    ],
    ids=["exec", "log"],
)
async def test_api_rejects_with_400(start: Start, body: dict[str, Any], text: str) -> None:
    client: Client = await start(POLICY)
    resp = await client.post(HANDLERS, json=body)
    assert resp.status == 400
    assert (await resp.json())["error"].endswith(text)
    assert (await (await client.get(HANDLERS)).json())["handlers"] == []


async def test_api_accepts_allowed(start: Start, tmp_path: Path) -> None:
    client = await start(POLICY)
    body = {"id": "ok", "kind": "exec", "options": {"prog": "/usr/bin/true"}}
    assert (await client.post(HANDLERS, json=body)).status == 200

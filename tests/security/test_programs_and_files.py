"""Programs and files only where the operator allowed them: the unauthenticated RCE of a default start is gone."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from tests.hardening.conftest import Start, engine_of
from tests.support.client import Client
from tocsin.config.allowlists import EXEC_DISABLED, LOG_DISABLED

HANDLERS = "/kapacitor/v1/alerts/topics/t/handlers"
EVENT = {"topic": "t", "id": "a", "level": "CRITICAL", "message": "m"}
TASKS = "/kapacitor/v1/tasks"


async def _error(client: Client, path: str, body: dict[str, Any]) -> tuple[int, str]:
    resp = await client.post(path, json=body)
    return resp.status, (await resp.json())["error"]


async def _deliveries(client: Client) -> list[dict[str, Any]]:
    resp = await client.get("/tocsin/v1/deliveries")
    assert resp.status == 200
    found: list[dict[str, Any]] = (await resp.json())["deliveries"]
    return found


async def test_the_two_request_rce_leaves_no_file_on_a_default_start(start: Start, tmp_path: Path) -> None:
    client = await start()
    pwned = tmp_path / "pwned"
    handler = {"id": "x", "kind": "exec", "options": {"prog": "/bin/sh", "args": ["-c", f"touch {pwned}"]}}
    assert await _error(client, HANDLERS, handler) == (400, "failed to create handler: " + EXEC_DISABLED)
    assert "[exec] allowed-commands" in EXEC_DISABLED
    resp = await client.post("/tocsin/v1/events", json=EVENT)
    assert resp.status == 202
    await engine_of(client).wait_idle()
    await asyncio.sleep(0.2)
    assert not pwned.exists()
    assert (await (await client.get(HANDLERS)).json())["handlers"] == []
    assert await _deliveries(client) == []


async def test_a_log_handler_on_a_default_start_is_refused(start: Start, tmp_path: Path) -> None:
    client = await start()
    handler = {"id": "y", "kind": "log", "options": {"path": str(tmp_path / "any.log")}}
    assert await _error(client, HANDLERS, handler) == (400, "failed to create handler: " + LOG_DISABLED)


async def test_logger_allowed_delivers_and_sh_is_refused(start: Start) -> None:
    client = await start('[exec]\nallowed-commands = ["/usr/bin/logger"]\n')
    logger = {"id": "logger", "kind": "exec", "options": {"prog": "/usr/bin/logger", "args": ["-t", "tocsin-test"]}}
    resp = await client.post(HANDLERS, json=logger)
    assert resp.status == 200, await resp.text()
    shell = {"id": "sh", "kind": "exec", "options": {"prog": "/bin/sh", "args": ["-c", "id"]}}
    assert await _error(client, HANDLERS, shell) == (
        400,
        'failed to create handler: program "/bin/sh" is not allowed by [exec] allowed-commands',
    )
    assert (await client.post("/tocsin/v1/events", json=EVENT)).status == 202
    await engine_of(client).wait_idle()
    rows = await _deliveries(client)
    assert [(r["handler"], r["kind"], r["status"], r["lastError"]) for r in rows] == [
        ("logger", "exec", "delivered", "")
    ]


@pytest.mark.parametrize(
    "path",
    ["{allowed}/../escape.log", "{allowed}/link/escape.log", "/etc/cron.d/tocsin"],
    ids=["dotdot", "symlink", "outside"],
)
async def test_log_paths_cannot_leave_the_allowed_dir(start: Start, tmp_path: Path, path: str) -> None:
    allowed = tmp_path / "logs"
    allowed.mkdir()
    (allowed / "link").symlink_to(tmp_path)
    client = await start(f'[log]\nallowed-dirs = ["{allowed}"]\n')
    handler = {"id": "l", "kind": "log", "options": {"path": path.format(allowed=allowed)}}
    text = f'log path "{path.format(allowed=allowed)}" is not inside a directory of [log] allowed-dirs'
    assert await _error(client, HANDLERS, handler) == (400, "failed to create handler: " + text)
    assert not (tmp_path / "escape.log").exists()


async def test_log_inside_the_allowed_dir_writes(start: Start, tmp_path: Path) -> None:
    allowed = tmp_path / "logs"
    allowed.mkdir()
    client = await start(f'[log]\nallowed-dirs = ["{allowed}"]\n')
    handler = {"id": "l", "kind": "log", "options": {"path": str(allowed / "alerts.log")}}
    assert (await client.post(HANDLERS, json=handler)).status == 200
    assert (await client.post("/tocsin/v1/events", json=EVENT)).status == 202
    await engine_of(client).wait_idle()
    line = json.loads((allowed / "alerts.log").read_text())
    assert (line["id"], line["level"], line["message"]) == ("a", "CRITICAL", "m")
    assert (allowed / "alerts.log").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("chain", "text"),
    [
        (".exec('/bin/sh', '-c', 'id')", ".exec(): " + EXEC_DISABLED),
        (".log('/tmp/tocsin-never.log')", ".log(): " + LOG_DISABLED),
    ],
    ids=["exec", "log"],
)
async def test_tickscript_exec_and_log_are_refused_at_define(start: Start, chain: str, text: str) -> None:
    client = await start()
    script = f"stream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .crit(lambda: TRUE){chain}\n"
    body = {"id": "t1", "type": "stream", "dbrps": [{"db": "db", "rp": "rp"}], "script": script, "status": "enabled"}
    assert await _error(client, TASKS, body) == (400, f"invalid TICKscript: alert node alert2: {text}")
    assert (await (await client.get(TASKS)).json())["tasks"] == []


@pytest.mark.parametrize("handler_id", ["../x", "a/b", "..%2Fx", "a\\b"])
async def test_handler_ids_with_path_segments_are_refused(start: Start, handler_id: str) -> None:
    client = await start()
    handler = {"id": handler_id, "kind": "post", "options": {"url": "http://127.0.0.1:9/"}}
    status, text = await _error(client, HANDLERS, handler)
    assert (status, text) == (
        400,
        "invalid handler spec: handler ID must contain only letters, numbers, '-', '.' and '_'. " + f'"{handler_id}"',
    )

"""`tocsin serve` with `[load]`: what the directory defines is served by the API, across a restart; a bad file
stops the start with one clear line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.polling import eventually_sync
from tests.support.server import ServerProcess

TICK = """dbrp "telegraf"."autogen"

stream
    |from()
        .measurement('cpu')
    |alert()
        .crit(lambda: "usage_idle" < 10)
        .topic('cpu')
"""
TEMPLATE = """var measurement string
var crit lambda

stream
    |from()
        .measurement(measurement)
    |alert()
        .crit(crit)
"""
TEMPLATE_TASK = """template-id: threshold
dbrps:
  - { db: "telegraf", rp: "autogen" }
vars:
  measurement: {type: string, value: mem}
  crit: {type: lambda, value: '"used_percent" > 90'}
"""
HANDLER = "topic: cpu\nid: to-tcp\nkind: tcp\noptions:\n  address: localhost:9\n"


def write_load_dir(root: Path) -> None:
    for name, text in {
        "templates/threshold.tick": TEMPLATE,
        "tasks/cpu_alert.tick": TICK,
        "tasks/mem_alert.yaml": TEMPLATE_TASK,
        "handlers/to_tcp.yaml": HANDLER,
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def loaded(server: ServerProcess) -> dict[str, Any]:
    """What the API answers for each loaded thing, without the fields a reload changes."""
    out: dict[str, Any] = {}
    for path in ("tasks/cpu_alert", "tasks/mem_alert", "templates/threshold", "alerts/topics/cpu/handlers/to-tcp"):
        status, body = server.request("GET", f"/kapacitor/v1/{path}")
        assert status == 200, (path, body)
        out[path] = {k: v for k, v in body.items() if k not in ("modified", "last-enabled", "stats", "dot")}
    return out


def test_the_load_dir_comes_up_and_again_after_a_restart(tmp_path: Path) -> None:
    load_dir = tmp_path / "load"
    write_load_dir(load_dir)
    server = ServerProcess(tmp_path, f'[load]\nenabled = true\ndir = "{load_dir}"\n').start()
    try:
        first = loaded(server)
        cpu, mem = first["tasks/cpu_alert"], first["tasks/mem_alert"]
        assert (cpu["type"], cpu["status"], cpu["executing"], cpu["error"]) == ("stream", "enabled", True, "")
        assert cpu["dbrps"] == [{"db": "telegraf", "rp": "autogen"}]
        assert (mem["template-id"], mem["status"], mem["executing"]) == ("threshold", "enabled", True)
        assert mem["dbrps"] == [{"db": "telegraf", "rp": "autogen"}]
        assert mem["vars"]["measurement"] == {"type": "string", "value": "mem", "description": ""}
        assert first["templates/threshold"]["id"] == "threshold"
        assert first["alerts/topics/cpu/handlers/to-tcp"] == {
            "link": {"rel": "self", "href": "/kapacitor/v1/alerts/topics/cpu/handlers/to-tcp"},
            "id": "to-tcp",
            "kind": "tcp",
            "options": {"address": "localhost:9"},
            "match": "",
        }
        assert server.stop() == 0
        server.start()
        # Reloaded over what the store kept: the same objects (created unchanged), still enabled and running.
        assert loaded(server) == first
    finally:
        server.stop()


def test_sighup_loads_the_directory_again(tmp_path: Path) -> None:
    load_dir = tmp_path / "load"
    write_load_dir(load_dir)
    server = ServerProcess(tmp_path, f'[load]\nenabled = true\ndir = "{load_dir}"\n').start()
    try:
        assert server.request("GET", "/kapacitor/v1/tasks/disk_alert")[0] == 404
        (load_dir / "tasks/disk_alert.tick").write_text(TICK.replace("'cpu'", "'disk'"))
        (load_dir / "tasks/mem_alert.yaml").unlink()
        assert server.proc is not None
        server.proc.send_signal(signal.SIGHUP)

        def reloaded() -> bool:
            return [server.request("GET", f"/kapacitor/v1/tasks/{t}")[0] for t in ("disk_alert", "mem_alert")] == [
                200,
                404,
            ]

        eventually_sync(reloaded, within=10)
        _, task = server.request("GET", "/kapacitor/v1/tasks/disk_alert")
        assert (task["status"], task["executing"], task["script"]) == ("enabled", True, TICK.replace("'cpu'", "'disk'"))
    finally:
        server.stop()


def test_a_bad_file_stops_the_start_with_one_clear_line(tmp_path: Path) -> None:
    load_dir = tmp_path / "load"
    write_load_dir(load_dir)
    (load_dir / "tasks/mem_alert.yaml").write_text("template-id: nope\ndbrps: [{db: a, rp: b}]\n")
    (tmp_path / "kapacitor.conf").write_text(
        f'data_dir = "{tmp_path / "data"}"\n[load]\nenabled = true\ndir = "{load_dir}"\n'
        '[http]\nbind-address = "127.0.0.1:0"\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAPACITOR_", "TOCSIN_"))}
    done = subprocess.run(
        [sys.executable, "-m", "tocsin", "serve", "-config", "kapacitor.conf"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error: ")]
    assert errors == [
        "Error: failed to reload tasks/templates/handlers: failed to load tasks: "
        f"failed to load file {load_dir}/tasks/mem_alert.yaml: "
        "failed to create task: unknown template nope: err: no template exists"
    ]

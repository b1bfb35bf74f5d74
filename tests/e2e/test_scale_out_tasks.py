"""Two `tocsin serve` instances on one PostgreSQL database running a TICKscript task: created through one, it
is known on both and run by exactly one; points written to both (as an InfluxDB subscription with
`DESTINATIONS ALL` does) raise each alert once; when the owner is killed the other takes the task over after
the lease, with the alert state: stateChangesOnly stays quiet and the recovery carries the whole duration."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import test_scale_out
from tests.support.fixtures import SinkProcess
from tests.support.server import ServerProcess

database_url = test_scale_out.database_url
LEASE_S = 2
CONFIG = """
[storage]
url = "{url}?lease={lease}s"
[delivery]
backoff-initial = "20ms"
backoff-max = "200ms"
[logging]
level = "WARN"
"""
SCRIPT = """stream
  |from()
    .measurement('cpu')
    .groupBy('host')
  |alert()
    .crit(lambda: "idle_usage" < 10)
    .stateChangesOnly()
    .post('{url}')
"""
T0 = 1_700_000_000_000_000_000  # ns
S = 1_000_000_000


def _write(server: ServerProcess, lines: list[str]) -> None:
    body = "\n".join(lines).encode()
    req = urllib.request.Request(f"{server.url}/write?db=db&rp=rp", data=body, method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 204


def _executing(server: ServerProcess) -> bool | None:
    status, body = server.request("GET", "/kapacitor/v1/tasks/cpu")
    return bool(body["executing"]) if status == 200 else None


def _alerts(sink: SinkProcess, count: int) -> list[tuple[str, str, int]]:
    """(alert ID, level, duration in s) of what the sink received, once `count` arrived."""
    out = []
    for rec in sink.received(count, within=10):
        alert: dict[str, Any] = json.loads(rec["body"])
        out.append((alert["id"], alert["level"], alert["duration"] // S))
    return out


def _idle(server: ServerProcess) -> bool:
    status, body = server.request("GET", "/tocsin/v1/deliveries?status=pending")
    return status == 200 and body["deliveries"] == []


@pytest.mark.slow
def test_a_task_runs_on_one_instance_and_moves_with_its_state_when_it_dies(
    tmp_path: Path, database_url: str, sink_process: SinkProcess
) -> None:
    servers: list[ServerProcess] = []
    try:
        for name in ("a", "b"):
            workdir = tmp_path / name
            workdir.mkdir()
            config = CONFIG.format(url=database_url, lease=LEASE_S)
            servers.append(ServerProcess(workdir, config).start(timeout=20))
        _run(servers, sink_process)
    finally:
        for server in servers:
            server.kill()


def _run(servers: list[ServerProcess], sink: SinkProcess) -> None:
    a, b = servers
    status, created = a.request(
        "POST",
        "/kapacitor/v1/tasks",
        {"id": "cpu", "dbrps": [{"db": "db", "rp": "rp"}], "script": SCRIPT.format(url=sink.url), "status": "enabled"},
    )
    assert (status, created["executing"], created["error"]) == (200, True, "")
    started = time.monotonic()
    test_scale_out._wait("the task on the other instance", lambda: _executing(b) is False, 1.0)
    print(f"task known on the other instance after {time.monotonic() - started:.2f}s")
    assert [_executing(a), _executing(b)] == [True, False]

    for server in (a, b):  # every instance receives every point
        _write(server, [f"cpu,host=x idle_usage=5 {T0}", f"cpu,host=y idle_usage=3 {T0 + S}"])
    test_scale_out._wait("both alerts recorded as delivered", lambda: _idle(b), 5.0)
    time.sleep(0.3)  # nothing more arrives
    assert sorted(_alerts(sink, 2)) == [("cpu:host=x", "CRITICAL", 0), ("cpu:host=y", "CRITICAL", 0)]

    a.kill()
    killed = time.monotonic()
    test_scale_out._wait("the take-over", lambda: _executing(b) is True, LEASE_S * 2 + 1)
    print(f"task taken over {time.monotonic() - killed:.2f}s after the owner was killed (lease {LEASE_S}s)")
    _write(b, [f"cpu,host=x idle_usage=4 {T0 + 10 * S}"])  # still critical: no new alert
    _write(b, [f"cpu,host=x idle_usage=50 {T0 + 30 * S}", f"cpu,host=y idle_usage=60 {T0 + 41 * S}"])
    got = _alerts(sink, 4)
    time.sleep(0.3)
    assert len(_alerts(sink, 4)) == 4
    assert got[2:] == [("cpu:host=x", "OK", 30), ("cpu:host=y", "OK", 40)]
    assert b.stop() == 0

"""No accepted alert is lost: 10,000 events, a sink that fails half the time and goes down for a while,
and a server killed with SIGKILL twice. Every accepted event is delivered, in order per alert ID."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

from tests.support.server import ServerProcess, free_port

EVENTS = 10_000
BATCH = 100
ALERTS = 100
LEVELS = ("CRITICAL", "WARNING", "CRITICAL", "OK")
CONFIG = """
[delivery]
backoff-initial = "20ms"
backoff-max = "200ms"
max-attempts = 100000
concurrency = 64
timeout = "2s"
[logging]
level = "WARN"
"""


class FlakySink:
    def __init__(self, port: int, record: Path) -> None:
        self.port, self.record = port, record
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        script = Path(__file__).with_name("flaky_sink.py")
        self.proc = subprocess.Popen(
            [sys.executable, str(script), str(self.port), "0.5", str(self.record)], stdout=subprocess.PIPE
        )
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().strip() == b"listening"

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(10)

    def delivered(self) -> dict[str, list[int]]:
        """Per alert ID, the sequence numbers the sink accepted, in arrival order (duplicates kept)."""
        seen: dict[str, list[int]] = defaultdict(list)
        if self.record.exists():
            for line in self.record.read_text().splitlines():
                alert, message = line.split(" ", 1)
                seen[alert].append(int(message.removeprefix("seq=")))
        return seen


def _batch(start: int) -> list[dict[str, object]]:
    return [
        {"topic": "dur", "id": f"a{i % ALERTS}", "level": LEVELS[(i // ALERTS) % 4], "message": f"seq={i}"}
        for i in range(start, start + BATCH)
    ]


@pytest.mark.slow
def test_every_accepted_event_is_delivered_in_order_across_kills(tmp_path: Path) -> None:
    sink = FlakySink(free_port(), tmp_path / "received.txt")
    sink.start()
    server = ServerProcess(tmp_path, CONFIG).start()
    status, _ = server.request(
        "POST",
        "/kapacitor/v1/alerts/topics/dur/handlers",
        {"id": "sink", "kind": "post", "options": {"url": f"http://127.0.0.1:{sink.port}/hook"}},
    )
    assert status == 200
    accepted: dict[int, str] = {}
    for n, start in enumerate(range(0, EVENTS, BATCH)):
        if n in (30, 70):
            server.kill()
            server.start()
        if n == 50:
            sink.kill()
        if n == 60:
            sink.start()
        try:
            status, body = server.request("POST", "/tocsin/v1/events", _batch(start))
        except OSError:
            continue
        if status == 202:
            assert body == {"accepted": BATCH}
            accepted.update({i: f"a{i % ALERTS}" for i in range(start, start + BATCH)})
    assert len(accepted) == EVENTS

    deadline = time.monotonic() + 240
    missing: set[int] = set(accepted)
    while time.monotonic() < deadline:
        got = {s for seqs in sink.delivered().values() for s in seqs}
        missing = set(accepted) - got
        if not missing:
            break
        time.sleep(0.5)
    assert not missing, f"{len(missing)} accepted events never delivered, e.g. {sorted(missing)[:5]}"

    for alert, seqs in sink.delivered().items():
        first_seen: list[int] = []
        for s in seqs:
            if s not in first_seen:
                first_seen.append(s)
        assert first_seen == sorted(first_seen), f"alert {alert} delivered out of order"
    duplicates = sum(len(s) for s in sink.delivered().values()) - len(accepted)
    # Only deliveries whose confirmation was lost to a SIGKILL are sent twice.
    print(f"duplicates after two SIGKILLs: {duplicates}")
    assert duplicates < 1000, duplicates
    server.stop()
    sink.kill()

"""The README's tour, end to end: `tocsin serve` with no config, the seed's handler file through the CLI,
CRITICAL, CRITICAL, OK posted, two deliveries with the right previousLevel, the topic in the API and CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.support.fixtures import SinkProcess
from tests.support.server import ServerProcess, free_port

SEED_HANDLER = """\
id: handler-id
topic: topic-name
match: changed()
kind: post
options:
  url: '{url}'
"""


def cli(server: ServerProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tocsin", "-url", server.url, *args], capture_output=True, text=True, timeout=30
    )


def test_serve_answers_ping_within_two_seconds_without_config(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAPACITOR_", "TOCSIN_"))}
    env["TOCSIN_HTTP_BIND_ADDRESS"] = f"127.0.0.1:{port}"
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "tocsin", "serve"], cwd=tmp_path, env=env, stderr=subprocess.PIPE)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/kapacitor/v1/ping", timeout=1) as r:
                    assert r.status == 204
                    break
            except OSError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() - started < 2.0, "no ping answer within 2 s"
                time.sleep(0.02)
        assert time.monotonic() - started < 2.0
        assert (tmp_path / "tocsin-data" / "tocsin.db").exists()
    finally:
        proc.terminate()
        assert proc.wait(10) == 0


def test_seed_handler_file_through_the_cli(tmp_path: Path, sink_process: SinkProcess) -> None:
    url = sink_process.url
    server = ServerProcess(tmp_path).start()
    handler_file = tmp_path / "post_cpu_handler.yaml"
    handler_file.write_text(SEED_HANDLER.format(url=url))
    first = cli(server, "define-topic-handler", str(handler_file))
    assert (first.returncode, first.stderr) == (0, "")
    again = cli(server, "define-topic-handler", str(handler_file))  # exists now: replaced with PUT
    assert (again.returncode, again.stderr) == (0, "")
    shown = cli(server, "show-topic-handler", "topic-name", "handler-id")
    assert shown.stdout.splitlines() == [
        "ID: handler-id",
        "Topic: topic-name",
        "Kind: post",
        "Match: changed()",
        f'Options: {{"url":"{url}"}}',
    ]

    events = [
        {
            "topic": "topic-name",
            "id": "cpu",
            "level": level,
            "message": f"cpu is {level}",
            "time": f"2026-11-22T10:0{i}:00Z",
        }
        for i, level in enumerate(["CRITICAL", "CRITICAL", "OK"])
    ]
    assert server.request("POST", "/tocsin/v1/events", events) == (202, {"accepted": 3})
    sink_process.received(2, within=10)
    time.sleep(0.3)  # nothing more arrives (the repeat CRITICAL is filtered by changed())
    bodies = [json.loads(r["body"]) for r in sink_process.received(0)]
    assert bodies == [
        {
            "id": "cpu",
            "message": "cpu is CRITICAL",
            "details": "",
            "time": "2026-11-22T10:00:00Z",
            "duration": 0,
            "level": "CRITICAL",
            "data": {"series": None},
            "previousLevel": "OK",
            "recoverable": True,
        },
        {
            "id": "cpu",
            "message": "cpu is OK",
            "details": "",
            "time": "2026-11-22T10:02:00Z",
            "duration": 120_000_000_000,
            "level": "OK",
            "data": {"series": None},
            "previousLevel": "CRITICAL",
            "recoverable": True,
        },
    ]

    status, topic = server.request("GET", "/kapacitor/v1/alerts/topics/topic-name")
    assert status == 200 and isinstance(topic, dict)
    assert (topic["level"], topic["collected"]) == ("OK", 3)
    out = cli(server, "show-topic", "topic-name").stdout.splitlines()
    assert out[:5] == ["ID: topic-name", "Level: OK", "Collected: 3", "Handlers: [handler-id]", "Events:"]
    assert out[5].split() == ["Event", "Level", "Message", "Date"]
    assert out[6].split()[:4] == ["cpu", "OK", "cpu", "is"]
    topics = cli(server, "list", "topics").stdout.splitlines()
    assert [line.split() for line in topics] == [["ID", "Level", "Collected"], ["topic-name", "OK", "3"]]
    deliveries = json.loads(cli(server, "deliveries", "--json").stdout)
    assert [(d["alertId"], d["level"], d["status"]) for d in deliveries] == [
        ("cpu", "OK", "delivered"),
        ("cpu", "CRITICAL", "delivered"),
    ]
    assert server.stop() == 0

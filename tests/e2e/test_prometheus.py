"""A real Prometheus (Debian's, scripts/peers/prometheus.sh) uses Tocsin as its Alertmanager: a rule that fires
on Tocsin's own metrics reaches a post handler through `POST /api/v2/alerts`, and so does its resolve.

The rule is `tocsin_events_ingested_total < 1`: it fires while Tocsin has taken no event, and the alert it sends
is that first event, so the rule resolves by itself and Prometheus sends the resolve."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.fixtures import SinkProcess
from tests.support.server import ServerProcess, free_port

PROMETHEUS = shutil.which("prometheus")
RULES = """groups:
  - name: tocsin
    rules:
      - alert: NothingIngested
        expr: tocsin_events_ingested_total < 1
        labels:
          severity: warning
        annotations:
          summary: Tocsin has taken no event yet
          description: the first one is this alert
"""


@pytest.fixture
def server(serve_process: ServerProcess) -> ServerProcess:
    return serve_process


@pytest.fixture
def prometheus(tmp_path: Path, server: ServerProcess) -> Iterator[subprocess.Popen[bytes]]:
    assert PROMETHEUS is not None, "prometheus is missing: run scripts/peers/prometheus.sh"
    target = server.url.removeprefix("http://")
    (tmp_path / "rules.yml").write_text(RULES)
    (tmp_path / "prometheus.yml").write_text(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        f"alerting:\n  alertmanagers:\n    - api_version: v2\n      static_configs:\n        - targets: ['{target}']\n"
        "rule_files: ['rules.yml']\n"
        f"scrape_configs:\n  - job_name: tocsin\n    static_configs:\n      - targets: ['{target}']\n"
    )
    log = open(tmp_path / "prometheus.log", "wb")  # noqa: SIM115 - owned by the child process
    proc = subprocess.Popen(
        [
            PROMETHEUS,
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{free_port()}",
        ],
        stdout=log,
        stderr=log,
        cwd=tmp_path,
    )
    log.close()
    yield proc
    proc.terminate()
    proc.wait(20)


def test_a_prometheus_alert_and_its_resolve_are_delivered(
    server: ServerProcess, sink_process: SinkProcess, prometheus: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    handler = {"id": "p", "kind": "post", "options": {"url": sink_process.url}}
    assert server.request("POST", "/kapacitor/v1/alerts/topics/prometheus/handlers", handler)[0] == 200
    received = sink_process.received(2, within=60)
    assert len(received) == 2, (tmp_path / "prometheus.log").read_text()[-3000:]
    bodies = [json.loads(r["body"]) for r in received]
    alert_id = 'NothingIngested{instance="' + server.url.removeprefix("http://") + '",job="tocsin",severity="warning"}'
    assert [(b["id"], b["level"], b["message"], b["details"]) for b in bodies] == [
        (alert_id, "WARNING", "Tocsin has taken no event yet", "the first one is this alert"),
        (alert_id, "OK", "Tocsin has taken no event yet", "the first one is this alert"),
    ]
    (series,) = bodies[0]["data"]["series"]
    assert series["tags"] == {
        "alertname": "NothingIngested",
        "instance": server.url.removeprefix("http://"),
        "job": "tocsin",
        "severity": "warning",
    }
    assert series["columns"] == ["time", "description", "summary", "generatorURL"]
    assert series["values"][0][1:3] == ["the first one is this alert", "Tocsin has taken no event yet"]
    assert "/graph?g0.expr=tocsin_events_ingested_total" in series["values"][0][3]
    status, topic = server.request("GET", "/kapacitor/v1/alerts/topics/prometheus/events")
    assert status == 200 and [e["id"] for e in topic["events"]] == [alert_id]

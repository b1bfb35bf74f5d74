"""`tocsin serve` makes its own subscription on a real influxd, and a point written into InfluxDB reaches a task.

Unlike tests/e2e/test_influxdb_subscription.py, nobody creates the subscription by hand: the [[influxdb]] cluster
is configured, Tocsin creates `kapacitor-<cluster id>` (over http, or udp with a listener for the db.rp), and
the point InfluxDB forwards raises the task's alert on a recording Slack server.
"""

from __future__ import annotations

import base64
import contextlib
import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.support.fixtures import SinkProcess
from tests.support.influxd import Influxd
from tests.support.server import ServerProcess

SCRIPT = """\
stream
  |from()
    .measurement('cpu')
  |alert()
    .crit(lambda: "idle_usage" < 10)
    .stateChangesOnly()
    .message('subscribed {{ index .Tags "host" }}')
    .slack()
"""
POINT = "cpu,host=serverA idle_usage=5.0 1700000000000000000\n"
AUTH = "Basic " + base64.b64encode(b"admin:s3cret-Passw0rd").decode()


def _start_signed_in(tocsin: ServerProcess, authorization: str) -> None:
    """ServerProcess.start, for a server whose ping needs credentials."""
    with contextlib.suppress(RuntimeError):
        tocsin.start(timeout=0)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        ping = urllib.request.Request(tocsin.url + "/kapacitor/v1/ping", headers={"Authorization": authorization})
        with contextlib.suppress(OSError), urllib.request.urlopen(ping, timeout=1) as answer:
            if answer.status == 204:
                return
        time.sleep(0.05)
    raise AssertionError(f"tocsin serve did not start:\n{tocsin.log.read_text()}")


def _subscription(influxd: Influxd, within: float = 15.0) -> list[Any]:
    """Tocsin's row of SHOW SUBSCRIPTIONS on telegraf, once it is there."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        series = influxd.query("SHOW SUBSCRIPTIONS")["results"][0].get("series") or []  # type: ignore[index]
        rows = [row for s in series if s["name"] == "telegraf" for row in s["values"]]
        if rows:
            assert len(rows) == 1
            return list(rows[0])
        time.sleep(0.05)
    raise AssertionError("Tocsin made no subscription")


@pytest.mark.parametrize("protocol", ["http", "udp"])
def test_a_point_written_into_influxdb_reaches_the_task_through_tocsins_subscription(
    tmp_path: Path, influxd: Influxd, sink_process: SinkProcess, protocol: str
) -> None:
    influxd.query("CREATE DATABASE telegraf")
    (tmp_path / "tocsin").mkdir()
    conf = (
        f'[[slack]]\nenabled = true\nurl = "{sink_process.url}"\n'
        f'[[influxdb]]\nname = "local"\nurls = ["{influxd.url}"]\nkapacitor-hostname = "127.0.0.1"\n'
        f'subscription-protocol = "{protocol}"\nudp-bind = "127.0.0.1"\nsubscriptions-sync-interval = "1s"\n'
    )
    tocsin = ServerProcess(tmp_path / "tocsin", conf).start()
    try:
        status, task = tocsin.request(
            "POST",
            "/kapacitor/v1/tasks",
            {"id": "cpu", "dbrps": [{"db": "telegraf", "rp": "autogen"}], "script": SCRIPT, "status": "enabled"},
        )
        assert status == 200, task
        status, ids = tocsin.request("GET", "/kapacitor/v1/debug/vars")
        assert status == 200
        row = _subscription(influxd)
        assert row[:3] == ["autogen", "kapacitor-" + ids["cluster_id"], "ALL"]
        [destination] = row[3]
        if protocol == "http":
            assert destination == tocsin.url
        else:
            assert destination.startswith("udp://127.0.0.1:") and destination != "udp://127.0.0.1:0"
        # influxd picks the new subscription up from its meta store a moment later: write the same point (one
        # series, one time: the alert changes state once) until it arrives.
        deadline = time.monotonic() + 15
        received: list[dict[str, Any]] = []
        while not received and time.monotonic() < deadline:
            influxd.write("telegraf", POINT)
            received = sink_process.received(1, within=0.3)
        assert [json.loads(r["body"])["attachments"][0]["text"] for r in received] == ["subscribed serverA"]
        assert [r["path"] for r in received] == ["/alerts"]
    finally:
        tocsin.stop()
    assert "Traceback" not in tocsin.log.read_text()


def test_with_authentication_influxdb_writes_with_the_subscriber_token(
    tmp_path: Path, influxd: Influxd, sink_process: SinkProcess
) -> None:
    influxd.query("CREATE DATABASE telegraf")
    (tmp_path / "tocsin").mkdir()
    conf = (
        f'[[slack]]\nenabled = true\nurl = "{sink_process.url}"\n'
        f'[[influxdb]]\nname = "local"\nurls = ["{influxd.url}"]\nkapacitor-hostname = "127.0.0.1"\n'
    )
    tocsin = ServerProcess(tmp_path / "tocsin", conf)
    text = tocsin.config.read_text().replace(
        "[http]\n", '[http]\nauth-enabled = true\nadmin-user = "admin"\nadmin-password = "s3cret-Passw0rd"\n'
    )
    tocsin.config.write_text(text)
    _start_signed_in(tocsin, AUTH)
    try:
        body = {"id": "cpu", "dbrps": [{"db": "telegraf", "rp": "autogen"}], "script": SCRIPT, "status": "enabled"}
        request = urllib.request.Request(
            tocsin.url + "/kapacitor/v1/tasks", data=json.dumps(body).encode(), method="POST"
        )
        request.add_header("Authorization", AUTH)
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 200
        row = _subscription(influxd)
        [destination] = row[3]
        prefix = "http://~subscriber:"
        assert destination.startswith(prefix) and destination.endswith("@" + tocsin.url.removeprefix("http://"))
        token = destination[len(prefix) : destination.rindex("@")]
        deadline = time.monotonic() + 15
        received: list[dict[str, Any]] = []
        while not received and time.monotonic() < deadline:
            influxd.write("telegraf", POINT)
            received = sink_process.received(1, within=0.3)
        assert [json.loads(r["body"])["attachments"][0]["text"] for r in received] == ["subscribed serverA"]
        # Without the token, /write refuses the same point.
        plain = urllib.request.Request(tocsin.url + "/write?db=telegraf", data=POINT.encode(), method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(plain, timeout=10)
        assert refused.value.code == 401
    finally:
        tocsin.stop()
    log = tocsin.log.read_text()
    assert token not in log
    assert "Traceback" not in log

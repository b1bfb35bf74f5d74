"""A real InfluxDB 1.x pushes its writes to Tocsin through a subscription; the seed script alerts Slack.

influxd (Debian's `influxdb`, installed by scripts/peers/influxdb.sh) runs on free ports with its own data
directory. `CREATE SUBSCRIPTION ... DESTINATIONS ALL 'http://<tocsin>'` makes it forward every write to
`<tocsin>/write?db=telegraf&rp=autogen`. The seed script, unchanged, raises the alert from a point written
to InfluxDB and sends the recovery, both to a recording Slack server.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.fixtures import SinkProcess
from tests.support.server import ServerProcess, free_port

SEED_SCRIPT = """\
stream
  |from()
    .measurement('cpu')
  |alert()
    .crit(lambda: "idle_usage" < 10)
    .message('You better check your CPU usage.')
    .slack()
"""


class Influxd:
    """influxd on free loopback ports, everything under `workdir`."""

    def __init__(self, workdir: Path) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.http_port = free_port()
        self.url = f"http://127.0.0.1:{self.http_port}"
        config = workdir / "influxdb.conf"
        config.write_text(
            "reporting-disabled = true\n"
            f'bind-address = "127.0.0.1:{free_port()}"\n'
            f'[meta]\n  dir = "{workdir / "meta"}"\n'
            f'[data]\n  dir = "{workdir / "data"}"\n  wal-dir = "{workdir / "wal"}"\n'
            "  query-log-enabled = false\n"
            "[monitor]\n  store-enabled = false\n"
            "[subscriber]\n  enabled = true\n"
            f'[http]\n  bind-address = "127.0.0.1:{self.http_port}"\n  log-enabled = false\n'
        )
        self.log = workdir / "influxd.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(["/usr/bin/influxd", "-config", str(config)], stdout=log, stderr=log)
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(self.url + "/ping", timeout=1) as r:
                    if r.status == 204:
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"influxd did not start:\n{self.log.read_text()}")
            time.sleep(0.1)

    def query(self, q: str) -> dict[str, object]:
        data = urllib.parse.urlencode({"q": q}).encode()
        with urllib.request.urlopen(urllib.request.Request(self.url + "/query", data=data), timeout=10) as r:
            result: dict[str, object] = json.loads(r.read())
        assert "error" not in json.dumps(result), result
        return result

    def write(self, db: str, lines: str) -> None:
        req = urllib.request.Request(f"{self.url}/write?db={db}", data=lines.encode(), method="POST")
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 204

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(20)


@pytest.fixture
def influxd(tmp_path: Path) -> Iterator[Influxd]:
    server = Influxd(tmp_path / "influxdb")
    yield server
    server.stop()


def test_points_written_to_influxdb_raise_the_seed_alert_and_its_recovery(
    tmp_path: Path, influxd: Influxd, sink_process: SinkProcess
) -> None:
    slack_url = sink_process.url
    (tmp_path / "tocsin").mkdir()
    tocsin = ServerProcess(tmp_path / "tocsin", f'[[slack]]\nenabled = true\nurl = "{slack_url}"\n').start()
    try:
        status, task = tocsin.request(
            "POST",
            "/kapacitor/v1/tasks",
            {
                "id": "cpu_alert",
                "dbrps": [{"db": "telegraf", "rp": "autogen"}],
                "script": SEED_SCRIPT,
                "status": "enabled",
            },
        )
        assert status == 200, task
        assert (task["type"], task["status"], task["executing"], task["error"]) == ("stream", "enabled", True, "")

        influxd.query("CREATE DATABASE telegraf")
        influxd.query(f'CREATE SUBSCRIPTION "tocsin" ON "telegraf"."autogen" DESTINATIONS ALL \'{tocsin.url}\'')
        time.sleep(0.5)  # the subscriber picks up the new subscription from the meta store
        influxd.write("telegraf", "cpu,host=serverA idle_usage=5.0 1700000000000000000\n")
        first = sink_process.received(1)
        assert len(first) == 1
        influxd.write("telegraf", "cpu,host=serverA idle_usage=55.0 1700000010000000000\n")
        both = sink_process.received(2)
        bodies = [json.loads(r["body"]) for r in both]
        assert bodies == [
            {
                "attachments": [
                    {
                        "fallback": "You better check your CPU usage.",
                        "color": "danger",
                        "text": "You better check your CPU usage.",
                        "mrkdwn_in": ["text"],
                    }
                ],
                "channel": "",
                "icon_emoji": "",
                "text": "",
                "username": "kapacitor",
            },
            {
                "attachments": [
                    {
                        "fallback": "You better check your CPU usage.",
                        "color": "good",
                        "text": "You better check your CPU usage.",
                        "mrkdwn_in": ["text"],
                    }
                ],
                "channel": "",
                "icon_emoji": "",
                "text": "",
                "username": "kapacitor",
            },
        ]
        assert [r["path"] for r in both] == ["/alerts"] * 2

        status, topic = tocsin.request("GET", "/kapacitor/v1/alerts/topics/main:cpu_alert:alert2/events")
        assert status == 200
        assert [(e["id"], e["state"]["level"]) for e in topic["events"]] == [("cpu:nil", "OK")]
    finally:
        tocsin.stop()

"""A real InfluxDB 1.x pushes its writes to Tocsin through a subscription; the seed script alerts Slack.

influxd (Debian's `influxdb`, installed by scripts/peers/influxdb.sh) runs on free ports with its own data
directory. `CREATE SUBSCRIPTION ... DESTINATIONS ALL 'http://<tocsin>'` makes it forward every write to
`<tocsin>/write?db=telegraf&rp=autogen`. The seed script, unchanged, raises the alert from a point written
to InfluxDB and sends the recovery, both to a recording Slack server.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.support.fixtures import SinkProcess
from tests.support.influxd import Influxd
from tests.support.server import ServerProcess

SEED_SCRIPT = """\
stream
  |from()
    .measurement('cpu')
  |alert()
    .crit(lambda: "idle_usage" < 10)
    .message('You better check your CPU usage.')
    .slack()
"""


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

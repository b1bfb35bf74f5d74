# ruff: noqa: E501 (the stock file's [deadman] message is one long line)
"""Kapacitor's stock kapacitor.conf, with a live InfluxDB: `[[influxdb]]`, `[load]` and `[stats]` are read, not
ignored; the subscription is made, a point written into InfluxDB reaches a task loaded from the load directory.

The file below has the sections and values of Kapacitor's `etc/kapacitor/kapacitor.conf` (its comments left
out); only the paths, the listening address (a free loopback port) and the InfluxDB URL differ, and `[load]`
points at a directory holding one task.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.influxd import Influxd
from tests.support.polling import eventually_sync
from tests.support.server import ServerProcess
from tests.tasks.test_load import TICK

STOCK = """\
hostname = "localhost"
data_dir = "{data}"
skip-config-overrides = false
default-retention-policy = ""

[http]
  bind-address = "127.0.0.1:{port}"
  log-enabled = true
  write-tracing = false
  pprof-enabled = false
  https-enabled = false
  https-certificate = "/etc/ssl/kapacitor.pem"

[config-override]
  enabled = true

[logging]
  file = "STDERR"
  level = "INFO"

[load]
  enabled = true
  dir = "{load}"

[replay]
  dir = "{data}/replay"

[task]
  dir = "{data}/tasks"
  snapshot-interval = "60s"

[storage]
  boltdb = "{data}/kapacitor.db"

[deadman]
  global = false
  threshold = 0.0
  interval = "10s"
  id = "node 'NODE_NAME' in task '{{{{ .TaskName }}}}'"
  message = "{{{{ .ID }}}} is {{{{ if eq .Level \\"OK\\" }}}}alive{{{{ else }}}}dead{{{{ end }}}}: {{{{ index .Fields \\"collected\\" | printf \\"%0.3f\\" }}}} points/INTERVAL."

[[influxdb]]
  enabled = true
  default = true
  name = "localhost"
  urls = ["{influx}"]
  username = ""
  password = ""
  timeout = 0
  insecure-skip-verify = false
  startup-timeout = "5m"
  disable-subscriptions = false
  subscription-protocol = "http"
  subscriptions-sync-interval = "1m0s"
  kapacitor-hostname = ""
  http-port = 0
  udp-bind = ""
  udp-buffer = 1000
  udp-read-buffer = 0
  [influxdb.subscriptions]
  [influxdb.excluded-subscriptions]

[kubernetes]
  enabled = false

[smtp]
  enabled = false
  host = "localhost"
  port = 25
  username = ""
  password = ""
  from = ""
  no-verify = false
  idle-timeout = "30s"
  global = false
  state-changes-only = false

[snmptrap]
  enabled = false
  addr = "localhost:162"
  community = "kapacitor"
  retries = 1

[opsgenie]
  enabled = false
  api-key = ""
  url = "https://api.opsgenie.com/v1/json/alert"
  recovery_url = "https://api.opsgenie.com/v1/json/alert/note"
  global = false

[victorops]
  enabled = false
  api-key = ""
  routing-key = ""
  url = "https://alert.victorops.com/integrations/generic/20131114/alert"
  global = false

[pagerduty]
  enabled = false
  service-key = ""
  url = "https://events.pagerduty.com/generic/2010-04-15/create_event.json"
  global = false

[pushover]
  enabled = false
  token = ""
  user-key = ""
  url = "https://api.pushover.net/1/messages.json"

[slack]
  enabled = false
  url = ""
  channel = ""
  global = false
  state-changes-only = false

[telegram]
  enabled = false
  url = "https://api.telegram.org/bot"
  token = ""
  chat-id = ""
  disable-web-page-preview = false
  disable-notification = false
  global = false
  state-changes-only = false

[hipchat]
  enabled = false
  room = ""
  token = ""
  global = false
  state-changes-only = false

[alerta]
  enabled = false
  url = ""
  token = ""
  token-prefix = "Bearer"
  environment = ""
  origin = "kapacitor"

[sensu]
  enabled = false
  addr = "sensu-client:3030"
  source = "Kapacitor"

[reporting]
  enabled = true
  url = "https://usage.influxdata.com"

[stats]
  enabled = true
  stats-interval = "10s"
  database = "_kapacitor"
  retention-policy= "autogen"

[udf]
[udf.functions]

[talk]
  enabled = false
  url = "https://jianliao.com/v2/services/webhook/uuid"
  author_name = "Kapacitor"

[collectd]
  enabled = false
  bind-address = ":25826"
  database = "collectd"

[opentsdb]
  enabled = false
  bind-address = ":4242"
  database = "opentsdb"
"""


def test_the_stock_kapacitor_conf_runs_against_a_live_influxdb(tmp_path: Path, influxd: Influxd) -> None:
    influxd.query('CREATE DATABASE "telegraf"')
    load = tmp_path / "load"
    (load / "tasks").mkdir(parents=True)
    (load / "tasks" / "cpu_alert.tick").write_text(TICK)
    server = ServerProcess(tmp_path)
    server.config.write_text(STOCK.format(data=tmp_path / "data", port=server.port, load=load, influx=influxd.url))
    server.start()
    try:
        log = server.log.read_text()
        ignored = [line for line in log.splitlines() if "is not implemented by Tocsin; ignored" in line]
        assert [line.split("config section ")[1].split(" ")[0] for line in ignored] == [
            "[replay]",
            "[task]",
            "[kubernetes]",
            "[reporting]",
            "[udf]",
            "[collectd]",
            "[opentsdb]",
        ]
        status, task = server.request("GET", "/kapacitor/v1/tasks/cpu_alert")
        assert (status, task["type"], task["status"], task["executing"], task["dbrps"]) == (
            200,
            "stream",
            "enabled",
            True,
            [{"db": "telegraf", "rp": "autogen"}],
        )
        _, debug = server.request("GET", "/kapacitor/v1/debug/vars")
        name = f"kapacitor-{debug['cluster_id']}"

        def subscribed() -> list[Any]:
            series = influxd.query("SHOW SUBSCRIPTIONS")["results"][0].get("series") or []  # type: ignore[index]
            return [row for s in series if s["name"] == "telegraf" for row in s["values"]]

        assert eventually_sync(subscribed) == [["autogen", name, "ALL", [f"http://localhost:{server.port}"]]]
        _, debug = server.request("GET", "/kapacitor/v1/debug/vars")
        assert (debug["num_subscriptions"], debug["num_tasks"], debug["num_enabled_tasks"]) == (1, 1, 1)
        influxd.write("telegraf", "cpu,host=a usage_idle=5 1700000000000000000\n")

        def alerted() -> Any:
            _, task = server.request("GET", "/kapacitor/v1/tasks/cpu_alert")
            return task["stats"]["node-stats"]["alert2"]["crits_triggered"] == 1

        eventually_sync(alerted)
    finally:
        assert server.stop() == 0

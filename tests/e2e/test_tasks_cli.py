"""Tasks and templates through the CLI against a real `tocsin serve` (api.md §5), with data written over /write."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.support.server import ServerProcess

CPU_TICK = """stream
    |from()
        .measurement('cpu')
    |alert()
        .crit(lambda: "usage_idle" < 10)
        .log('{log}')
"""
TEMPLATE_TICK = """// Which measurement
var measurement = 'cpu'

// The threshold
var crit float

var period = 1m

stream
    |from()
        .measurement(measurement)
    |alert()
        .crit(lambda: "usage_idle" < crit)
"""
TEMPLATE_VARS = {"crit": {"type": "float", "value": 5.0}, "measurement": {"type": "string", "value": "mem"}}
RFC822 = r"\d\d [A-Z][a-z]{2} \d\d \d\d:\d\d [A-Z]+"


def cli(server: ServerProcess, *args: str) -> list[str]:
    """Run the CLI; it must succeed quietly on stderr. Returns stdout's lines."""
    done = subprocess.run(
        [sys.executable, "-m", "tocsin", "-url", server.url, *args], capture_output=True, text=True, timeout=30
    )
    assert (done.returncode, done.stderr) == (0, ""), args
    return done.stdout.splitlines()


def write(server: ServerProcess, body: str) -> None:
    request = urllib.request.Request(
        f"{server.url}/write?db=telegraf&rp=autogen&precision=s", data=body.encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 204


def wait_for_lines(path: Path, count: int, within: float = 5.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if path.exists() and len(lines := path.read_text().splitlines()) >= count:
            return [json.loads(line) for line in lines]
        time.sleep(0.05)
    raise AssertionError(f"expected {count} lines in {path}")


def test_tasks_and_templates_through_the_cli(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path, f'[log]\nallowed-dirs = ["{tmp_path}"]').start()
    try:
        _run(server, tmp_path)
    finally:
        assert server.stop() == 0


def _run(server: ServerProcess, tmp_path: Path) -> None:
    alerts = tmp_path / "alerts.log"
    (tmp_path / "cpu.tick").write_text(CPU_TICK.format(log=alerts))
    (tmp_path / "template.tick").write_text(TEMPLATE_TICK)
    (tmp_path / "vars.json").write_text(json.dumps(TEMPLATE_VARS))

    assert cli(server, "define", "cpu_alert", "-tick", str(tmp_path / "cpu.tick"), "-dbrp", "telegraf.autogen") == []
    assert server.request("GET", "/kapacitor/v1/tasks/cpu_alert")[1]["status"] == "disabled"
    assert cli(server, "enable", "cpu_alert") == []
    assert cli(server, "list", "tasks") == [
        "ID        Type      Status    Executing Databases and Retention Policies",
        'cpu_alert stream    enabled   true      ["telegraf"."autogen"]',
    ]

    write(server, "cpu,host=a usage_idle=5 1700000000\ncpu,host=a usage_idle=50 1700000010")
    (critical, ok) = wait_for_lines(alerts, 2)
    assert [(a["id"], a["level"], a["previousLevel"], a["duration"]) for a in (critical, ok)] == [
        ("cpu:nil", "CRITICAL", "OK", 0),
        ("cpu:nil", "OK", "CRITICAL", 10_000_000_000),
    ]

    shown = cli(server, "show", "cpu_alert")
    times = shown[6:9]
    assert [re.fullmatch(f"(Created|Modified|LastEnabled): {RFC822}", line) is not None for line in times] == [True] * 3
    dot = shown.index("DOT:")
    assert shown[:6] + shown[9:dot] == [
        "ID: cpu_alert",
        "Error: ",
        "Template: ",
        "Type: stream",
        "Status: enabled",
        "Executing: true",
        'Databases Retention Policies: ["telegraf"."autogen"]',
        "TICKscript:",
        *CPU_TICK.format(log=alerts).splitlines(),
        "",
    ]
    assert shown[dot + 1] == "digraph cpu_alert {"
    assert re.fullmatch(r'graph \[throughput="\d+\.\d\d points/s"\];', shown[dot + 2])
    assert 'stream0 -> from1 [processed="2"];' in shown
    assert shown[-1] == "}"

    assert cli(server, "define-template", "tmpl", "-tick", str(tmp_path / "template.tick"), "-type", "stream") == []
    assert cli(server, "list", "templates") == [
        "ID   Type      Vars                                    ",
        "tmpl stream    crit,measurement,period                 ",
    ]
    template = cli(server, "show-template", "tmpl")
    assert template[:3] == ["ID: tmpl", "Error: ", "Type: stream"]
    assert re.fullmatch(f"Created: {RFC822}", template[3]) and re.fullmatch(f"Modified: {RFC822}", template[4])
    assert template[5:] == [
        "TICKscript:",
        "// Which measurement",
        "var measurement = 'cpu'",
        "",
        "// The threshold",
        "var crit float",
        "",
        "var period = 1m",
        "",
        "stream",
        "    |from()",
        "        .measurement(measurement)",
        "    |alert()",
        '        .crit(lambda: "usage_idle" < crit)',
        "",
        "Vars:",
        f"{'Name':30}{'Type':10}{'Default Value':40}{'Description':40}",
        f"{'crit':30}{'float':10}{'<required>':40}{'The threshold':40}",
        f"{'measurement':30}{'string':10}{'cpu':40}{'Which measurement':40}",
        f"{'period':30}{'duration':10}{'1m0s':40}{'':40}",
        "DOT:",
        "digraph tmpl {",
        "stream0 -> from1;",
        "from1 -> alert2;",
        "}",
    ]

    assert (
        cli(
            server,
            "define",
            "cpu_mem",
            "-template",
            "tmpl",
            "-vars",
            str(tmp_path / "vars.json"),
            "-dbrp",
            "telegraf.autogen",
        )
        == []
    )
    from_template = cli(server, "show", "cpu_mem")
    assert from_template[2:6] == ["Template: tmpl", "Type: stream", "Status: disabled", "Executing: false"]
    vars_at = from_template.index("Vars:")
    assert from_template[vars_at : vars_at + 4] == [
        "Vars:",
        f"{'Name':30}{'Type':10}{'Value':40}",
        f"{'crit':30}{'float':10}{'5':40}",
        f"{'measurement':30}{'string':10}{'mem':40}",
    ]
    assert cli(server, "enable", "cpu_mem") == []

    before = server.request("GET", "/kapacitor/v1/tasks/cpu_alert")[1]
    assert cli(server, "reload", "cpu_*") == []
    after = server.request("GET", "/kapacitor/v1/tasks/cpu_alert")[1]
    assert (after["status"], after["executing"]) == ("enabled", True)
    assert after["last-enabled"] > before["last-enabled"]
    assert after["stats"]["node-stats"]["from1"]["collected"] == 0  # a fresh executor

    assert cli(server, "disable", "cpu_alert") == []
    listed = json.loads("\n".join(cli(server, "list", "tasks", "--json")))
    assert [(t["id"], t["type"], t["status"], t["executing"], t["dbrps"]) for t in listed] == [
        ("cpu_alert", "stream", "disabled", False, [{"db": "telegraf", "rp": "autogen"}]),
        ("cpu_mem", "stream", "enabled", True, [{"db": "telegraf", "rp": "autogen"}]),
    ]
    shown_json = json.loads("\n".join(cli(server, "show", "cpu_mem", "--json")))
    assert (shown_json["id"], shown_json["template-id"], shown_json["vars"]) == (
        "cpu_mem",
        "tmpl",
        {
            "crit": {"type": "float", "value": 5, "description": ""},
            "measurement": {"type": "string", "value": "mem", "description": ""},
        },
    )

    assert cli(server, "delete", "tasks", "cpu_*") == []
    assert cli(server, "list", "tasks") == ["ID Type      Status    Executing Databases and Retention Policies"]
    assert server.request("GET", "/kapacitor/v1/tasks")[1] == {"tasks": []}
    assert server.request("GET", "/kapacitor/v1/templates/tmpl")[0] == 200

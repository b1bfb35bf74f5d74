"""Silences over HTTP, driven by Alertmanager's own client: Debian's `amtool` (scripts/peers/amtool.sh) adds,
queries and expires silences against a real `tocsin serve`; Tocsin's routes answer the same silences."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.support.fixtures import SinkProcess
from tests.support.server import ServerProcess

AMTOOL = shutil.which("amtool")


@pytest.fixture
def server(serve_process: ServerProcess) -> ServerProcess:
    return serve_process


def amtool(server: ServerProcess, *args: str) -> str:
    assert AMTOOL is not None, "amtool is missing: run scripts/peers/amtool.sh"
    done = subprocess.run(
        [AMTOOL, f"--alertmanager.url={server.url}", *args], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "different" not in done.stderr  # amtool compares versions: Tocsin names the API version it speaks
    return done.stdout


def test_amtool_adds_queries_and_expires_silences(server: ServerProcess) -> None:
    silence_id = amtool(
        server, "silence", "add", "host=db3", "alertname=~disk.*", "--duration=1h", "--author=ann", "--comment=patching"
    ).strip()
    other = amtool(server, "silence", "add", "host=web1", "--duration=2h", "--author=bob", "--comment=deploy").strip()
    listed = json.loads(amtool(server, "silence", "query", "-o", "json"))
    assert sorted((s["id"], s["createdBy"], s["comment"], s["status"]["state"]) for s in listed) == sorted(
        [(silence_id, "ann", "patching", "active"), (other, "bob", "deploy", "active")]
    )
    mine = next(s for s in listed if s["id"] == silence_id)
    assert sorted((m["name"], m["value"], m["isRegex"], m["isEqual"]) for m in mine["matchers"]) == [
        ("alertname", "disk.*", True, True),
        ("host", "db3", False, True),
    ]
    assert [s["id"] for s in json.loads(amtool(server, "silence", "query", "-o", "json", "host=web1"))] == [other]
    amtool(server, "silence", "expire", silence_id)
    assert [s["id"] for s in json.loads(amtool(server, "silence", "query", "-o", "json"))] == [other]
    expired = json.loads(amtool(server, "silence", "query", "-o", "json", "--expired"))
    assert [(s["id"], s["status"]["state"]) for s in expired] == [(silence_id, "expired")]
    # the same silences through Tocsin's API, with the audit trail
    status, answer = server.request("GET", f"/tocsin/v1/silences/{silence_id}/audit")
    assert status == 200
    assert [(e["action"], e["silence"]["comment"]) for e in answer["audit"]] == [
        ("create", "patching"),
        ("expire", "patching"),
    ]


def test_bad_silences_are_refused_with_the_reason(server: ServerProcess) -> None:
    status, answer = server.request(
        "POST",
        "/api/v2/silences",
        {"matchers": [], "startsAt": "2026-01-01T00:00:00Z", "endsAt": "2099-01-01T00:00:00Z"},
    )
    assert (status, answer["error"]) == (400, "silence: matchers: at least one matcher is required")
    status, answer = server.request("GET", "/api/v2/silence/nope")
    assert (status, answer["error"]) == (404, 'unknown silence: "nope"')
    status, answer = server.request("GET", "/tocsin/v1/silences", None)
    assert (status, answer) == (200, {"silences": []})


def test_amtool_alerts_become_events_and_a_silence_holds_them(server: ServerProcess, sink_process: SinkProcess) -> None:
    handler = {"id": "p", "kind": "post", "options": {"url": sink_process.url}}
    assert server.request("POST", "/kapacitor/v1/alerts/topics/prometheus/handlers", handler)[0] == 200
    silence_id = amtool(server, "silence", "add", "host=db3", "--duration=1h", "--author=ann", "--comment=x").strip()
    amtool(server, "alert", "add", "alertname=DiskFull", "host=db3", "severity=critical", "--annotation=summary=full")
    amtool(server, "alert", "add", "alertname=DiskFull", "host=web1", "severity=warning", "--annotation=summary=full")
    status, topic = server.request("GET", "/kapacitor/v1/alerts/topics/prometheus/events")
    assert status == 200
    assert sorted((e["id"], e["state"]["level"], e["state"]["message"]) for e in topic["events"]) == [
        ('DiskFull{host="db3",severity="critical"}', "CRITICAL", "full"),
        ('DiskFull{host="web1",severity="warning"}', "WARNING", "full"),
    ]
    received = sink_process.received(1)
    assert [json.loads(r["body"])["id"] for r in received] == ['DiskFull{host="web1",severity="warning"}']
    # amtool shows the alerts not silenced by default, and the silenced ones with --silenced
    shown = json.loads(amtool(server, "alert", "query", "-o", "json"))
    assert [(a["labels"]["host"], a["status"]["state"], a["receivers"]) for a in shown] == [
        ("web1", "active", [{"name": "prometheus"}])
    ]
    held = json.loads(amtool(server, "alert", "query", "-o", "json", "--silenced", "host=db3"))
    assert [(a["labels"]["host"], a["status"]["state"], a["status"]["silencedBy"]) for a in held] == [
        ("db3", "suppressed", [silence_id])
    ]
    assert len(held[0]["fingerprint"]) == 16
    status, log = server.request("GET", "/tocsin/v1/deliveries?status=silenced")
    assert status == 200
    assert [(d["alertId"], d["lastError"]) for d in log["deliveries"]] == [
        ('DiskFull{host="db3",severity="critical"}', f"silenced by {silence_id}")
    ]


def test_maintenance_windows_are_previewed_saved_listed_and_deleted(server: ServerProcess) -> None:
    body = {
        "name": "weekend patching",
        "matchers": [{"name": "host", "value": "db3", "isRegex": False}],
        "schedule": {"weekdays": ["sat", "sun"], "start": "02:00", "end": "04:00", "timezone": "Europe/Berlin"},
        "comment": "kernel updates",
    }
    status, preview = server.request("POST", "/tocsin/v1/maintenance-windows/preview", body)
    assert status == 200 and len(preview["next"]) == 5
    assert all(o["startsAt"].endswith(("T01:00:00Z", "T00:00:00Z")) for o in preview["next"])  # 02:00 Berlin
    assert server.request("GET", "/tocsin/v1/maintenance-windows")[1] == {"windows": []}  # nothing saved
    status, saved = server.request("POST", "/tocsin/v1/maintenance-windows", body)
    assert status == 200
    assert (saved["name"], saved["schedule"], saved["next"]) == (body["name"], body["schedule"], preview["next"][:3])
    assert [w["id"] for w in server.request("GET", "/tocsin/v1/maintenance-windows")[1]["windows"]] == [saved["id"]]
    status, bad = server.request("POST", "/tocsin/v1/maintenance-windows", {**body, "schedule": {"cron": "x"}})
    assert (status, bad["error"]) == (400, "window: schedule.cron: not a cron expression: 'x'")
    assert server.request("DELETE", f"/tocsin/v1/maintenance-windows/{saved['id']}")[0] == 204
    status, gone = server.request("GET", f"/tocsin/v1/maintenance-windows/{saved['id']}")
    assert (status, gone["error"]) == (404, f'unknown maintenance window: "{saved["id"]}"')

"""`level`, `stats general|ingress` and `vars`, in Kapacitor's layouts, against a fake API."""

from __future__ import annotations

import json
from pathlib import Path

from .fake_api import FakeApi, Run

VARS = {
    "cluster_id": "c-1",
    "server_id": "s-1",
    "host": "alerts.example.com",
    "num_tasks": 3,
    "num_enabled_tasks": 2,
    "num_subscriptions": 1,
    "version": "1.8.3",
    "kapacitor": {
        "k2": {
            "name": "ingress",
            "tags": {
                "task_master": "main",
                "database": "telegraf",
                "retention_policy": "autogen",
                "measurement": "mem",
            },
            "values": {"points_received": 7},
        },
        "k1": {
            "name": "ingress",
            "tags": {
                "task_master": "main",
                "database": "telegraf",
                "retention_policy": "autogen",
                "measurement": "cpu",
            },
            "values": {"points_received": 12},
        },
        "k3": {"name": "topics", "tags": {"id": "cpu"}, "values": {"collected": 2}},
    },
}


def test_stats_general_is_kapacitor_s_thirty_column_layout(api: FakeApi, run: Run) -> None:
    api.on("GET", "/kapacitor/v1/debug/vars", VARS)
    result = run("stats", "general")
    assert (result.code, result.out) == (
        0,
        "".join(
            f"{name:<30}{value:<30}\n"
            for name, value in (
                ("ClusterID:", "c-1"),
                ("ServerID:", "s-1"),
                ("Host:", "alerts.example.com"),
                ("Tasks:", "3"),
                ("Enabled Tasks:", "2"),
                ("Subscriptions:", "1"),
                ("Version:", "1.8.3"),
            )
        ),
    )


def test_stats_ingress_lists_the_main_task_master_s_counts(api: FakeApi, run: Run) -> None:
    api.on("GET", "/kapacitor/v1/debug/vars", VARS)
    result = run("stats", "ingress")
    assert (result.code, result.out) == (
        0,
        f"{'Database':<30}{'Retention Policy':<30}{'Measurement':<30}{'Points Received':<20}\n"
        f"{'telegraf':<30}{'autogen':<30}{'cpu':<30}{'12':<20}\n"
        f"{'telegraf':<30}{'autogen':<30}{'mem':<30}{'7':<20}\n",
    )
    as_json = run("stats", "ingress", "-json")
    assert json.loads(as_json.out) == [
        {"database": "telegraf", "retention_policy": "autogen", "measurement": "cpu", "points_received": 12.0},
        {"database": "telegraf", "retention_policy": "autogen", "measurement": "mem", "points_received": 7.0},
    ]


def test_stats_needs_a_category(api: FakeApi, run: Run) -> None:
    result = run("stats")
    assert result.code == 2
    assert result.err.startswith("Error: must provide a stats category\n")
    assert "Usage: tocsin stats <general|ingress>" in result.err


def test_level_posts_the_level(api: FakeApi, run: Run) -> None:
    api.on("POST", "/kapacitor/v1/loglevel", None, status=204)
    result = run("level", "debug")
    assert (result.code, result.out, result.err) == (0, "", "")
    assert [(r.line(), r.json()) for r in api.requests] == [("POST /kapacitor/v1/loglevel", {"level": "DEBUG"})]
    missing = run("level")
    assert missing.code == 2 and missing.err.startswith("Error: Must pass a log level\n")


def test_vars_prints_the_debug_vars_as_json(api: FakeApi, run: Run) -> None:
    api.on("GET", "/kapacitor/v1/debug/vars", VARS)
    result = run("vars")
    assert result.code == 0
    assert json.loads(result.out) == VARS


STREAM = (
    b'{"ts":"2026-12-08T00:00:00.000Z","lvl":"error","service":"tocsin.tasks","task":"cpu","node":"alert2",'
    b'"msg":"task=cpu node=alert2 error: boom"}\n\n'
    b'{"ts":"2026-12-08T00:00:01.000Z","lvl":"warn","service":"tocsin.tasks","task":"cpu","msg":"slow"}\n'
)


def test_logs_prints_each_entry_as_logfmt_and_sends_the_filters(api: FakeApi, run: Run) -> None:
    api.on("GET", "/kapacitor/v1/logs", STREAM)
    result = run("logs", "lvl=warn", "service=tocsin.tasks")
    assert (result.code, result.out) == (
        0,
        'ts=2026-12-08T00:00:00.000Z lvl=error msg="task=cpu node=alert2 error: boom" node=alert2 '
        "service=tocsin.tasks task=cpu\n"
        "ts=2026-12-08T00:00:01.000Z lvl=warn msg=slow service=tocsin.tasks task=cpu\n",
    )
    assert api.lines() == ["GET /kapacitor/v1/logs?lvl=warn&service=tocsin.tasks"]


def test_watch_follows_one_task(api: FakeApi, run: Run) -> None:
    api.on("GET", "/kapacitor/v1/logs", STREAM)
    result = run("watch", "cpu", "node=alert2", "-json")
    assert result.code == 0
    assert [json.loads(line)["msg"] for line in result.out.splitlines()] == ["task=cpu node=alert2 error: boom", "slow"]
    assert api.lines() == ["GET /kapacitor/v1/logs?node=alert2&task=cpu"]
    missing = run("watch")
    assert missing.code == 2 and missing.err.startswith("Error: Must pass a task ID\n")


def test_backup_saves_the_answer_to_a_private_file(api: FakeApi, run: Run, tmp_path: Path) -> None:
    api.on("GET", "/kapacitor/v1/storage/backup", b"SQLite format 3\x00rest")
    target = tmp_path / "tocsin.db"
    result = run("backup", str(target))
    assert (result.code, result.out, result.err) == (0, "", "")
    assert target.read_bytes() == b"SQLite format 3\x00rest"
    assert target.stat().st_mode & 0o777 == 0o600
    missing = run("backup")
    assert missing.code == 2 and missing.err.startswith("Error: Must pass the path of the backup file\n")

"""Template data shaped like Kapacitor's alert template structs."""

from __future__ import annotations

from tocsin.gotemplate import GoDuration, GoTime, StringMap, Struct

TIME_NS = 31_536_010_000_000_000  # 1971-01-01 00:00:10 UTC


def server_info() -> Struct:
    return Struct("kapacitor.ServerInfo", Hostname="host1", ClusterID="c1", ServerID="s1")


def message_info(**overrides: object) -> Struct:
    """Kapacitor's messageInfo: idInfo fields, then ID, Fields, Level, Time, Duration (details add Message)."""
    fields: dict[str, object] = {
        "Name": "cpu",
        "TaskName": "cpu_alert",
        "Group": "nil",
        "Tags": StringMap(host="server01", region="us-west"),
        "ServerInfo": server_info(),
        "ID": "cpu:nil",
        "Fields": {"value": 97.5123, "count": 3, "ok": True},
        "Level": "CRITICAL",
        "Time": GoTime(TIME_NS),
        "Duration": GoDuration(90_000_000_000),
    }
    fields.update(overrides)
    return Struct("alert.messageInfo", fields)

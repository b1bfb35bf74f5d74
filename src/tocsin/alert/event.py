"""An alert event as it travels from intake through topics to handlers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tocsin.alert.levels import Level
from tocsin.gocompat import json as gojson
from tocsin.gocompat.timefmt import format_rfc3339nano


@dataclass(slots=True)
class Event:
    """One alert event. `time` and `duration` are integer nanoseconds (UTC epoch for `time`).

    `data` is an InfluxQL result (`{"series": [...]}`) or None; `previous_level` is the level this alert ID had
    in `topic` before this event.
    """

    topic: str
    id: str
    level: Level
    time: int
    message: str = ""
    details: str = ""
    duration: int = 0
    previous_level: Level = Level.OK
    recoverable: bool = True
    name: str = ""
    task_name: str = ""
    category: str = ""
    group: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] | None = None
    # The alert JSON, computed once per event however many handlers send it (not copied by `replace`).
    wire: bytes | None = field(default=None, init=False, repr=False, compare=False)

    def to_record(self) -> dict[str, Any]:
        """A plain JSON-able dict that `from_record` turns back into the same event (for the outbox)."""
        return {
            "topic": self.topic,
            "id": self.id,
            "level": int(self.level),
            "time": self.time,
            "message": self.message,
            "details": self.details,
            "duration": self.duration,
            "previousLevel": int(self.previous_level),
            "recoverable": self.recoverable,
            "name": self.name,
            "taskName": self.task_name,
            "category": self.category,
            "group": self.group,
            "tags": self.tags,
            "fields": self.fields,
            "data": self.data,
        }

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> Event:
        return cls(
            topic=rec["topic"],
            id=rec["id"],
            level=Level(rec["level"]),
            time=rec["time"],
            message=rec["message"],
            details=rec["details"],
            duration=rec["duration"],
            previous_level=Level(rec["previousLevel"]),
            recoverable=rec["recoverable"],
            name=rec["name"],
            task_name=rec["taskName"],
            category=rec["category"],
            group=rec["group"],
            tags=rec["tags"],
            fields=rec["fields"],
            data=rec["data"],
        )


def alert_data(event: Event) -> dict[str, Any]:
    """Kapacitor's `alert.Data` for an event, keys in Go struct order (the JSON of log, tcp, exec and post)."""
    return _alert_data(event)[0]


def _alert_data(event: Event) -> tuple[dict[str, Any], bool]:
    """alert.Data with its floats already in Go's form; the flag says whether one needs the slow encoder."""
    data, odd = _result(event.data)
    return {
        "id": event.id,
        "message": event.message,
        "details": event.details,
        "time": format_rfc3339nano(event.time),
        "duration": event.duration,
        "level": event.level.name,
        "data": data,
        "previousLevel": event.previous_level.name,
        "recoverable": event.recoverable,
    }, odd


def _result(data: dict[str, Any] | None) -> tuple[dict[str, Any], bool]:
    odd = False
    if not data or data.get("series") is None:
        out: dict[str, Any] = {"series": None}
    else:
        rows = []
        for r in data["series"]:
            row, o = _row(r)
            rows.append(row)
            odd = odd or o
        out = {"series": rows}
    if data and data.get("error"):
        out["error"] = data["error"]
    return out, odd


def _row(row: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    # models.Row has omitempty on every key, and its tags are a Go map (sorted keys).
    out: dict[str, Any] = {}
    odd = False
    if row.get("name"):
        out["name"] = row["name"]
    if row.get("tags"):
        out["tags"] = gojson.sorted_map(row["tags"])
    if row.get("columns"):
        out["columns"] = row["columns"]
    if row.get("values"):
        out["values"], odd = gojson.plain_rows(row["values"])
    return out, odd


def alert_json_line(event: Event) -> bytes:
    """`alert.Data` as a Go json.Encoder writes it: compact JSON, HTML-escaped, ending in a newline.

    Cached on the event: intake sets every derived field before any handler renders it.
    """
    if event.wire is None:
        data, odd = _alert_data(event)
        event.wire = gojson.encode_line(data, plain=not odd)
    return event.wire

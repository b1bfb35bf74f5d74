"""Recording and replay metadata as stored, and their API objects (Kapacitor's client.Recording / client.Replay).

Lists come newest first (Kapacitor lists by its date index in reverse), the glob on the ID applied before offset
and limit, and each item is a Go map of the requested fields: its keys come out sorted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tocsin.gocompat.quoting import go_quote
from tocsin.gocompat.timefmt import format_rfc3339nano
from tocsin.tasks.errors import TaskApiError
from tocsin.tasks.listing import glob_regex, page_of

RECORDINGS_NS = "recordings"
REPLAYS_NS = "replays"
RECORDINGS_PATH = "/kapacitor/v1/recordings"
REPLAYS_PATH = "/kapacitor/v1/replays"
RUNNING, FINISHED, FAILED = "running", "finished", "failed"
RECORDING_FIELDS = ("link", "id", "type", "size", "date", "error", "status", "progress")
REPLAY_FIELDS = ("link", "id", "recording", "task", "recording-time", "clock", "date", "error", "status", "progress")
UNSUPPORTED_FIELD = "unsupported field {field}"
BAD_PATTERN = "failed to list {what} with pattern {pattern}: syntax error in pattern"

T = TypeVar("T", "RecordingRecord", "ReplayRecord")


def go_number(value: float) -> float | int:
    """A float64 as Go's JSON writes it: `1`, not `1.0`."""
    return int(value) if value.is_integer() else value


@dataclass(slots=True)
class RecordingRecord:
    """One recording: `type` is stream or batch, `size` the file's bytes, `date` ns."""

    id: str
    type: str
    date: int
    status: str = RUNNING
    size: int = 0
    error: str = ""
    progress: float = 0.0

    def to_doc(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "date": self.date,
            "status": self.status,
            "size": self.size,
            "error": self.error,
            "progress": self.progress,
        }

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> RecordingRecord:
        return cls(
            str(doc["id"]),
            str(doc.get("type", "stream")),
            int(doc.get("date", 0)),
            str(doc.get("status", FAILED)),
            int(doc.get("size", 0)),
            str(doc.get("error", "")),
            float(doc.get("progress", 0.0)),
        )

    def value(self, name: str) -> Any:
        """The API value of one field; TaskApiError for a field Kapacitor does not have."""
        if name == "link":
            return {"rel": "self", "href": f"{RECORDINGS_PATH}/{self.id}"}
        if name == "date":
            return format_rfc3339nano(self.date)
        if name == "progress":
            return go_number(self.progress)
        if name in RECORDING_FIELDS:
            return getattr(self, name)
        raise TaskApiError(UNSUPPORTED_FIELD.format(field=go_quote(name)))

    def view(self) -> dict[str, Any]:
        """client.Recording, keys in its struct order."""
        return {name: self.value(name) for name in RECORDING_FIELDS}


@dataclass(slots=True)
class ReplayRecord:
    """One replay; `stats` is the copy's execution stats once it finished, `result` what it produced."""

    id: str
    task: str
    recording: str
    recording_time: bool
    clock: str
    date: int
    status: str = RUNNING
    error: str = ""
    progress: float = 0.0
    stats: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] = field(default_factory=dict)

    def to_doc(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "task": self.task,
            "recording": self.recording,
            "recording-time": self.recording_time,
            "clock": self.clock,
            "date": self.date,
            "status": self.status,
            "error": self.error,
            "progress": self.progress,
            "stats": self.stats,
            "result": self.result,
        }

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> ReplayRecord:
        return cls(
            str(doc["id"]),
            str(doc.get("task", "")),
            str(doc.get("recording", "")),
            bool(doc.get("recording-time", False)),
            str(doc.get("clock", "fast")),
            int(doc.get("date", 0)),
            str(doc.get("status", FAILED)),
            str(doc.get("error", "")),
            float(doc.get("progress", 0.0)),
            dict(doc.get("stats") or {}),
            dict(doc.get("result") or {}),
        )

    def value(self, name: str) -> Any:
        """The API value of one field; TaskApiError for a field Kapacitor does not have."""
        if name == "link":
            return {"rel": "self", "href": f"{REPLAYS_PATH}/{self.id}"}
        if name == "date":
            return format_rfc3339nano(self.date)
        if name == "progress":
            return go_number(self.progress)
        if name == "recording-time":
            return self.recording_time
        if name in REPLAY_FIELDS:
            return getattr(self, name)
        raise TaskApiError(UNSUPPORTED_FIELD.format(field=go_quote(name)))

    def view(self) -> dict[str, Any]:
        """client.Replay, keys in its struct order; `stats` is filled only once the replay finished."""
        out = {name: self.value(name) for name in REPLAY_FIELDS}
        finished = self.status == FINISHED and self.stats
        out["stats"] = {
            "task-stats": self.stats.get("task-stats") if finished else None,
            "node-stats": self.stats.get("node-stats") if finished else None,
        }
        return out


def listing(
    items: Sequence[T], query: Mapping[str, str], fields: list[str], what: str, all_fields: Sequence[str]
) -> list[dict[str, Any]]:
    """Kapacitor's list of recordings or replays: newest first, glob, offset, limit, the requested fields."""
    page = page_of(query)
    # Kapacitor's date index keys hold seconds (RFC 3339), then the ID; its list walks them in reverse
    chosen = sorted(items, key=lambda item: (item.date // 1_000_000_000, item.id), reverse=True)
    if page.pattern:
        regex = glob_regex(page.pattern)
        if regex is None:
            raise TaskApiError(BAD_PATTERN.format(what=what, pattern=go_quote(page.pattern)))
        chosen = [item for item in chosen if regex.fullmatch(item.id)]
    chosen = chosen[max(page.offset, 0) :]
    if page.limit >= 0:
        chosen = chosen[: page.limit]
    names = [*fields, "id", "link"] if fields else list(all_fields)
    return [{name: item.value(name) for name in sorted(set(names))} for item in chosen]

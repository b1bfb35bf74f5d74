"""Stored tasks and templates: what the store keeps for each, and their documents."""

from __future__ import annotations

import time
import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import Any

from tocsin.gocompat.timefmt import format_rfc3339nano

ENABLED = "enabled"
DISABLED = "disabled"
TASKS_NS = "tasks"
TEMPLATES_NS = "templates"
TASKS_PATH = "/kapacitor/v1/tasks"
TEMPLATES_PATH = "/kapacitor/v1/templates"
ZERO_TIME = "0001-01-01T00:00:00Z"  # Go's zero time.Time: a task never enabled

Dbrp = tuple[str, str]


def valid_id(value: str) -> bool:
    """Kapacitor's `^[-\\._\\p{L}0-9]+$` for task and template IDs."""
    return bool(value) and all(
        ch in "-._" or "0" <= ch <= "9" or unicodedata.category(ch).startswith("L") for ch in value
    )


def time_text(ns: int) -> str:
    """RFC3339Nano in UTC; 0 is Go's zero time."""
    return format_rfc3339nano(ns) if ns else ZERO_TIME


def dbrps_json(dbrps: list[Dbrp]) -> list[dict[str, str]]:
    """The API form of dbrps: `[{"db", "rp"}]`."""
    return [{"db": db, "rp": rp} for db, rp in dbrps]


@dataclass(slots=True)
class TaskRecord:
    """A task as stored: `vars` in their API JSON form, times in ns (0: never)."""

    id: str
    script: str
    type: str = "stream"
    template_id: str = ""
    dbrps: list[Dbrp] = field(default_factory=list)
    vars: dict[str, Any] = field(default_factory=dict)
    status: str = DISABLED
    error: str = ""
    created: int = 0
    modified: int = 0
    last_enabled: int = 0

    @property
    def enabled(self) -> bool:
        """Whether the task's status is enabled."""
        return self.status == ENABLED

    def to_doc(self) -> dict[str, Any]:
        """The stored document."""
        return {
            "id": self.id,
            "template-id": self.template_id,
            "type": self.type,
            "dbrps": dbrps_json(self.dbrps),
            "script": self.script,
            "vars": self.vars,
            "status": self.status,
            "error": self.error,
            "created": self.created,
            "modified": self.modified,
            "last-enabled": self.last_enabled,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> TaskRecord:
        """The record of a stored document."""
        return cls(
            id=str(doc["id"]),
            script=str(doc.get("script", "")),
            type=str(doc.get("type", "stream")),
            template_id=str(doc.get("template-id", "")),
            dbrps=[(str(d.get("db", "")), str(d.get("rp", ""))) for d in doc.get("dbrps") or []],
            vars=dict(doc.get("vars") or {}),
            status=ENABLED if doc.get("status") == ENABLED else DISABLED,
            error=str(doc.get("error", "")),
            created=int(doc.get("created", 0)),
            modified=int(doc.get("modified", 0)),
            last_enabled=int(doc.get("last-enabled", 0)),
        )


@dataclass(slots=True)
class TemplateRecord:
    """A template as stored."""

    id: str
    script: str
    type: str = "stream"
    error: str = ""
    created: int = 0
    modified: int = 0

    def to_doc(self) -> dict[str, Any]:
        """The stored document."""
        return {
            "id": self.id,
            "type": self.type,
            "script": self.script,
            "error": self.error,
            "created": self.created,
            "modified": self.modified,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> TemplateRecord:
        """The record of a stored document."""
        return cls(
            id=str(doc["id"]),
            script=str(doc.get("script", "")),
            type=str(doc.get("type", "stream")),
            error=str(doc.get("error", "")),
            created=int(doc.get("created", 0)),
            modified=int(doc.get("modified", 0)),
        )


def task_link(task_id: str) -> dict[str, str]:
    """The self link of a task."""
    return {"rel": "self", "href": f"{TASKS_PATH}/{task_id}"}


def template_link(template_id: str) -> dict[str, str]:
    """The self link of a template."""
    return {"rel": "self", "href": f"{TEMPLATES_PATH}/{template_id}"}


def now_ns() -> int:
    """The wall clock in ns (created, modified, last-enabled)."""
    return time.time_ns()


def new_id() -> str:
    """The id of a task or template created without one."""
    return str(uuid.uuid4())

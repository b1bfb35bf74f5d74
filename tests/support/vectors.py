"""The handler vectors of the shared spec (Kapacitor's own handler tests, request by request)."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from tocsin.alert.event import Event
from tocsin.alert.levels import parse_level
from tocsin.gocompat.timefmt import parse_rfc3339


def _repo_root() -> Path:
    for parent in Path(__file__).resolve().parents:
        if (parent / "src" / "tocsin").is_dir():
            return parent
    raise RuntimeError("cannot find the repository root (the directory holding src/tocsin)")


SPEC_DIR = _repo_root().parent / "shared" / "spec"


@functools.cache
def handler_cases() -> dict[str, dict[str, Any]]:
    """Every case of handler-vectors.json by id."""
    data = json.loads((SPEC_DIR / "handler-vectors.json").read_text(encoding="utf-8"))
    return {c["id"]: c for c in data["cases"]}


def case(case_id: str) -> dict[str, Any]:
    """A deep copy of one case, safe to modify."""
    copied: dict[str, Any] = json.loads(json.dumps(handler_cases()[case_id]))
    return copied


def event_from_alert(alert: dict[str, Any]) -> Event:
    """The Event a case's `alert` describes."""
    return Event(
        topic=alert["topic"],
        id=alert["id"],
        level=parse_level(alert["level"]),
        time=parse_rfc3339(alert["time"]),
        message=alert["message"],
        details=alert["details"],
        duration=alert["duration"],
        previous_level=parse_level(alert["previous_level"]),
        recoverable=alert["recoverable"],
        name=alert["name"],
        task_name=alert["task_name"],
        category=alert["category"],
        group=alert["group"],
        tags=dict(alert["tags"] or {}),
        fields=dict(alert["fields"] or {}),
        data=alert["data"],
    )


def substitute(value: Any, replacements: dict[str, str]) -> Any:
    """`value` with placeholders such as `<server>` replaced inside every string."""
    if isinstance(value, str):
        for placeholder, actual in replacements.items():
            value = value.replace(placeholder, actual)
        return value
    if isinstance(value, list):
        return [substitute(v, replacements) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, replacements) for k, v in value.items()}
    return value

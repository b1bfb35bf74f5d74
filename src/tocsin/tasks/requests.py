"""Bodies of task and template create/update requests, decoded as Go decodes them into the client structs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tocsin.tasks.errors import INVALID_JSON, TaskApiError
from tocsin.tasks.records import DISABLED, ENABLED, Dbrp

_TYPES = ("", "stream", "batch")
_STATUSES = ("", ENABLED, DISABLED)


@dataclass(slots=True)
class TaskRequest:
    """`client.CreateTaskOptions` / `UpdateTaskOptions`: empty strings and None mean "not given"."""

    id: str = ""
    template_id: str = ""
    type: str = ""
    dbrps: list[Dbrp] = field(default_factory=list)
    script: str = ""
    status: str = ""
    vars: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class TemplateRequest:
    """`client.CreateTemplateOptions` / `UpdateTemplateOptions`."""

    id: str = ""
    type: str = ""
    script: str = ""


def _object(body: Any) -> dict[str, Any]:
    if body is None:  # Go decodes `null` into a struct without error
        return {}
    if not isinstance(body, dict):
        raise TaskApiError(INVALID_JSON)
    # Go matches JSON keys to struct fields case-insensitively (an exact match wins).
    folded = {k.lower(): v for k, v in body.items() if k != k.lower()}
    folded.update({k: v for k, v in body.items() if k == k.lower()})
    return folded


def _string(body: dict[str, Any], key: str, allowed: tuple[str, ...] | None = None) -> str:
    value = body.get(key)
    if value is None:
        return ""
    if not isinstance(value, str) or (allowed is not None and value not in allowed):
        raise TaskApiError(INVALID_JSON)
    return value


def _dbrps(value: Any) -> list[Dbrp]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise TaskApiError(INVALID_JSON)
    out: list[Dbrp] = []
    for item in value:
        entry = _object(item)
        out.append((_string(entry, "db"), _string(entry, "rp")))
    return out


def task_request(body: Any) -> TaskRequest:
    """Decode a task body; a wrong JSON type anywhere is 400 `invalid JSON`."""
    obj = _object(body)
    raw_vars = obj.get("vars")
    if raw_vars is not None and not isinstance(raw_vars, dict):
        raise TaskApiError(INVALID_JSON)
    return TaskRequest(
        id=_string(obj, "id"),
        template_id=_string(obj, "template-id"),
        type=_string(obj, "type", _TYPES),
        dbrps=_dbrps(obj.get("dbrps")),
        script=_string(obj, "script"),
        status=_string(obj, "status", _STATUSES),
        vars=dict(raw_vars or {}),
    )


def template_request(body: Any) -> TemplateRequest:
    """Decode a template body."""
    obj = _object(body)
    return TemplateRequest(
        id=_string(obj, "id"),
        type=_string(obj, "type", _TYPES),
        script=_string(obj, "script"),
    )

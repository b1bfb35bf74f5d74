"""The bodies of the recordings and replays requests, read as Kapacitor reads them."""

from __future__ import annotations

from typing import Any

from tocsin.gocompat.quoting import go_quote
from tocsin.gocompat.timefmt import parse_rfc3339
from tocsin.tasks import recording_files as files
from tocsin.tasks.errors import TaskApiError
from tocsin.tasks.recording_errors import BAD_CLOCK


def body_dict(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise TaskApiError("invalid JSON")
    return body


def time_field(body: dict[str, Any], key: str) -> int:
    """A Go time.Time from the body: 0 for missing or the zero time."""
    text = body.get(key)
    if text in (None, "", files.ZERO_TIME):
        return 0
    if not isinstance(text, str):
        raise TaskApiError(f"parsing time {go_quote(str(text))}: not a string")
    try:
        return parse_rfc3339(text)
    except ValueError as exc:
        raise TaskApiError(f"parsing time {go_quote(text)}: {exc}") from None


def clock(body: dict[str, Any]) -> str:
    value = body.get("clock", "fast")
    if value not in ("fast", "real"):
        raise TaskApiError(BAD_CLOCK.format(value=value))
    return str(value)

"""Reading alert events posted to `POST /tocsin/v1/events` (one object or a list), with exact error places."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tocsin.alert.event import Event
from tocsin.alert.levels import Level, parse_level
from tocsin.alert.topics import Derive
from tocsin.engine.errors import InvalidError
from tocsin.engine.handlers import valid_id
from tocsin.gocompat.duration import parse_duration
from tocsin.gocompat.timefmt import parse_rfc3339

MAX_EVENTS = 10_000
_KINDS: dict[type, str] = {str: "a string", dict: "an object", list: "a list"}

_STRINGS = ("message", "details", "name", "taskName", "category", "group")
_KNOWN = {
    "topic",
    "id",
    "level",
    "time",
    "previousLevel",
    "duration",
    "recoverable",
    "tags",
    "fields",
    "data",
    *_STRINGS,
}


class _Bad(Exception):
    def __init__(self, field: str, what: str) -> None:
        super().__init__(what)
        self.field = field
        self.what = what


# Kapacitor takes IDs of any length (a 2 MB alert ID was kept, stored and listed); these are names, not data.
MAX_ID_LENGTH = 1024


def parse_events(body: Any, now_ns: Callable[[], int]) -> list[tuple[Event, Derive]]:
    """Validate a request body and build events; InvalidError names the event index and the field."""
    items = body if isinstance(body, list) else [body]
    if not items:
        raise InvalidError("no events: the body is an empty list")
    if len(items) > MAX_EVENTS:
        raise InvalidError(f"too many events: {len(items)} in one request, the limit is {MAX_EVENTS}")
    out = []
    for index, item in enumerate(items):
        try:
            out.append(_event(item, now_ns))
        except _Bad as bad:
            where = f"event {index}" if isinstance(body, list) else "event"
            field = f': field "{bad.field}"' if bad.field else ""
            raise InvalidError(f"{where}{field}: {bad.what}") from None
    return out


def _event(item: Any, now_ns: Callable[[], int]) -> tuple[Event, Derive]:
    if not isinstance(item, dict):
        raise _Bad("", f"expected a JSON object, got {_typename(item)}")
    unknown = sorted(set(item) - _KNOWN)
    if unknown:
        raise _Bad(unknown[0], "unknown field")
    topic = _required_str(item, "topic")
    if not valid_id(topic, topic=True):
        raise _Bad("topic", "must contain only letters, numbers, '-', '.', '_' and ':'")
    alert_id = _required_str(item, "id")
    for name, text in (("topic", topic), ("id", alert_id)):
        if len(text) > MAX_ID_LENGTH:
            raise _Bad(name, f"longer than {MAX_ID_LENGTH} characters ({len(text)})")
    level = _level(item, "level", required=True)
    event = Event(topic=topic, id=alert_id, level=level, time=_time(item, now_ns))
    for key, attr in zip(_STRINGS, ("message", "details", "name", "task_name", "category", "group"), strict=True):
        value = item.get(key)
        if value is not None:
            if not isinstance(value, str):
                raise _Bad(key, f"expected a string, got {_typename(value)}")
            setattr(event, attr, value)
    event.tags = _tags(item)
    event.fields = _fields(item)
    event.data = _data(item)
    derive = Derive(previous_level="previousLevel" not in item, duration="duration" not in item)
    if "previousLevel" in item:
        event.previous_level = _level(item, "previousLevel", required=True)
    if "duration" in item:
        event.duration = _duration(item["duration"])
    if "recoverable" in item:
        if not isinstance(item["recoverable"], bool):
            raise _Bad("recoverable", f"expected true or false, got {_typename(item['recoverable'])}")
        event.recoverable = item["recoverable"]
    return event, derive


def _typename(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _required_str(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    if value is None:
        raise _Bad(key, "is required")
    if not isinstance(value, str):
        raise _Bad(key, f"expected a string, got {_typename(value)}")
    if not value:
        raise _Bad(key, "must not be empty")
    return value


def _level(item: dict[str, Any], key: str, *, required: bool) -> Level:
    value = item.get(key)
    if value is None:
        raise _Bad(key, "is required")
    if isinstance(value, str):
        try:
            return parse_level(value)
        except ValueError as exc:
            raise _Bad(key, f"{exc} (expected OK, INFO, WARNING or CRITICAL)") from None
    raise _Bad(key, f"expected a level name, got {_typename(value)}")


def _time(item: dict[str, Any], now_ns: Callable[[], int]) -> int:
    value = item.get("time")
    if value is None:
        return now_ns()
    if isinstance(value, str):
        try:
            return parse_rfc3339(value)
        except ValueError as exc:
            raise _Bad("time", str(exc)) from None
    raise _Bad("time", f"expected an RFC 3339 string, got {_typename(value)}")


def _duration(value: Any) -> int:
    if isinstance(value, bool):
        raise _Bad("duration", "expected nanoseconds or a Go duration string, got a boolean")
    if isinstance(value, int):
        if value < 0:
            raise _Bad("duration", "must not be negative")
        return value
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    if isinstance(value, str):
        try:
            ns = parse_duration(value)
        except ValueError as exc:
            raise _Bad("duration", str(exc)) from None
        if ns < 0:
            raise _Bad("duration", "must not be negative")
        return ns
    raise _Bad("duration", f"expected nanoseconds or a Go duration string, got {_typename(value)}")


def _tags(item: dict[str, Any]) -> dict[str, str]:
    value = item.get("tags")
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Bad("tags", f"expected an object of strings, got {_typename(value)}")
    for k, v in value.items():
        if not isinstance(v, str):
            raise _Bad(f"tags.{k}", f"expected a string, got {_typename(v)}")
    return dict(value)


def _fields(item: dict[str, Any]) -> dict[str, Any]:
    value = item.get("fields")
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Bad("fields", f"expected an object, got {_typename(value)}")
    for k, v in value.items():
        if not isinstance(v, (str, int, float, bool)):
            raise _Bad(f"fields.{k}", f"expected a string, number or boolean, got {_typename(v)}")
    return dict(value)


def _data(item: dict[str, Any]) -> dict[str, Any] | None:
    value = item.get("data")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _Bad("data", f'expected an InfluxQL result {{"series": [...]}}, got {_typename(value)}')
    series = value.get("series")
    if series is not None and not isinstance(series, list):
        raise _Bad("data.series", f"expected a list, got {_typename(series)}")
    for i, row in enumerate(series or []):
        if not isinstance(row, dict):
            raise _Bad(f"data.series[{i}]", f"expected an object, got {_typename(row)}")
        for key, kind in (("name", str), ("tags", dict), ("columns", list), ("values", list)):
            if key in row and row[key] is not None and not isinstance(row[key], kind):
                raise _Bad(f"data.series[{i}].{key}", f"expected {_KINDS[kind]}, got {_typename(row[key])}")
        for j, values in enumerate(row.get("values") or []):
            if not isinstance(values, list):
                raise _Bad(f"data.series[{i}].values[{j}]", f"expected a list, got {_typename(values)}")
    return value

"""Alerts posted to Alertmanager's API v2 as Tocsin events: Prometheus and amtool use Tocsin as their
Alertmanager, and their alerts take the same durable path (silences, topic handlers, outbox).

An alert becomes an event of the topic its `topic` label names, else `[alertmanager] topic`; its labels are the
event's tags; its ID is `alertname` and the other labels sorted (`disk{host="db3",job="node"}`: stable, as
Alertmanager's fingerprint); its level comes from the `severity` label (`[alertmanager] severities`), OK once
`endsAt` has passed (the zero time amtool sends means still firing); message and details are the `summary` and
`description` annotations, and the alert's `data` is one series with the labels as tags and the annotations and
`generatorURL` as fields. Prometheus sends firing alerts again on every evaluation: an alert that is already in
that state in its topic makes no new event.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tocsin.alert.event import Event
from tocsin.alert.levels import Level, parse_level
from tocsin.alert.topics import Derive, TopicTable
from tocsin.config.effective import Config
from tocsin.engine.errors import InvalidError
from tocsin.engine.intake import MAX_ID_LENGTH
from tocsin.engine.posted_alerts import PostedAlert, PostedAlerts
from tocsin.gocompat.timefmt import format_rfc3339nano, parse_rfc3339

MAX_ALERTS = 10_000  # per request
ZERO_NS = parse_rfc3339("0001-01-01T00:00:00Z")  # Go's zero time: "not set"


def events_of(
    body: Any, config: Config, topics: TopicTable, now: int, posted: PostedAlerts | None = None
) -> list[tuple[Event, Derive]]:
    """The events a `POST /api/v2/alerts` body makes (state changes only); InvalidError naming the alert. Every
    alert is kept in `posted` too, for `GET /api/v2/alerts`."""
    if not isinstance(body, list):
        raise InvalidError("alerts: expected a JSON array of alerts")
    if len(body) > MAX_ALERTS:
        raise InvalidError(f"alerts: at most {MAX_ALERTS} per request")
    section = config.element("alertmanager") or {}
    severities = {str(k).lower(): v for k, v in (section.get("severities") or {}).items()}
    default = parse_level(str(section.get("default-level") or "CRITICAL"))
    topic = str(section.get("topic") or "prometheus")
    alerts = [_alert(raw, f"alerts[{i}]", topic, now) for i, raw in enumerate(body)]
    items = []
    for alert in alerts:
        event = _event(alert, severities, default, now)
        current = topics.get(event.topic)
        known = current.events.get(event.id) if current is not None else None
        if (known.level if known is not None else Level.OK) == event.level:
            continue  # Prometheus sends firing alerts again every evaluation: only changes are events
        items.append((event, Derive()))
    if posted is not None:  # once every alert of the body is valid
        for alert in alerts:
            posted.put(alert, now)
    return items


def _alert(raw: Any, where: str, default_topic: str, now: int) -> PostedAlert:
    """One posted alert, checked; InvalidError naming the alert and field."""
    if not isinstance(raw, Mapping):
        raise InvalidError(f"{where}: expected an object with labels")
    labels, annotations = raw.get("labels"), raw.get("annotations") or {}
    if not isinstance(labels, Mapping) or not labels:
        raise InvalidError(f"{where}.labels: at least one label is required")
    if not isinstance(annotations, Mapping):
        raise InvalidError(f"{where}.annotations: expected an object")
    for name, value in [*labels.items(), *annotations.items()]:
        if not isinstance(name, str) or not isinstance(value, str):
            raise InvalidError(f"{where}: labels and annotations must map strings to strings ({name!r})")
    rest = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "alertname")
    name = labels.get("alertname", "")
    alert_id = f"{name}{{{rest}}}" if rest else name or "{}"
    if len(alert_id) > MAX_ID_LENGTH:
        raise InvalidError(f"{where}.labels: the alert ID they make is longer than {MAX_ID_LENGTH} characters")
    return PostedAlert(
        labels=dict(labels),
        annotations=dict(annotations),
        starts_at=_time(raw, "startsAt", where) or now,
        ends_at=_time(raw, "endsAt", where),
        generator_url=str(raw.get("generatorURL") or ""),
        updated_at=now,
        topic=labels.get("topic") or default_topic,
        alert_id=alert_id,
    )


def _event(alert: PostedAlert, severities: Mapping[str, Any], default: Level, now: int) -> Event:
    labels, annotations = alert.labels, alert.annotations
    resolved = alert.resolved(now)
    if resolved:
        level = Level.OK
    else:
        mapped = severities.get(labels.get("severity", "").lower())
        try:
            level = parse_level(str(mapped)) if mapped is not None else default
        except ValueError:
            raise InvalidError(f"[alertmanager] severities: {mapped!r} is not a level") from None
    at = alert.ends_at if resolved and alert.ends_at is not None else alert.starts_at
    fields = {**dict(sorted(annotations.items())), "generatorURL": alert.generator_url}
    name = labels.get("alertname", "")
    return Event(
        topic=alert.topic,
        id=alert.alert_id,
        level=level,
        time=at,
        message=annotations.get("summary") or f"{alert.alert_id} is {level.name}",
        details=annotations.get("description", ""),
        tags=dict(labels),
        name=name,
        fields=fields,
        # as a task's alert carries its point: the labels as tags, the annotations and source as fields
        data={
            "series": [
                {
                    "name": name,
                    "tags": dict(sorted(labels.items())),
                    "columns": ["time", *fields],
                    "values": [[format_rfc3339nano(at), *fields.values()]],
                }
            ]
        },
    )


def _time(raw: Mapping[str, Any], name: str, where: str) -> int | None:
    """The time in ns; None when absent or Go's zero time (amtool sends `0001-01-01T00:00:00.000Z`)."""
    value = raw.get(name)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise InvalidError(f"{where}.{name}: an RFC 3339 time is required")
    try:
        at = parse_rfc3339(value)
    except ValueError as exc:
        raise InvalidError(f"{where}.{name}: {exc}") from None
    return None if at == ZERO_NS else at

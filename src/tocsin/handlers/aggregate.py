"""The `aggregate` kind: fold the events of each interval into one event published to another topic."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.gotemplate import GoDuration, Struct, Template, TemplateError
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType
from tocsin.handlers.requests import Request

DEFAULT_MESSAGE = "Received {{ .Count }} events in the last {{.Interval}}."
EVALUATION_FAILED = "failed to evaluate message template with aggregate message data"
# Kapacitor hands a non-positive interval to time.NewTicker, which panics; Tocsin refuses it up front.
INTERVAL_NOT_POSITIVE = "aggregate interval must be greater than 0, got {interval}"


def message_data(count: int, interval_ns: int) -> Struct:
    """What the `message` template sees: `.Count` events in the last `.Interval` (Go's type name kept)."""
    return Struct("alert.aggregateMessageData", {"Count": count, "Interval": GoDuration(interval_ns)})


@functools.lru_cache(maxsize=256)
def message_template(text: str) -> Template:
    """The parsed `message` template (cached per text)."""
    return Template.parse("message", text)


def validate(options: dict[str, Any], config: ConfigView) -> str | None:
    """The message template must parse and run on zero data; the interval must be positive."""
    try:
        template = message_template(options["message"])
    except TemplateError as exc:
        return str(exc)
    try:
        template.execute(message_data(0, 0))
    except TemplateError as exc:
        return f"{EVALUATION_FAILED}: {exc}"
    if options["interval"] <= 0:
        return INTERVAL_NOT_POSITIVE.format(interval=options["interval"])
    return None


def interval(options: dict[str, Any]) -> int:
    """The aggregation period in nanoseconds."""
    return int(options["interval"])


def combine(events: Sequence[Event], options: dict[str, Any]) -> Event:
    """Kapacitor's aggregate event: max level, time and duration; messages as details; series concatenated."""
    if not events:
        raise ValueError("aggregate: no events to combine")
    data = message_data(len(events), options["interval"])
    series = [row for e in events for row in ((e.data or {}).get("series") or ())]
    return Event(
        topic=options["topic"],
        id=options["id"],
        level=max((e.level for e in events), default=Level.OK),
        time=max(e.time for e in events),
        message=message_template(options["message"]).execute(data),
        details="\n".join(e.message for e in events),
        duration=max(0, *(e.duration for e in events)),
        recoverable=False,
        data={"series": series} if series else None,
    )


def render(event: Event, options: dict[str, Any], config: ConfigView) -> Request:
    """Never called: aggregate handlers combine the events of an interval instead of rendering each."""
    raise TypeError("the aggregate kind combines events per interval; it does not render single events")


KIND = HandlerKind(
    name="aggregate",
    extras="Aggregated events stay in the outbox until the folded event is collected: nothing is lost on restart.",
    help="Aggregate the events of each interval into one event published to a topic.",
    options=(
        Option("id", OptionType.STRING, help="ID of the aggregate event."),
        Option("interval", OptionType.DURATION, help="Aggregation period (nanoseconds, or Go text like 1m)."),
        Option("topic", OptionType.STRING, help="Topic that receives the aggregate event."),
        Option("message", OptionType.STRING, default=DEFAULT_MESSAGE, help="Template over .Count, .Interval."),
    ),
    render=render,
    validate=validate,
    external=False,
    interval=interval,
    combine=combine,
    go_config_type="*alert.AggregateHandlerConfig",
)

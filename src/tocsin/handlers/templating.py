"""Handler-side templates: Kapacitor's alert.TemplateData and cached Go text/templates over it.

Most third-party kinds (alerta, bigpanda, discord, mqtt, pagerduty2, sensu, snmptrap, ...) template their
options against this data; `Group` is "" when the event is not grouped (not "nil" as in the alert node).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from tocsin.alert.event import Event
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.gotemplate import GoDuration, GoTime, Template, TemplateError
from tocsin.gotemplate.values import StringMap, Struct


def template_data(event: Event) -> Struct:
    """Kapacitor's alert.TemplateData, the data of handler-side templates (Group is "" when not grouped)."""
    return Struct(
        "alert.TemplateData",
        {
            "ID": event.id,
            "Message": event.message,
            "Level": event.level.name,
            "Time": GoTime(event.time),
            "Duration": GoDuration(event.duration),
            "Details": event.details,
            "Name": event.name,
            "TaskName": event.task_name,
            "Group": event.group,
            "Tags": StringMap(event.tags),
            "Fields": dict(event.fields),
        },
    )


@functools.lru_cache(maxsize=1024)
def handler_template(name: str, text: str) -> Template:
    """A parsed handler template (Go text/template without extra functions), cached per name and text."""
    return Template.parse(name, text)


def parse_problem(templates: Iterable[tuple[str, str]]) -> str | None:
    """Go's parse error of the first (name, text) template that does not parse, or None."""
    for name, text in templates:
        try:
            handler_template(name, text)
        except TemplateError as exc:
            return str(exc)
    return None


def execute_partial(name: str, text: str, data: Any) -> str:
    """Run one handler template where Kapacitor ignores Execute's error ("" stays "").

    A parse error fails the delivery (CONFIG); an execution error does not: what the template wrote before
    the failing action is used.
    """
    if not text:
        return ""
    try:
        template = handler_template(name, text)
    except TemplateError as exc:
        raise DeliveryError(Reason.CONFIG, str(exc), retryable=False) from exc
    return template.execute_partial(data)


def execute(name: str, text: str, data: Any) -> str:
    """Run one handler template; a failure is a CONFIG error (Kapacitor logs it and drops the event)."""
    if "{{" not in text:
        return text
    try:
        return handler_template(name, text).execute(data)
    except TemplateError as exc:
        raise DeliveryError(Reason.CONFIG, str(exc), retryable=False) from exc

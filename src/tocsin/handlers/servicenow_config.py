"""The `[servicenow]` config section and the servicenow templates (node, type, ..., additional_info values)."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Mapping
from typing import Any

from tocsin.config.schema import Field, FieldType, Section
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.gotemplate import Template, TemplateError
from tocsin.gotemplate.execute import State

DEFAULT_URL = "https://instance.service-now.com/api/global/em/jsonv2"

# Kapacitor's text (services/servicenow/config.go).
MISSING_URL = "must specify events URL"


def validate(values: Mapping[str, Any]) -> str | None:
    """Kapacitor's check: an enabled service needs the events URL."""
    if values["enabled"] and not values["url"]:
        return MISSING_URL
    return None


SECTION = Section(
    name="servicenow",
    help="ServiceNow event management (events web service).",
    validate=validate,
    fields=(
        Field("enabled", FieldType.BOOL, help="Enable sending alerts to ServiceNow."),
        Field("url", FieldType.STRING, DEFAULT_URL, help="Events API URL of the ServiceNow instance."),
        Field("source", FieldType.STRING, help="Default event source.", example="Kapacitor"),
        Field("username", FieldType.STRING, help="Basic authentication username (used with the password)."),
        Field("password", FieldType.STRING, secret=True, help="Basic authentication password."),
        Field("global", FieldType.BOOL, help="Send every alert to ServiceNow without naming it in the TICKscript."),
        Field("state-changes-only", FieldType.BOOL, help="With global, only send alerts whose level changed."),
    ),
)


@functools.lru_cache(maxsize=512)
def _parsed(name: str, text: str) -> Template:
    return Template.parse(name, text)


def render_template(name: str, text: str, data: Any) -> str:
    """Execute one servicenow template ("" stays "").

    A parse error fails the delivery (CONFIG). An execution error does not: Kapacitor ignores it and sends
    what the template wrote before the failing action.
    """
    if not text:
        return ""
    try:
        template = _parsed(name, text)
    except TemplateError as exc:
        raise DeliveryError(Reason.CONFIG, str(exc), retryable=False) from exc
    state = State(template.name, template.text, template.trees, template.funcs, template.html)
    state.vars.append(["$", data])
    # Go's text/template has already written the output that precedes the failing action.
    with contextlib.suppress(TemplateError, RecursionError):
        state.walk(data, template.trees[template.name])
    return "".join(state.out)

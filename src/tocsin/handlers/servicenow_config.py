"""The `[servicenow]` config section."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tocsin.config.schema import Field, FieldType, Section

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

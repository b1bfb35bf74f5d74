"""The `[alerta]` config section (a single table)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tocsin.config.schema import Field, FieldType, Section

# Kapacitor's text (services/alerta/config.go).
MISSING_URL = "must specify url"


def validate(values: Mapping[str, Any]) -> str | None:
    """Kapacitor's check of the section."""
    if values["enabled"] and not values["url"]:
        return MISSING_URL
    return None


SECTION = Section(
    name="alerta",
    help="Alerta server that receives alerts (POST <url>/alert).",
    validate=validate,
    fields=(
        Field("enabled", FieldType.BOOL, help="Enable sending alerts to Alerta."),
        Field(
            "url",
            FieldType.STRING,
            help="Alerta API base URL; /alert is appended to its path.",
            example="http://127.0.0.1:8080/api",
        ),
        Field("insecure-skip-verify", FieldType.BOOL, help="Use TLS but skip chain and host verification."),
        Field("token", FieldType.STRING, secret=True, help="API token, can be overridden per alert."),
        Field(
            "token-prefix",
            FieldType.STRING,
            help="Authorization scheme before the token; empty means Bearer (use Key for old Alerta versions).",
        ),
        Field("environment", FieldType.STRING, help="Default environment of the alerts."),
        Field("origin", FieldType.STRING, help="Default origin of the alerts.", example="kapacitor"),
        Field("timeout", FieldType.DURATION, help="Accepted for compatibility; Kapacitor never uses it."),
    ),
)

"""The `[bigpanda]` config section (a single table)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tocsin.config.schema import Field, FieldType, Section

DEFAULT_URL = "https://api.bigpanda.io/data/v2/alerts"
DEFAULT_AUTO_ATTRIBUTES = "tags,fields"

# Kapacitor's texts (services/bigpanda/config.go).
MISSING_APP_KEY = "must specify BigPanda app-key"
MISSING_TOKEN = "must specify BigPanda token"


def validate(values: Mapping[str, Any]) -> str | None:
    """Kapacitor's checks of the section, in its order."""
    if values["enabled"] and not values["app-key"]:
        return MISSING_APP_KEY
    if values["enabled"] and not values["token"]:
        return MISSING_TOKEN
    return None


SECTION = Section(
    name="bigpanda",
    help="BigPanda alerts API (an integration's app key and an organization token).",
    validate=validate,
    fields=(
        Field("enabled", FieldType.BOOL, help="Enable sending alerts to BigPanda."),
        Field("global", FieldType.BOOL, help="Send every alert to BigPanda without naming it in the TICKscript."),
        Field("app-key", FieldType.STRING, help="App key of the BigPanda integration, can be overridden per alert."),
        Field("token", FieldType.STRING, secret=True, help="Organization token, sent as a Bearer token."),
        Field("state-changes-only", FieldType.BOOL, help="With global, only send alerts whose level changed."),
        Field("insecure-skip-verify", FieldType.BOOL, help="Use TLS but skip chain and host verification."),
        Field("url", FieldType.STRING, DEFAULT_URL, help="BigPanda alerts API URL."),
        Field(
            "auto-attributes",
            FieldType.STRING,
            DEFAULT_AUTO_ATTRIBUTES,
            help="Which event data become alert attributes: a text containing `tags` and/or `fields`.",
        ),
    ),
)

"""The `[[discord]]` config section (also accepted as a single `[discord]` table), keyed by `workspace`.

The webhook `url` is not a secret in the config API, as in Kapacitor (it shows in GET /kapacitor/v1/config).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tocsin.config.lists import default_global_problem, tls_fields
from tocsin.config.schema import Field, FieldType, Section

# Kapacitor's text (services/discord/config.go).
MISSING_URL = "Must specify the Discord channel webhook URL"


def validate(values: Mapping[str, Any]) -> str | None:
    """Kapacitor's checks of one workspace."""
    if values["enabled"] and not values["url"]:
        return MISSING_URL
    return default_global_problem(values)


STR = FieldType.STRING
BOOL = FieldType.BOOL

SECTION = Section(
    name="discord",
    help="Discord channel webhooks. Repeat [[discord]] for several; the one with default = true serves alerts "
    "that name no workspace.",
    element_key="workspace",
    single_table_ok=True,
    default_elements=({"workspace": "", "default": True},),
    validate=validate,
    fields=(
        Field("enabled", BOOL, help="Enable sending alerts to this webhook."),
        Field("default", BOOL, help="Use this workspace for alerts that name none."),
        Field("workspace", STR, help="Name of this webhook configuration; required when there are several."),
        Field(
            "url",
            STR,
            secret=True,
            help="Channel webhook URL. It carries the webhook's token, so unlike Kapacitor Tocsin redacts it.",
            example="https://discord.com/api/webhooks/0000/XXXX",
        ),
        Field("timestamp", BOOL, help="Put the event time (RFC 3339, seconds) in the embed's timestamp."),
        Field("username", STR, help="Username of the webhook; can be overridden per alert."),
        Field("avatar-url", STR, help="Avatar image URL of the webhook; can be overridden per alert."),
        Field(
            "embed-title",
            STR,
            help="Accepted for compatibility; Kapacitor never uses it (set the handler's embed-title instead).",
        ),
        Field(
            "global",
            BOOL,
            help="Send every alert to Discord without naming it in the TICKscript (default workspace only).",
        ),
        Field("state-changes-only", BOOL, help="With global, only send alerts whose level changed."),
        *tls_fields(),
    ),
)

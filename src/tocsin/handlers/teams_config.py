"""The `[teams]` config section (a single table in Kapacitor: no `default`, no list of teams)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tocsin.config.schema import Field, FieldType, Section
from tocsin.gocompat.quoting import go_quote
from tocsin.gocompat.urlpath import url_parse_problem

# Kapacitor's texts (services/teams/config.go).
MISSING_CHANNEL_URL = "must specify Teams channel webhook URL"
INVALID_URL = "invalid url {url}: parse {url}: {problem}"

MESSAGE_CARD = "messagecard"
ADAPTIVE_CARD = "adaptive"
CARDS = (MESSAGE_CARD, ADAPTIVE_CARD)


def validate(values: Mapping[str, Any]) -> str | None:
    """Kapacitor's checks: an enabled service needs a webhook URL, and the URL must parse."""
    url = values["channel-url"]
    if values["enabled"] and not url:
        return MISSING_CHANNEL_URL
    problem = url_parse_problem(url)
    return INVALID_URL.format(url=go_quote(url), problem=problem) if problem else None


SECTION = Section(
    name="teams",
    help="Microsoft Teams: incoming webhook (Office 365 connector) or Power Automate / Workflows webhook.",
    validate=validate,
    fields=(
        Field("enabled", FieldType.BOOL, help="Enable sending alerts to Microsoft Teams."),
        Field(
            "channel-url",
            FieldType.STRING,
            secret=True,
            help="Webhook URL of the channel (it carries a key: unlike Kapacitor, Tocsin redacts it); handlers "
            "may name another one with `channel-url`.",
            example="https://example.webhook.office.com/webhookb2/...",
        ),
        Field(
            "card",
            FieldType.STRING,
            MESSAGE_CARD,
            choices=CARDS,
            help="Payload: `messagecard` (Kapacitor's legacy MessageCard, for connector webhooks) or "
            "`adaptive` (an Adaptive Card 1.4 as Power Automate / Workflows webhooks expect). Tocsin only.",
        ),
        Field("global", FieldType.BOOL, help="Send every alert to Teams without naming it in the TICKscript."),
        Field("state-changes-only", FieldType.BOOL, help="With global, only send alerts whose level changed."),
    ),
)

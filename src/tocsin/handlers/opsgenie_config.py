"""The `[opsgenie]` (v1 API) and `[opsgenie2]` (v2 API) sections, with Kapacitor's checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tocsin.config.schema import Field, FieldType, Section
from tocsin.gocompat.quoting import go_quote
from tocsin.gocompat.urlpath import url_parse_problem
from tocsin.handlers.pagerduty_config import url_problem

DEFAULT_URL = "https://api.opsgenie.com/v1/json/alert"
DEFAULT_RECOVERY_URL = "https://api.opsgenie.com/v1/json/alert/note"
DEFAULT_URL_V2 = "https://api.opsgenie.com/v2/alerts"
# Tocsin's `region`: the API host when `url` is left at its default.
REGION_URLS_V2 = {"us": DEFAULT_URL_V2, "eu": "https://api.eu.opsgenie.com/v2/alerts"}
RECOVERY_ACTIONS = ("notes", "close")
DEFAULT_RECOVERY_ACTION = "notes"

# Kapacitor's texts (services/opsgenie*/config.go). Its recovery_url error quotes `url`, not recovery_url.
EMPTY_RECOVERY_URL = "recovery_url cannot be empty"
INVALID_RECOVERY_URL = "invalid recovery_url {url}: parse {recovery_url}: {problem}"
EMPTY_API_KEY = "api-key cannot be empty"
EMPTY_RECOVERY_ACTION = "recovery_action cannot be empty"


def _validate(values: Mapping[str, Any]) -> str | None:
    if not values["url"]:
        return url_problem("")
    if not values["recovery_url"]:
        return EMPTY_RECOVERY_URL
    problem = url_problem(values["url"])
    if problem:
        return problem
    recovery_problem = url_parse_problem(values["recovery_url"])
    if recovery_problem:
        return INVALID_RECOVERY_URL.format(
            url=go_quote(values["url"]), recovery_url=go_quote(values["recovery_url"]), problem=recovery_problem
        )
    if values["enabled"] and not values["api-key"]:
        return EMPTY_API_KEY
    return None


def _validate_v2(values: Mapping[str, Any]) -> str | None:
    if not values["url"]:
        return url_problem("")
    if not values["recovery_action"]:
        return EMPTY_RECOVERY_ACTION
    problem = url_problem(values["url"])
    if problem:
        return problem
    if values["enabled"] and not values["api-key"]:
        return EMPTY_API_KEY
    return None


def api_url_v2(section: Mapping[str, Any]) -> str:
    """The v2 alerts URL: `url` as set, or the `region`'s host when `url` is at its default."""
    url = str(section["url"])
    if url == DEFAULT_URL_V2:
        return REGION_URLS_V2.get(str(section.get("region") or "us"), url)
    return url


STR = FieldType.STRING
BOOL = FieldType.BOOL
LIST = FieldType.STRING_LIST

SECTION = Section(
    name="opsgenie",
    help="OpsGenie through its legacy v1 JSON API (prefer opsgenie2).",
    validate=_validate,
    fields=(
        Field("enabled", BOOL, help="Enable sending alerts to OpsGenie (needs api-key)."),
        Field("api-key", STR, secret=True, help="OpsGenie API key, sent in the request body."),
        Field("teams", LIST, help="Default teams; handlers may override them.", example=["ops"]),
        Field("recipients", LIST, help="Default recipients; handlers may override them."),
        Field("url", STR, DEFAULT_URL, help="The alert URL (a / is appended); should not need to be changed."),
        Field(
            "recovery_url",
            STR,
            DEFAULT_RECOVERY_URL,
            help="Where OK events go (a / is appended): the note URL, or e.g. the close URL.",
        ),
        Field("global", BOOL, help="Send every alert to OpsGenie without naming it in the TICKscript."),
    ),
)

SECTION_V2 = Section(
    name="opsgenie2",
    help="OpsGenie through its v2 Alert API.",
    validate=_validate_v2,
    fields=(
        Field("enabled", BOOL, help="Enable sending alerts to OpsGenie (needs api-key)."),
        Field("api-key", STR, secret=True, help="OpsGenie API key, sent as `Authorization: GenieKey <key>`."),
        Field("teams", LIST, help="Default teams (responders); handlers may override them.", example=["ops"]),
        Field("recipients", LIST, help="Default user responders; handlers may override them."),
        Field("url", STR, DEFAULT_URL_V2, help="The v2 alerts URL; should not need to be changed."),
        Field(
            "recovery_action",
            STR,
            DEFAULT_RECOVERY_ACTION,
            help="What an OK event does to the alert: `notes` (add a note) or `close`.",
        ),
        Field("global", BOOL, help="Send every alert to OpsGenie without naming it in the TICKscript."),
        Field("details", BOOL, help="Send the alert's details, when set, as the OpsGenie description."),
        Field(
            "region",
            STR,
            "us",
            choices=tuple(REGION_URLS_V2),
            help="Tocsin: `eu` sends to api.eu.opsgenie.com while url is left at its default.",
        ),
    ),
)

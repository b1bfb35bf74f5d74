"""Errors of the config API, with Kapacitor's texts (services/config/service.go, override/override.go)."""

from __future__ import annotations

from tocsin.errors import ConfigError

# 403 on every /config route when [config-override] enabled = false.
NOT_ENABLED = "config override service is not enabled"
# 400 on GET /config/ (section part empty).
NO_SECTION = "section not specified, do you have an extra trailing '/'?"
# 404s of the GET routes (and, in Tocsin, of POST to a section the API does not expose).
UNKNOWN_SECTION = "unknown section: {section}"
UNKNOWN_ELEMENT = "unknown section/element: {section}/{element}"
# 500 when the effective config cannot be computed for a GET.
RESOLVE_FAILED = "failed to resolve current config:{error}"

# POST: prefixes that wrap the specific reasons below.
APPLY_FAILED = "failed to apply update: {error}"
INVALID_ACTION = "invalid update action: {error}"
OVERRIDE_FAILED = "failed to override configuration {section}/{element}: {error}"
UPDATE_FAILED = "failed to update configuration {section}/{element}: {error}"
DECODE_FAILED = "failed to decode JSON:{error}"

# POST: reasons of an invalid update action.
MISSING_SECTION = "must provide section name"
INVALID_SECTION_NAME = "invalid section name {name}"
INVALID_ELEMENT_NAME = "invalid element name {name}"
MIXED_ACTIONS = "cannot provide both set/delete and add/remove actions in the same update"
ADD_WITH_ELEMENT = "must not provide an element name when adding an a new override"
REMOVE_WITH_ELEMENT = "must not provide element when removing an override"
NO_ELEMENT = "element not specified, are you missing a trailing '/'?"

# POST: reasons of a failed add.
NOT_A_LIST = 'section "{section}" is not a list, cannot add new element'
MISSING_KEY = 'missing key "{key}" in "add" map'
KEY_NOT_STRING = 'expected "{key}" key to be a string, got {kind}'
# Kapacitor means to send this but loses it (it wraps a nil error); Tocsin sends it with 400.
ALREADY_EXISTS = "cannot add new override, override already exists for {id}"

# POST: reasons of a failed override, wrapped in OVERRIDE_FAILED.
UNKNOWN_OPTIONS = "unknown options [{names}] in section {section}"
KEY_OVERRIDE = "cannot override element key {key}"
KEY_MISSING = 'element key "{key}" not present in options'
CANNOT_SET = "cannot set option {name}: {error}"
FAILED_VALIDATION = "failed validation: {error}"
UNKNOWN_OVERRIDE_SECTION = "unknown section {section}"
DUPLICATE_ELEMENTS = (
    'failed to read sections from configuration object: section "{section}" has duplicate elements: "{element}"'
)


class UpdateError(ConfigError):
    """A config API request that fails; `status` is the HTTP status and the message is Kapacitor's text."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def service_rejected(section: str, element: str, reason: str) -> UpdateError:
    """The 500 to send when the running service refuses an update the config layer accepted."""
    return UpdateError(500, UPDATE_FAILED.format(section=section, element=element, error=reason))

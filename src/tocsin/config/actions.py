"""The body of `POST /kapacitor/v1/config/<section>[/<element>]`: decoding and Kapacitor's consistency rules."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tocsin.config.convert import go_quote
from tocsin.config.errors import (
    ADD_WITH_ELEMENT,
    APPLY_FAILED,
    DECODE_FAILED,
    INVALID_ACTION,
    INVALID_ELEMENT_NAME,
    INVALID_SECTION_NAME,
    MISSING_SECTION,
    MIXED_ACTIONS,
    NO_ELEMENT,
    REMOVE_WITH_ELEMENT,
    UpdateError,
)

# Go's regexp \w is ASCII-only.
VALID_NAME = re.compile(r"[-\w+]+", re.ASCII)

# JSON key -> (Go field type text, whether it is a map).
_ACTION_FIELDS = {
    "set": ("map[string]interface {}", True),
    "delete": ("[]string", False),
    "add": ("map[string]interface {}", True),
    "remove": ("[]string", False),
}


@dataclass(frozen=True)
class UpdateAction:
    """One decoded update request; `has_element` is true for `/config/<s>/<e>` and `/config/<s>/`."""

    section: str
    element: str
    has_element: bool
    set: dict[str, Any] = field(default_factory=dict)
    delete: list[str] = field(default_factory=list)
    add: dict[str, Any] = field(default_factory=dict)
    remove: list[str] = field(default_factory=list)


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _decode_error(kind: str, target: str) -> UpdateError:
    return UpdateError(400, DECODE_FAILED.format(error=f"json: cannot unmarshal {kind} into {target}"))


def decode_action(section: str, element: str, has_element: bool, body: Any) -> UpdateAction:
    """Decode a JSON body as Go's decoder fills Kapacitor's updateAction (keys match case-insensitively)."""
    if body is None:
        return UpdateAction(section, element, has_element)
    if not isinstance(body, dict):
        raise _decode_error(_json_kind(body), "Go value of type config.updateAction")
    parts: dict[str, Any] = {}
    for key, value in body.items():
        name = key.lower()
        if name not in _ACTION_FIELDS or value is None:
            continue
        go_type, is_map = _ACTION_FIELDS[name]
        where = f"Go struct field updateAction.{name} of type "
        if is_map:
            if not isinstance(value, dict):
                raise _decode_error(_json_kind(value), where + go_type)
            parts[name] = dict(value)
            continue
        if not isinstance(value, list):
            raise _decode_error(_json_kind(value), where + go_type)
        bad = next((v for v in value if v is not None and not isinstance(v, str)), None)
        if bad is not None:
            raise _decode_error(_json_kind(bad), where + "string")
        parts[name] = ["" if v is None else v for v in value]
    return UpdateAction(section, element, has_element, **parts)


def _invalid(reason: str) -> UpdateError:
    return UpdateError(400, APPLY_FAILED.format(error=INVALID_ACTION.format(error=reason)))


def check_action(action: UpdateAction) -> None:
    """Kapacitor's updateAction.Validate, in its order; raises UpdateError 400."""
    if not action.section:
        raise _invalid(MISSING_SECTION)
    if not VALID_NAME.fullmatch(action.section):
        raise _invalid(INVALID_SECTION_NAME.format(name=go_quote(action.section)))
    if action.element and not VALID_NAME.fullmatch(action.element):
        raise _invalid(INVALID_ELEMENT_NAME.format(name=go_quote(action.element)))
    edits = bool(action.set or action.delete)
    if edits and (action.add or action.remove):
        raise _invalid(MIXED_ACTIONS)
    if action.add and action.element:
        raise _invalid(ADD_WITH_ELEMENT)
    if action.remove and action.element:
        raise _invalid(REMOVE_WITH_ELEMENT)
    if not action.remove and not action.add and not action.has_element:
        raise _invalid(NO_ELEMENT)


def invalid_element_name(name: str) -> UpdateError:
    """The error for an added element whose key could never be addressed in a path."""
    return _invalid(INVALID_ELEMENT_NAME.format(name=go_quote(name)))

"""Runtime overrides from `POST /kapacitor/v1/config`: how one request changes what is stored.

As in Kapacitor, an override is a record per element (`<section>/<element>`) holding the raw option values
the API received; they are converted and validated whenever the effective config is built, so a record
always wins over the file and the environment. `create` records are elements added through the API; only
those disappear on `remove` (removing a file element only drops its record).
"""

from __future__ import annotations

import os.path
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from tocsin.config.actions import VALID_NAME, UpdateAction, check_action, decode_action, invalid_element_name
from tocsin.config.convert import go_type
from tocsin.config.effective import Config, overrides_enabled
from tocsin.config.errors import (
    ALREADY_EXISTS,
    APPLY_FAILED,
    KEY_NOT_STRING,
    MISSING_KEY,
    NOT_A_LIST,
    NOT_ENABLED,
    UNKNOWN_SECTION,
    UpdateError,
)
from tocsin.config.loader import FileConfig
from tocsin.config.override_records import OverrideRecord, Overrides
from tocsin.config.registry import resolve
from tocsin.config.schema import Section

__all__ = ["OverrideRecord", "Overrides", "UpdateError", "apply_update"]

FILE_NOT_ALLOWED = (
    '{field} "{path}" may not be set over the config API: set it in the configuration file, or list its '
    "directory in [config-override] allowed-file-dirs"
)


def apply_update(
    base: FileConfig,
    overrides: Overrides,
    path_section: str,
    path_element: str | None,
    has_trailing_slash: bool,
    body: Any,
    *,
    sections: Mapping[str, Section] | None = None,
) -> Overrides:
    """The overrides after one POST, validated against the resulting element(s); raises UpdateError."""
    secs = resolve(sections)
    if not overrides_enabled(base.values):
        raise UpdateError(403, NOT_ENABLED)
    element = path_element or ""
    has_element = bool(element) or (bool(path_section) and has_trailing_slash)
    action = decode_action(path_section, element, has_element, body)
    check_action(action)
    section = secs.get(action.section)
    if section is None or not section.overridable or not section.name:
        raise UpdateError(404, UNKNOWN_SECTION.format(section=action.section))
    _check_server_files(base, section, action.add or action.set)
    if action.remove:
        result = overrides.drop(section.name, action.remove)
    elif action.add:
        result = overrides.put(_added(section, overrides, action))
    else:
        result = _edited(section, overrides, action)
    Config.build(base, result.only(section.name), sections=secs)
    return result


def _check_server_files(base: FileConfig, section: Section, values: Mapping[str, Any]) -> None:
    """A file path set over the API must be inside `[config-override] allowed-file-dirs` (resolved, symlinks
    included). The answer is the same whether or not the file exists, so the API cannot probe the disk."""
    override = (base.values.get("config-override") or [{}])[0]
    allowed = [os.path.realpath(str(d)) for d in override.get("allowed-file-dirs") or ()]
    for option in section.fields:
        value = values.get(option.name)
        if not option.server_file or not value or not isinstance(value, str):
            continue
        resolved = os.path.realpath(value)
        if not any(resolved.startswith(d.rstrip("/") + "/") for d in allowed):
            raise UpdateError(403, FILE_NOT_ALLOWED.format(field=option.name, path=value))


def _apply_failed(reason: str) -> UpdateError:
    return UpdateError(400, APPLY_FAILED.format(error=reason))


def _added(section: Section, overrides: Overrides, action: UpdateAction) -> OverrideRecord:
    key = section.element_key
    if key is None:
        raise _apply_failed(NOT_A_LIST.format(section=section.name))
    if key not in action.add:
        raise _apply_failed(MISSING_KEY.format(key=key))
    value = action.add[key]
    if not isinstance(value, str):
        raise _apply_failed(KEY_NOT_STRING.format(key=key, kind=go_type(value)))
    if value and not VALID_NAME.fullmatch(value):
        raise invalid_element_name(value)
    record = OverrideRecord(section.name, value, dict(action.add), create=True)
    if overrides.get(section.name, value) is not None:
        raise _apply_failed(ALREADY_EXISTS.format(id=record.id))
    return record


def _edited(section: Section, overrides: Overrides, action: UpdateAction) -> Overrides:
    existing = overrides.get(section.name, action.element)
    options = dict(existing.options) if existing is not None else {}
    options.update(action.set)
    for name in action.delete:
        options.pop(name, None)
    if existing is not None:
        record = replace(existing, options=options)
    else:
        record = OverrideRecord(section.name, action.element, options)
    if not options and not record.create:
        return overrides.drop(section.name, [action.element])
    return overrides.put(record)

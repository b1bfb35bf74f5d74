"""The effective configuration: file and environment values with the config-API overrides applied."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from tocsin.config.convert import ConversionError, coerce
from tocsin.config.errors import (
    CANNOT_SET,
    DUPLICATE_ELEMENTS,
    FAILED_VALIDATION,
    KEY_MISSING,
    KEY_OVERRIDE,
    OVERRIDE_FAILED,
    UNKNOWN_OPTIONS,
    UNKNOWN_OVERRIDE_SECTION,
    UpdateError,
)
from tocsin.config.override_records import OverrideRecord, Overrides
from tocsin.config.registry import resolve
from tocsin.config.schema import Section

if TYPE_CHECKING:
    from tocsin.config.loader import FileConfig


class Config:
    """Read access to every section (implements tocsin.handlers.base.ConfigView). Treat results as read-only."""

    def __init__(
        self, sections: Mapping[str, Section], values: Mapping[str, list[dict[str, Any]]], ignored: Iterable[str] = ()
    ) -> None:
        self.sections = sections
        self._values = values
        self.ignored = list(ignored)
        self.secret_texts: list[str] | None = None  # filled by tocsin.config.view.secret_values

    @classmethod
    def build(cls, base: FileConfig, overrides: Overrides, *, sections: Mapping[str, Section] | None = None) -> Config:
        """Apply `overrides` over `base`; raises UpdateError (400, Kapacitor's text) when one does not apply."""
        secs = resolve(sections)
        values = {name: [copy.deepcopy(e) for e in elements] for name, elements in base.values.items()}
        touched: set[str] = set()
        for record in overrides.records:
            section = secs.get(record.section)
            if section is None:
                raise _failed(record, UNKNOWN_OVERRIDE_SECTION.format(section=record.section))
            _apply_record(section, values.setdefault(section.name, section.initial_elements()), record)
            touched.add(section.name)
        for name in sorted(touched):
            _check_unique(secs[name], values[name])
            section = secs[name]
            message = section.validate_all(values[name]) if section.validate_all is not None else None
            if message:
                raise UpdateError(400, FAILED_VALIDATION.format(error=message))
        return cls(secs, values, base.ignored)

    def section(self, name: str) -> list[dict[str, Any]]:
        """The elements of a section (one for a non-list section); [] for an unknown section."""
        return list(self._values.get(name, ()))

    def element(self, name: str, key: str | None = None) -> dict[str, Any] | None:
        """The element of a non-list section, or the list element keyed `key` (None/"": the default one)."""
        section = self.sections.get(name)
        elements = self._values.get(name, [])
        if section is None or not elements:
            return None
        if not section.is_list:
            return elements[0]
        if key:
            return next((e for e in elements if e[section.element_key or ""] == key), None)
        marked = [e for e in elements if e.get("default") is True]
        if marked:
            return marked[0]
        if len(elements) == 1:
            return elements[0]
        if key == "":
            return next((e for e in elements if e[section.element_key or ""] == ""), None)
        return None

    def get(self, section: str, key: str) -> Any:
        """One option of a non-list section ("" for the top level) or of a list section's default element."""
        element = self.element(section)
        if element is None or key not in element:
            raise KeyError(f"[{section}] {key}")
        return element[key]

    @property
    def data_dir(self) -> str:
        """Top-level `data_dir`."""
        return str(self.get("", "data_dir"))

    @property
    def hostname(self) -> str:
        """Top-level `hostname`."""
        return str(self.get("", "hostname"))

    @property
    def bind_address(self) -> str:
        """[http] bind-address."""
        return str(self.get("http", "bind-address"))

    @property
    def overrides_enabled(self) -> bool:
        """[config-override] enabled (true when the section is not declared)."""
        return overrides_enabled(self._values)

    @property
    def skip_overrides(self) -> bool:
        """Top-level `skip-config-overrides`: start without the stored overrides."""
        return bool(self.get("", "skip-config-overrides"))


def overrides_enabled(values: Mapping[str, list[dict[str, Any]]]) -> bool:
    """Whether the config API is on in these values."""
    elements = values.get("config-override")
    return not elements or bool(elements[0].get("enabled", True))


def _failed(record: OverrideRecord, reason: str) -> UpdateError:
    # Kapacitor names an element created by `add` as "" here; naming it tells the user where the problem is.
    return UpdateError(400, OVERRIDE_FAILED.format(section=record.section, element=record.element, error=reason))


def _apply_record(section: Section, elements: list[dict[str, Any]], record: OverrideRecord) -> None:
    key_name = section.element_key
    options = record.options
    if record.create:
        if key_name is None or key_name not in options:
            raise _failed(record, KEY_MISSING.format(key=key_name or ""))
        if options[key_name] != record.element:
            raise _failed(record, KEY_OVERRIDE.format(key=key_name))
        target: dict[str, Any] | None = section.defaults()
        position = len(elements)
    elif key_name is None:
        target, position = (elements[0], 0) if record.element == "" else (None, -1)
    else:
        position = next((i for i, e in enumerate(elements) if e[key_name] == record.element), -1)
        target = elements[position] if position >= 0 else None
    if target is None:
        if options:
            raise _failed(record, UNKNOWN_OPTIONS.format(names=" ".join(sorted(options)), section=section.name))
        return
    updated = copy.deepcopy(target)
    for option in section.fields:
        if option.name not in options:
            continue
        if not record.create and option.name == key_name:
            raise _failed(record, KEY_OVERRIDE.format(key=option.name))
        try:
            updated[option.name] = coerce(option, options[option.name], updated[option.name], "json")
        except ConversionError as err:
            raise _failed(record, CANNOT_SET.format(name=option.name, error=err)) from None
    unknown = sorted(name for name in options if name not in section.field_map)
    if unknown:
        raise _failed(record, UNKNOWN_OPTIONS.format(names=" ".join(unknown), section=section.name))
    message = section.validate(updated) if section.validate is not None else None
    if message:
        raise _failed(record, FAILED_VALIDATION.format(error=message))
    if position == len(elements):
        elements.append(updated)
    else:
        elements[position] = updated


def _check_unique(section: Section, elements: list[dict[str, Any]]) -> None:
    if section.element_key is None:
        return
    seen: set[str] = set()
    for element in elements:
        key = element[section.element_key]
        if key in seen:
            raise UpdateError(400, DUPLICATE_ELEMENTS.format(section=section.name, element=key))
        seen.add(key)

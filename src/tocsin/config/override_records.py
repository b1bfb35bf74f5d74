"""The records of config-API overrides: plain data, stored as JSON, read by the effective config.

`tocsin.config.overrides` changes them from API requests; `tocsin.config.effective` applies them over the
file config. Both depend on this module, so neither depends on the other's internals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tocsin.errors import ConfigError


@dataclass(frozen=True)
class OverrideRecord:
    """The overridden options of one element; `element` is the element key ("" for a non-list section)."""

    section: str
    element: str
    options: Mapping[str, Any] = field(default_factory=dict)
    create: bool = False

    @property
    def id(self) -> str:
        """`<section>/<element>`, the record's identity (and sort key)."""
        return f"{self.section}/{self.element}"


@dataclass(frozen=True)
class Overrides:
    """Every stored override record, sorted by id."""

    records: tuple[OverrideRecord, ...] = ()

    def get(self, section: str, element: str) -> OverrideRecord | None:
        """The record of one element, if any."""
        return next((r for r in self.records if r.section == section and r.element == element), None)

    def only(self, section: str) -> Overrides:
        """The records of one section."""
        return Overrides(tuple(r for r in self.records if r.section == section))

    def put(self, record: OverrideRecord) -> Overrides:
        """A copy with `record` added or replacing the one with the same id."""
        kept = [r for r in self.records if r.id != record.id]
        return Overrides(tuple(sorted([*kept, record], key=lambda r: r.id)))

    def drop(self, section: str, elements: Sequence[str]) -> Overrides:
        """A copy without the records of these elements of `section`."""
        gone = {f"{section}/{e}" for e in elements}
        return Overrides(tuple(r for r in self.records if r.id not in gone))

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable blob for the store."""
        return {
            "overrides": [
                {"section": r.section, "element": r.element, "create": r.create, "options": dict(r.options)}
                for r in self.records
            ]
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Overrides:
        """The inverse of to_json; raises ConfigError for a malformed blob."""
        try:
            records = [
                OverrideRecord(str(item["section"]), str(item["element"]), dict(item["options"]), bool(item["create"]))
                for item in data["overrides"]
            ]
        except (KeyError, TypeError, ValueError) as err:
            raise ConfigError(f"malformed config overrides: {err!r}") from None
        return cls(tuple(sorted(records, key=lambda r: r.id)))

"""Every config section Tocsin knows: the core ones, each handler kind's, and those shipped ahead of their kind."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping

from tocsin.config.core import CORE_SECTIONS
from tocsin.config.influxdb import INFLUXDB
from tocsin.config.schema import Section
from tocsin.handlers import registry as handlers


def all_sections() -> dict[str, Section]:
    """Core sections, every registered handler kind's `config` and the extra sections, sorted by name."""
    found: list[Section] = [*CORE_SECTIONS, INFLUXDB]
    found.extend(kind.config for kind in handlers.all_kinds() if kind.config is not None)
    for target in handlers.EXTRA_SECTIONS.values():
        module, _, attr = target.partition(":")
        section = getattr(importlib.import_module(module), attr)
        assert isinstance(section, Section), target
        found.append(section)
    return by_name(found)


def by_name(sections: Iterable[Section]) -> dict[str, Section]:
    """Sections keyed by name and sorted; a name declared twice must be the same declaration."""
    out: dict[str, Section] = {}
    for section in sections:
        seen = out.setdefault(section.name, section)
        if seen is not section:
            raise ValueError(f"config section {section.name!r} is declared twice")
    return {name: out[name] for name in sorted(out)}


def with_core(*sections: Section) -> dict[str, Section]:
    """The core sections plus `sections`: a complete explicit section set (tests, tools)."""
    return by_name((*CORE_SECTIONS, *sections))


def resolve(sections: Mapping[str, Section] | None) -> Mapping[str, Section]:
    """`sections` when given, else every known section."""
    return all_sections() if sections is None else sections

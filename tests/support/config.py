"""A ConfigView over fixed section values, completed with each known section's defaults."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tocsin.config.schema import Section


class StaticConfig:
    """Sections given as `{name: element dict or list of element dicts}`; known sections get defaults."""

    def __init__(self, values: Mapping[str, Any] | None = None, sections: Iterable[Section] = ()) -> None:
        self._schemas = {s.name: s for s in sections}
        self._values: dict[str, list[dict[str, Any]]] = {}
        for name, schema in self._schemas.items():
            self._values[name] = schema.initial_elements()
        for name, value in (values or {}).items():
            elements = [value] if isinstance(value, Mapping) else list(value)
            known = self._schemas.get(name)
            defaults = known.defaults() if known is not None else {}
            self._values[name] = [{**defaults, **dict(e)} for e in elements]

    def section(self, name: str) -> list[dict[str, Any]]:
        return [dict(e) for e in self._values.get(name, [])]

    def element(self, name: str, key: str | None = None) -> dict[str, Any] | None:
        elements = self._values.get(name, [])
        schema = self._schemas.get(name)
        if schema is None or not schema.is_list:
            return dict(elements[0]) if elements else None
        if key:
            field = schema.element_key or ""
            return next((dict(e) for e in elements if e.get(field) == key), None)
        marked = [e for e in elements if e.get("default")]
        if marked:
            return dict(marked[0])
        return dict(elements[0]) if len(elements) == 1 else None


# `[exec]` and `[log]` allow-lists that let every program run and every file be written: for tests of what
# those kinds send, not of the lists (tests/hardening/test_allowlists.py and tests/security test those).
OPEN_POLICY_VALUES: dict[str, Any] = {"exec": {"allowed-commands": ["/**"]}, "log": {"allowed-dirs": ["/"]}}
OPEN_POLICY_TOML = '[exec]\nallowed-commands = ["/**"]\n[log]\nallowed-dirs = ["/"]\n'
OPEN_POLICY = StaticConfig(OPEN_POLICY_VALUES)

"""Kapacitor options Tocsin accepts but has no use for (`Field.ignored`): named when a file sets them.

A stock kapacitor.conf must load unchanged, so these options are not refused; a value other than the default
means the operator expects an effect, and the warning says why there is none.
"""

from __future__ import annotations

from collections.abc import Mapping

from tocsin.config.loader import FileConfig
from tocsin.config.registry import resolve
from tocsin.config.schema import Section


def ignored_settings(base: FileConfig, sections: Mapping[str, Section] | None = None) -> list[str]:
    """One line per ignored option the file sets to something other than its default, in section order."""
    lines = []
    for name, section in resolve(sections).items():
        for element in base.values.get(name, ()):
            for field in section.fields:
                if field.ignored and field.name in element and element[field.name] != field.zero():
                    where = f"[{name}]" if name else "top level"
                    lines.append(f"{where} {field.name} has no effect in Tocsin: {field.ignored}")
    return lines

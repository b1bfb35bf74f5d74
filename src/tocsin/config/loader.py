"""Loading kapacitor.conf: TOML text plus environment overrides into per-section element lists.

Every problem raises ConfigError with one line naming the file, the line when known, the section and the key:
`kapacitor.conf:12: [smtp] port: cannot convert string "abc" into int`. Sections Tocsin does not know
(`[influxdb]`, `[replay]`, ...) are listed in `FileConfig.ignored`, never fatal.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tocsin.config.convert import ConversionError, coerce, go_quote
from tocsin.config.envvars import apply_env
from tocsin.config.generate import default_config_toml
from tocsin.config.lines import LineIndex
from tocsin.config.registry import resolve
from tocsin.config.schema import Section
from tocsin.errors import ConfigError

__all__ = ["FileConfig", "default_config_toml", "load_file", "load_text"]

_TOML_POSITION = re.compile(r"(?s)(.*) \(at line (\d+), column (\d+)\)")


@dataclass
class FileConfig:
    """The configuration from the file and the environment: section name -> elements (top level under "")."""

    values: dict[str, list[dict[str, Any]]]
    ignored: list[str] = field(default_factory=list)
    source: str = "<config>"


def load_file(
    path: str | None, *, environ: Mapping[str, str] | None = None, sections: Mapping[str, Section] | None = None
) -> FileConfig:
    """Read `path` (None: defaults only), then apply `environ` (default: os.environ)."""
    if path is None:
        return load_text("", "<defaults>", environ=environ, sections=sections)
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read config file: {err}") from None
    return load_text(text, path, environ=environ, sections=sections)


def load_text(
    text: str,
    source: str = "<config>",
    *,
    environ: Mapping[str, str] | None = None,
    sections: Mapping[str, Section] | None = None,
) -> FileConfig:
    """Parse TOML `text` (named `source` in errors), then apply `environ` (default: os.environ)."""
    secs = resolve(sections)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(_syntax_error(source, str(err))) from None
    reader = _Reader(source, LineIndex(text), secs)
    values = {name: s.initial_elements() for name, s in secs.items()}
    from_file: dict[str, int] = {}
    ignored: list[str] = []
    top = secs.get("")
    for key, raw in data.items():
        if top is not None and key in top.field_map:
            reader.set_option(top, values[""][0], 0, key, raw)
        elif key in secs and key:
            values[key] = reader.section(secs[key], raw)
            from_file[key] = len(values[key])
        elif isinstance(raw, dict) or _is_table_array(raw):
            ignored.append(key)
        else:
            raise ConfigError(reader.where("", 0, key) + "unknown key")
    apply_env(values, secs, os.environ if environ is None else environ)
    for name, section in secs.items():
        reader.check(section, values[name], from_file.get(name, 0))
    return FileConfig(values=values, ignored=ignored, source=source)


def _is_table_array(raw: Any) -> bool:
    return isinstance(raw, list) and bool(raw) and all(isinstance(item, dict) for item in raw)


def _syntax_error(source: str, message: str) -> str:
    match = _TOML_POSITION.fullmatch(message)
    if match is None:
        return f"{source}: {message}"
    return f"{source}:{match.group(2)}:{match.group(3)}: {match.group(1)}"


class _Reader:
    """Turns parsed tables into elements, with errors located in the text."""

    def __init__(self, source: str, lines: LineIndex, sections: Mapping[str, Section]) -> None:
        self.source = source
        self.lines = lines
        self.sections = sections

    def where(self, section: str, index: int, key: str | None = None) -> str:
        line = self.lines.table(section, index) if key is None else self.lines.key(section, index, key)
        place = self.source if line is None else f"{self.source}:{line}"
        label = f"[{section}] " if section else ""
        return f"{place}: {label}{key + ': ' if key else ''}"

    def section(self, section: Section, raw: Any) -> list[dict[str, Any]]:
        name = section.name
        if not section.is_list:
            if not isinstance(raw, dict):
                raise ConfigError(self.where(name, 0) + f"expected a table [{name}]")
            return [self.element(section, raw, 0)]
        if isinstance(raw, dict):
            if not section.single_table_ok:
                raise ConfigError(self.where(name, 0) + f"expected an array of tables [[{name}]]")
            element = self.element(section, raw, 0)
            if "default" in section.field_map and "default" not in raw:
                element["default"] = True  # a lone [slack] table is the default workspace
            return [element]
        if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
            raise ConfigError(self.where(name, 0) + f"expected an array of tables [[{name}]]")
        return [self.element(section, item, index) for index, item in enumerate(raw)]

    def element(self, section: Section, raw: dict[str, Any], index: int) -> dict[str, Any]:
        element = section.defaults()
        for key, value in raw.items():
            self.set_option(section, element, index, key, value)
        return element

    def set_option(self, section: Section, element: dict[str, Any], index: int, key: str, raw: Any) -> None:
        option = section.field_map.get(key)
        if option is None:
            raise ConfigError(self.where(section.name, index, key) + "unknown key")
        try:
            element[key] = coerce(option, raw, element[key], "toml")
        except ConversionError as err:
            raise ConfigError(self.where(section.name, index, key) + str(err)) from None

    def check(self, section: Section, elements: list[dict[str, Any]], in_file: int) -> None:
        """Element keys unique, every element valid; file elements are located by their header line."""
        name = section.name
        seen: set[str] = set()
        for index, element in enumerate(elements):
            at = self.where(name, index) if index < in_file else self.where(name, -1)
            if section.element_key is not None:
                key = element[section.element_key]
                if key in seen:
                    raise ConfigError(at + f"duplicate element {section.element_key} {go_quote(key)}")
                seen.add(key)
            message = section.validate(element) if section.validate is not None else None
            if message:
                raise ConfigError(at + f"failed validation: {message}")
        message = section.validate_all(elements) if section.validate_all is not None else None
        if message:
            raise ConfigError(self.where(name, 0 if in_file else -1) + f"failed validation: {message}")

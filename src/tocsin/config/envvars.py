"""Environment overrides: `KAPACITOR_<SECTION>_<KEY>` (or `TOCSIN_...`, which wins), applied after the file.

Names are upper-case with `-` turned into `_`. List elements go by index (`KAPACITOR_SLACK_0_URL`; the index
one past the end appends an element), map entries by key (`KAPACITOR_HTTPPOST_0_HEADERS_Authorization`),
object sub-fields by name (`KAPACITOR_HTTPPOST_0_BASIC_AUTH_USERNAME`), the top level without a section
(`KAPACITOR_HOSTNAME`). Empty variables are ignored, as in Kapacitor.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tocsin.config.convert import ConversionError, from_env
from tocsin.config.schema import Field, FieldType, Section
from tocsin.errors import ConfigError

# Later prefixes win.
PREFIXES = ("KAPACITOR_", "TOCSIN_")


def env_name(*parts: str) -> str:
    """The variable name (without prefix) for a path of section, index, option names."""
    return "_".join(p.upper().replace("-", "_") for p in parts if p)


class _Env:
    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ

    def get(self, name: str) -> tuple[str, str] | None:
        found = None
        for prefix in PREFIXES:
            value = self.environ.get(prefix + name, "")
            if value:
                found = (prefix + name, value)
        return found

    def with_prefix(self, name: str) -> dict[str, tuple[str, str]]:
        """Map entries: key -> (variable, value) for every variable named `<name>_<key>`."""
        found: dict[str, tuple[str, str]] = {}
        for prefix in PREFIXES:
            start = prefix + name + "_"
            for var, value in self.environ.items():
                if var.startswith(start) and len(var) > len(start) and value:
                    found[var[len(start) :]] = (var, value)
        return found


def apply_env(
    values: dict[str, list[dict[str, Any]]], sections: Mapping[str, Section], environ: Mapping[str, str]
) -> None:
    """Apply the variables in `environ` to `values` (section name -> elements), in place."""
    env = _Env(environ)
    for name, section in sections.items():
        elements = values.setdefault(name, section.initial_elements())
        if not section.is_list:
            _apply_element(env, section, elements[0], env_name(name))
            continue
        index = 0
        while True:
            prefix = env_name(name, str(index))
            if index < len(elements):
                _apply_element(env, section, elements[index], prefix)
            else:
                fresh = section.defaults()
                if not _apply_element(env, section, fresh, prefix):
                    break
                elements.append(fresh)
            index += 1


def _apply_element(env: _Env, section: Section, element: dict[str, Any], prefix: str) -> bool:
    changed = False
    for field in section.fields:
        name = env_name(prefix, field.name)
        if field.type is FieldType.STRING_MAP:
            entries = env.with_prefix(name)
            if entries:
                element[field.name] = {**element[field.name], **{k: v for k, (_, v) in entries.items()}}
                changed = True
        elif field.type in (FieldType.LIST_MAP, FieldType.INT_MAP):
            # KAPACITOR_INFLUXDB_0_SUBSCRIPTIONS_telegraf=autogen,weekly; KAPACITOR_DELIVERY_KIND_MAX_ATTEMPTS_sensu=3
            entries = env.with_prefix(name)
            if entries:
                item = Field(field.name, FieldType.STRING_LIST if field.type is FieldType.LIST_MAP else FieldType.INT)
                lists = {k: _convert(section, item, found, None) for k, found in entries.items()}
                element[field.name] = {**element[field.name], **lists}
                changed = True
        elif field.type is FieldType.OBJECT:
            changed = _apply_object(env, section, field, element, name) or changed
        else:
            found = env.get(name)
            if found is not None:
                element[field.name] = _convert(section, field, found, element[field.name])
                changed = True
    return changed


def _apply_object(env: _Env, section: Section, field: Field, element: dict[str, Any], name: str) -> bool:
    current = dict(element[field.name] or {})
    changed = False
    for sub in field.fields:
        found = env.get(env_name(name, sub.name))
        if found is not None:
            current[sub.name] = _convert(section, sub, found, current.get(sub.name), parent=field.name)
            changed = True
    if changed:
        element[field.name] = current
    return changed


def _convert(section: Section, field: Field, found: tuple[str, str], current: Any, parent: str = "") -> Any:
    var, text = found
    try:
        return from_env(field, text, current)
    except ConversionError as err:
        where = f"[{section.name}] " if section.name else ""
        key = f"{parent}.{field.name}" if parent else field.name
        raise ConfigError(f"environment {var}: {where}{key}: {err}") from None

"""The documents of `GET /kapacitor/v1/config[/<section>[/<element>]]`, and redaction of secrets in text.

Dicts are built in the order Go's encoder writes them: struct fields in declaration order, map keys sorted.
Secrets appear as booleans (true: a non-empty value is set) and are listed in `redacted` (null when none).
"""

from __future__ import annotations

from typing import Any

from tocsin.config.effective import Config
from tocsin.config.errors import NO_SECTION, NOT_ENABLED, UNKNOWN_ELEMENT, UNKNOWN_SECTION, UpdateError
from tocsin.config.paths import BASE_PATH, parse_config_path
from tocsin.config.schema import Field, FieldType, Section
from tocsin.gocompat.duration import format_duration
from tocsin.gocompat.json import sorted_map

# Shorter secrets would blank out ordinary words in log lines.
MIN_SECRET_LENGTH = 4
REDACTED = "***"


def _link(href: str) -> dict[str, str]:
    return {"rel": "self", "href": href}


def _check_enabled(cfg: Config) -> None:
    if not cfg.overrides_enabled:
        raise UpdateError(403, NOT_ENABLED)


def _exposed(cfg: Config, name: str) -> Section | None:
    section = cfg.sections.get(name)
    if section is None or not section.name or not section.overridable or not cfg.section(name):
        return None
    return section


def get_document(cfg: Config, path: str) -> dict[str, Any]:
    """The answer to `GET <path>` for any path under /kapacitor/v1/config, routed as Kapacitor routes it."""
    where = parse_config_path(path)
    if not where.has_section:
        return config_document(cfg)
    if where.has_element and where.section:
        return element_document(cfg, where.section, where.element)
    return section_document(cfg, where.section)


def config_document(cfg: Config) -> dict[str, Any]:
    """`GET /kapacitor/v1/config`: every overridable section with at least one element."""
    _check_enabled(cfg)
    sections = {}
    for name in sorted(cfg.sections):
        section = _exposed(cfg, name)
        if section is not None:
            sections[name] = _section(cfg, section)
    return {"link": _link(BASE_PATH), "sections": sections}


def section_document(cfg: Config, name: str) -> dict[str, Any]:
    """`GET /kapacitor/v1/config/<name>`; 400 for an empty name, 404 for an unknown section."""
    _check_enabled(cfg)
    if not name:
        raise UpdateError(400, NO_SECTION)
    section = _exposed(cfg, name)
    if section is None:
        raise UpdateError(404, UNKNOWN_SECTION.format(section=name))
    return _section(cfg, section)


def element_document(cfg: Config, name: str, element: str) -> dict[str, Any]:
    """`GET /kapacitor/v1/config/<name>/<element>` ("" for `/config/<name>/`); 404 when there is none."""
    document = section_document(cfg, name)
    section = cfg.sections[name]
    for entry in document["elements"]:
        if section.element_key is None and element == "":
            return dict(entry)
        if section.element_key is not None and entry["options"][section.element_key] == element:
            return dict(entry)
    raise UpdateError(404, UNKNOWN_ELEMENT.format(section=name, element=element))


def _section(cfg: Config, section: Section) -> dict[str, Any]:
    key = section.element_key
    elements = sorted(cfg.section(section.name), key=lambda e: e[key] if key else "")
    return {
        "link": _link(f"{BASE_PATH}/{section.name}"),
        "elements": [_element(section, e) for e in elements],
    }


def _element(section: Section, values: dict[str, Any]) -> dict[str, Any]:
    element_id = values[section.element_key] if section.element_key else ""
    href = f"{BASE_PATH}/{section.name}/{element_id}"
    options: dict[str, Any] = {}
    redacted: list[str] = []
    for option in section.fields:
        if option.secret:
            options[option.name] = _is_set(values[option.name])
            redacted.append(option.name)
        else:
            options[option.name] = api_value(option, values[option.name])
    return {"link": _link(href), "options": sorted_map(options), "redacted": redacted or None}


def _is_set(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_is_set(v) for v in value.values())
    return bool(value)


def api_value(option: Field, value: Any) -> Any:
    """A value as the config API shows it: durations as Go text, empty lists and maps as null (Go nil)."""
    kind = option.type
    if kind is FieldType.DURATION:
        return format_duration(int(value))
    if kind is FieldType.STRING_LIST:
        return list(value) if value else None
    if kind is FieldType.STRING_MAP:
        return sorted_map(dict(value)) if value else None
    if kind is FieldType.LIST_MAP:
        return {k: list(value[k]) for k in sorted(value)} if value else None
    if kind is FieldType.INT_MAP:
        return sorted_map(dict(value)) if value else None
    if kind is FieldType.OBJECT:
        subfields = {f.name: f for f in option.fields}
        return {f.name: api_value(f, value.get(f.name, f.zero())) for f in subfields.values()}
    return value


def secret_values(cfg: Config) -> list[str]:
    """Every configured secret text of at least MIN_SECRET_LENGTH characters, longest first.

    A field left at its documented default is no secret (snmptrap's community `kapacitor`): hiding it would
    mangle every log line that names `/kapacitor/v1`. Computed once per effective configuration.
    """
    if cfg.secret_texts is not None:
        return cfg.secret_texts
    found: set[str] = set()
    for name, section in cfg.sections.items():
        secrets = [f for f in section.fields if f.secret]
        for element in cfg.section(name) if secrets else ():
            for option in secrets:
                value = element[option.name]
                if option.default is None or value != option.default:
                    _collect(value, found)
    result = sorted((s for s in found if len(s) >= MIN_SECRET_LENGTH), key=lambda s: (-len(s), s))
    cfg.secret_texts = result
    return result


def _collect(value: Any, found: set[str]) -> None:
    if isinstance(value, str):
        found.add(value)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, found)
    elif isinstance(value, list):
        for item in value:
            _collect(item, found)


def redact(cfg: Config, text: str) -> str:
    """`text` with every configured secret value replaced by `***` (for logs and error messages)."""
    for secret in secret_values(cfg):
        text = text.replace(secret, REDACTED)
    return text

"""The default configuration as commented TOML (`tocsin config`, like `kapacitord config`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tocsin.config.registry import resolve
from tocsin.config.schema import Field, FieldType, Section
from tocsin.gocompat.duration import format_duration

_BARE_KEY = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def default_config_toml(sections: Mapping[str, Section] | None = None) -> str:
    """Every section at its defaults, each option preceded by its help as a `#` comment."""
    secs = resolve(sections)
    blocks: list[str] = []
    top = secs.get("")
    if top is not None:
        blocks.append(_body(top, top.initial_elements()[0], indent=""))
    for name, section in secs.items():
        if not name:
            continue
        head = [f"# {line}" for line in section.help.splitlines()]
        elements = section.initial_elements()
        if not section.is_list:
            blocks.append("\n".join([*head, f"[{toml_key(name)}]", _body(section, elements[0])]))
        elif elements:
            blocks.extend("\n".join([*head, f"[[{toml_key(name)}]]", _body(section, e)]) for e in elements)
        else:
            # No element by default: show one, commented out, as a template.
            example = _body(section, section.defaults()).splitlines()
            blocks.append("\n".join([*head, f"# [[{toml_key(name)}]]", *(f"#{line}" for line in example)]))
    return "\n\n".join(blocks) + "\n"


def _body(section: Section, element: Mapping[str, Any], indent: str = "  ") -> str:
    lines: list[str] = []
    for option in section.fields:
        lines.extend(f"{indent}# {text}" for text in option.help.splitlines())
        lines.append(f"{indent}{toml_key(option.name)} = {toml_value(option, element[option.name])}")
    return "\n".join(lines)


def toml_key(name: str) -> str:
    """A bare key when possible, else a quoted one."""
    return name if name and set(name) <= _BARE_KEY else toml_string(name)


def toml_string(text: str) -> str:
    """A TOML basic string."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def toml_value(option: Field, value: Any) -> str:
    """`value` of `option` as TOML; durations as Go duration strings."""
    kind = option.type
    if kind is FieldType.DURATION:
        return toml_string(format_duration(int(value)))
    if kind is FieldType.BOOL:
        return "true" if value else "false"
    if kind is FieldType.INT:
        return str(int(value))
    if kind is FieldType.FLOAT:
        return repr(float(value))
    if kind is FieldType.STRING or (kind is FieldType.ANY and isinstance(value, str)):
        return toml_string(str(value))
    if kind is FieldType.ANY:
        return "true" if value is True else "false" if value is False else repr(value)
    if kind is FieldType.STRING_LIST:
        return "[" + ", ".join(toml_string(str(v)) for v in value) + "]"
    if kind is FieldType.STRING_MAP:
        return _inline_table((toml_key(str(k)), toml_string(str(v))) for k, v in value.items())
    if kind is FieldType.INT_MAP:
        return _inline_table((toml_key(str(k)), str(int(v))) for k, v in value.items())
    if kind is FieldType.LIST_MAP:
        item = Field(option.name, FieldType.STRING_LIST)
        return _inline_table((toml_key(str(k)), toml_value(item, v)) for k, v in value.items())
    subfields = {f.name: f for f in option.fields}
    return _inline_table((toml_key(k), toml_value(subfields[k], v)) for k, v in value.items() if k in subfields)


def _inline_table(pairs: Any) -> str:
    items = [f"{k} = {v}" for k, v in pairs]
    return "{ " + ", ".join(items) + " }" if items else "{}"

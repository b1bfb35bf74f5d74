"""Declarative config-section schemas.

A section is declared once, as data, next to the code that uses it (each handler kind declares its own).
The same declaration drives TOML loading, `KAPACITOR_*` env overrides, the `/kapacitor/v1/config` API,
redaction of secrets, validation and the generated documentation.

Values inside Tocsin are plain Python: str, int, float, bool, durations as int nanoseconds, lists of str,
dicts of str to str, and for OBJECT fields (httppost `basic-auth`) a dict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class FieldType(StrEnum):
    STRING = "string"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    DURATION = "duration"  # int ns inside; Go duration text ("30s") in TOML and the config API
    STRING_LIST = "string-list"
    STRING_MAP = "string-map"
    INT_MAP = "int-map"  # map of integers ([delivery] kind-max-attempts: { sensu = 3 })
    LIST_MAP = "list-map"  # map of string lists ([[influxdb]] subscriptions: { telegraf = ["autogen"] })
    OBJECT = "object"  # a TOML table with the sub-fields in `Field.fields`
    ANY = "any"  # a scalar kept as written: string, number or bool (zenoss severity-map values)


@dataclass(frozen=True, slots=True)
class Field:
    """One option of a config section, named as in kapacitor.conf (`icon-emoji`, `state-changes-only`)."""

    name: str
    type: FieldType
    default: Any = None  # None means the zero value of the type
    secret: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()
    fields: tuple[Field, ...] = ()  # sub-fields of an OBJECT
    example: Any = None
    # A path of a file the server reads: set over the config API only inside [config-override] allowed-file-dirs.
    server_file: bool = False
    # Why Tocsin accepts this Kapacitor option and acts on nothing it says ("" for every option it uses): a
    # value other than the default is named in a warning at start (tocsin.config.unused), and the contract test
    # tests/config/test_fields_are_read.py holds every other option to being read.
    ignored: str = ""

    def zero(self) -> Any:
        if self.default is not None:
            return _copy(self.default)
        return _ZERO[self.type]()


_ZERO: dict[FieldType, Callable[[], Any]] = {
    FieldType.STRING: str,
    FieldType.INT: int,
    FieldType.FLOAT: float,
    FieldType.BOOL: bool,
    FieldType.DURATION: int,
    FieldType.STRING_LIST: list,
    FieldType.STRING_MAP: dict,
    FieldType.LIST_MAP: dict,
    FieldType.INT_MAP: dict,
    FieldType.OBJECT: dict,
    FieldType.ANY: lambda: None,
}


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


# A rule spanning several fields. It gets one element's values and returns Kapacitor's message for the
# first problem (e.g. "must specify url"), or None when the element is valid.
Validator = Callable[[Mapping[str, Any]], str | None]
ListValidator = Callable[[list[dict[str, Any]]], str | None]


@dataclass(frozen=True, slots=True)
class Section:
    """A kapacitor.conf section (`[smtp]`) or list section (`[[slack]]`).

    `element_key` names the option that identifies an element of a list section (slack: `workspace`).
    `single_table_ok` lets a list section also be written as a single `[slack]` table.
    `default_elements` are the elements a fresh config has (httppost: one `example` endpoint); a list section
    whose TOML has entries replaces them.
    """

    name: str
    fields: tuple[Field, ...]
    help: str = ""
    element_key: str | None = None
    single_table_ok: bool = False
    default_elements: tuple[Mapping[str, Any], ...] = ()
    validate: Validator | None = None
    # A rule across a list section's elements (one default among the enabled [[influxdb]] clusters).
    validate_all: ListValidator | None = None
    overridable: bool = True  # False for core sections: the config API treats them as unknown
    field_map: Mapping[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "field_map", {f.name: f for f in self.fields})

    @property
    def is_list(self) -> bool:
        return self.element_key is not None

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.secret)

    def defaults(self) -> dict[str, Any]:
        """One element with every field at its default."""
        return {f.name: f.zero() for f in self.fields}

    def initial_elements(self) -> list[dict[str, Any]]:
        """The elements of a fresh configuration (before the file and env are applied)."""
        if not self.is_list:
            return [self.defaults()]
        return [{**self.defaults(), **dict(e)} for e in self.default_elements]

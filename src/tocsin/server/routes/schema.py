"""The schemas the web page builds its forms from: GET /tocsin/v1/schema (read-only, no values, no secrets)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tocsin.config.schema import Field, FieldType, Section
from tocsin.config.view import api_value
from tocsin.gocompat.duration import format_duration
from tocsin.handlers.base import HandlerKind, Option, OptionType
from tocsin.handlers.registry import all_kinds
from tocsin.server.keys import ENGINE
from tocsin.server.responses import link, pretty

PATH = "/tocsin/v1/schema"
# The service-test option that picks a list element, where it is not named like the element key.
_TEST_ELEMENT_OPTION = {"kafka": "cluster", "mqtt": "broker-name", "influxdb": "cluster"}


def field_json(f: Field) -> dict[str, Any]:
    """One config field; a secret's default is never shown."""
    return {
        "name": f.name,
        "type": str(f.type),
        "default": None if f.secret else _plain(api_value(f, f.zero())),
        "secret": f.secret,
        "help": f.help,
        "choices": list(f.choices),
        "fields": [field_json(sub) for sub in f.fields] if f.type is FieldType.OBJECT else [],
    }


def section_json(
    section: Section, kinds: list[HandlerKind], extra_tests: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """One config section with the kinds configured by it and how its service test picks an element
    (`extra_tests`: the tests of sections that are no kind, [[influxdb]]'s)."""
    owners = [k for k in kinds if k.config is not None and k.config.name == section.name]
    tests = sorted({t.name for k in owners for t in k.service_tests} | (extra_tests & {section.name}))
    test = None
    if section.name in tests:
        option = _TEST_ELEMENT_OPTION.get(section.name, section.element_key)
        test = {"name": section.name, "elementOption": option if section.is_list else None}
    return {
        "name": section.name,
        "list": section.is_list,
        "elementKey": section.element_key,
        "help": section.help,
        "overridable": section.overridable,
        "kinds": [k.name for k in owners],
        "serviceTest": test,
        "fields": [field_json(f) for f in section.fields],
    }


def option_json(option: Option) -> dict[str, Any]:
    """One handler option with its TICKscript property name."""
    default = option.default
    if option.type is OptionType.DURATION and isinstance(default, int) and not isinstance(default, bool):
        default = format_duration(default)
    return {
        "name": option.name,
        "type": str(option.type),
        "default": None if option.secret else _plain(default),
        "secret": option.secret,
        "help": option.help,
        "choices": list(option.choices),
        "tick": option.tick,
    }


def kind_json(kind: HandlerKind) -> dict[str, Any]:
    """One handler kind: its options, its config section and its service tests."""
    return {
        "name": kind.name,
        "help": kind.help,
        "config": kind.config.name if kind.config is not None else None,
        "external": kind.external,
        "serviceTests": [t.name for t in kind.service_tests],
        "options": [option_json(o) for o in kind.options],
    }


def schema_document(sections: dict[str, Section], extra_tests: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Every config section (sorted by name) and every handler kind."""
    kinds = all_kinds()
    return {
        "link": link(PATH),
        "sections": [
            section_json(sections[name], kinds, extra_tests) for name in sorted(sections) if sections[name].name
        ],
        "kinds": [kind_json(k) for k in kinds],
    }


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


async def get_schema(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    return pretty(schema_document(dict(engine.config.sections), frozenset(engine.extra_service_tests)))


def add(router: web.UrlDispatcher) -> None:
    router.add_get(PATH, get_schema)

"""Handler options decoded as Kapacitor decodes them (mapstructure), then checked across options.

Kapacitor decodes a handler's `options` into a Go struct with `ErrorUnused` and no weak typing: unknown keys
are errors, keys match exactly and then case-insensitively, JSON floats truncate into integer fields and
`null` leaves the default. Tocsin also accepts Go duration text (`"10s"`) where Kapacitor wants nanoseconds.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from tocsin.config.schema import Section
from tocsin.errors import ConfigError
from tocsin.extras import missing
from tocsin.gocompat.duration import parse_duration
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType

DECODE_PREFIX = "failed to decode options into {go_type}: "
ERRORS_HEADER = "{count} error(s) decoding:\n\n"
INVALID_KEYS = "'{name}' has invalid keys: {keys}"
UNCONVERTIBLE = "'{name}' expected type '{want}', got unconvertible type '{got}', value: '{value}'"
NOT_A_LIST = "'{name}': source data must be an array or slice, got {kind}"
NOT_A_MAP = "'{name}' expected a map, got '{kind}'"
OVERFLOWS_UINT = "cannot parse '{name}', {value} overflows uint"

_GO_TYPES: dict[OptionType, str] = {
    OptionType.STRING: "string",
    OptionType.INT: "int",
    OptionType.FLOAT: "float64",
    OptionType.BOOL: "bool",
    OptionType.DURATION: "time.Duration",
}
_UNSIGNED = frozenset({"uint", "uint8", "uint16", "uint32", "uint64", "fs.FileMode"})
_ZERO: dict[OptionType, Callable[[], Any]] = {
    OptionType.STRING: str,
    OptionType.INT: int,
    OptionType.FLOAT: float,
    OptionType.BOOL: bool,
    OptionType.DURATION: int,
    OptionType.STRING_LIST: list,
    OptionType.STRING_MAP: dict,
    OptionType.MAP: dict,
    OptionType.OBJECT_LIST: list,
    OptionType.ANY: lambda: None,
}


class OptionsError(ConfigError):
    """Handler options that Kapacitor would refuse; the message is Kapacitor's text."""


def go_config_type(kind: HandlerKind) -> str:
    """The Go type Kapacitor names when the options of `kind` do not decode."""
    return kind.go_config_type or f"*{kind.name}.HandlerConfig"


def tick_properties(kind: HandlerKind) -> dict[str, Option]:
    """TICKscript property -> the option it sets (the first one, when a property sets several)."""
    props: dict[str, Option] = {}
    for opt in kind.options:
        if opt.tick:
            props.setdefault(opt.tick, opt)
    return props


def default_value(opt: Option) -> Any:
    """A fresh copy of the option's default, or the zero value of its type."""
    if opt.default is not None:
        return copy.deepcopy(opt.default)
    return _ZERO[opt.type]()


def normalize(kind: HandlerKind, raw: Mapping[str, Any] | None, config: ConfigView | None = None) -> dict[str, Any]:
    """Decode `raw` options for `kind`: every option present, typed, defaulted; then run `kind.validate`.

    `config` is the effective configuration; without it, the kind's own section at its defaults is used.
    Raises OptionsError with Kapacitor's text.
    """
    if kind.package_extra:
        problem = missing(kind.package_extra, f"the {kind.name} handler")
        if problem:
            raise OptionsError(problem)
    if kind.ignores_options:
        return {}
    prefix = DECODE_PREFIX.format(go_type=go_config_type(kind))
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise OptionsError(prefix + NOT_A_MAP.format(name="", kind=go_kind(raw)))
    options, errors = _decode(kind, raw)
    if errors:
        points = sorted(f"* {e}" for e in errors)
        raise OptionsError(prefix + ERRORS_HEADER.format(count=len(errors)) + "\n".join(points))
    if kind.validate is not None:
        problem = kind.validate(options, config if config is not None else SectionDefaults(kind.config))
        if problem:
            raise OptionsError(problem)
    return options


def _decode(kind: HandlerKind, raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    keys = {str(k): k for k in raw}
    used: set[str] = set()
    options: dict[str, Any] = {}
    errors: list[str] = []
    for opt in kind.options:
        key = _match_key(opt.name, keys)
        value = None if key is None else raw[keys[key]]
        if key is not None:
            used.add(key)
        if value is None:
            options[opt.name] = default_value(opt)
            continue
        converted, problems = _convert(opt, opt.name, value)
        errors.extend(problems)
        options[opt.name] = converted if not problems else default_value(opt)
    unused = sorted(k for k in keys if k not in used)
    if unused:
        errors.append(INVALID_KEYS.format(name="", keys=", ".join(unused)))
    return options, errors


def _match_key(name: str, keys: Mapping[str, Any]) -> str | None:
    if name in keys:
        return name
    folded = name.casefold()
    return next((k for k in keys if k.casefold() == folded), None)


def _convert(opt: Option, name: str, value: Any) -> tuple[Any, list[str]]:
    kind = opt.type
    if kind in _GO_TYPES:
        return _scalar(kind, opt.go_type or _GO_TYPES[kind], name, value)
    if kind in (OptionType.STRING_LIST, OptionType.OBJECT_LIST):
        if not isinstance(value, (list, tuple)):
            return None, [NOT_A_LIST.format(name=name, kind=go_kind(value))]
        items: list[Any] = []
        errors: list[str] = []
        for i, item in enumerate(value):
            if kind is OptionType.STRING_LIST:
                got, problems = _scalar(OptionType.STRING, "string", f"{name}[{i}]", item)
            elif isinstance(item, Mapping):
                got, problems = dict(item), []
            else:
                got, problems = None, [NOT_A_MAP.format(name=f"{name}[{i}]", kind=go_kind(item))]
            items.append(got)
            errors.extend(problems)
        return items, errors
    if kind in (OptionType.STRING_MAP, OptionType.MAP):
        if not isinstance(value, Mapping):
            return None, [NOT_A_MAP.format(name=name, kind=go_kind(value))]
        if kind is OptionType.MAP:
            return {str(k): v for k, v in value.items()}, []
        out: dict[str, str] = {}
        errors = []
        for k, v in value.items():
            got, problems = _scalar(OptionType.STRING, "string", f"{name}[{k}]", "" if v is None else v)
            out[str(k)] = got
            errors.extend(problems)
        return out, errors
    return value, []


def _scalar(kind: OptionType, go_type: str, name: str, value: Any) -> tuple[Any, list[str]]:
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is OptionType.STRING and isinstance(value, str):
        return value, []
    if kind is OptionType.BOOL and isinstance(value, bool):
        return value, []
    if kind is OptionType.FLOAT and is_number:
        return float(value), []
    if kind is OptionType.DURATION and isinstance(value, str):
        try:
            return parse_duration(value), []
        except ValueError:
            pass  # reported below with Kapacitor's wording
    if kind in (OptionType.INT, OptionType.DURATION) and is_number and math.isfinite(value):
        if go_type in _UNSIGNED and value < 0:
            shown = f"{value:f}" if isinstance(value, float) else str(value)
            return None, [OVERFLOWS_UINT.format(name=name, value=shown)]
        return int(value), []
    return None, [UNCONVERTIBLE.format(name=name, want=go_type, got=go_type_of(value), value=go_v(value))]


def go_kind(value: Any) -> str:
    """`reflect.Kind` of the Go value that JSON `value` decodes to."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "slice"
    if isinstance(value, Mapping):
        return "map"
    return "invalid"


def go_type_of(value: Any) -> str:
    """`reflect.Type` of the Go value that JSON `value` decodes to."""
    return {"slice": "[]interface {}", "map": "map[string]interface {}"}.get(go_kind(value), go_kind(value))


def go_v(value: Any) -> str:
    """Go's `%v` of the value JSON `value` decodes to (float64 numbers, `[a b]` slices, `map[k:v]` maps)."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _go_float(float(value))
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(go_v(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "map[" + " ".join(f"{k}:{go_v(value[k])}" for k in sorted(value, key=str)) + "]"
    return str(value)


def _go_float(value: float) -> str:
    # fmt's %v of a float64 is strconv's shortest %g, which switches to exponent form below 1e-4 and from 1e6.
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1, value) < 0 else "0"
    sign, digit_tuple, exponent = Decimal(repr(value)).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    assert isinstance(exponent, int)
    point = len(digit_tuple) + exponent  # position of the decimal point relative to the digits
    exp10 = point - 1
    neg = "-" if sign else ""
    if exp10 < -4 or exp10 >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{neg}{mantissa}e{'-' if exp10 < 0 else '+'}{abs(exp10):02d}"
    if point <= 0:
        return f"{neg}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return neg + digits + "0" * (point - len(digits))
    return f"{neg}{digits[:point]}.{digits[point:]}"


class SectionDefaults:
    """A ConfigView holding one section at its defaults (for validating options without a configuration)."""

    def __init__(self, section: Section | None) -> None:
        self._section = section

    def section(self, name: str) -> list[dict[str, Any]]:
        if self._section is None or self._section.name != name:
            return []
        return self._section.initial_elements()

    def element(self, name: str, key: str | None = None) -> dict[str, Any] | None:
        elements = self.section(name)
        if self._section is None or not self._section.is_list:
            return elements[0] if elements else None
        if key:
            field = self._section.element_key or ""
            return next((e for e in elements if e.get(field) == key), None)
        marked = [e for e in elements if e.get("default")]
        if marked:
            return marked[0]
        return elements[0] if len(elements) == 1 else None

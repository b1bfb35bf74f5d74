"""`|sideload()`: set fields and tags from a directory of YAML and JSON files picked by the point's tags.

As in Kapacitor (sideload.go): `.source('file:///dir')` names the directory, read when the task starts
(tocsin.tasks.nodes.sideload_files) and again on `POST /kapacitor/v1/sideload/reload`. `.order(...)` holds Go
templates over the point's tags that give paths relative to the directory. For each `.field(key, default)` and
`.tag(key, default)` the files are searched in that order; the first file that has the key gives the value,
converted to the default's type. The default is used when no file has the key, when the value is null, or when it
does not convert (counted as an error). The key is always set, replacing a value the point already has.

Where Tocsin differs: only `file://` sources inside `[sideload] allowed-dirs`, and a reload that fails keeps the
files loaded before (Kapacitor keeps the part it had read).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any

from tocsin.expr.gostrconv import float_to_int64, format_float, parse_bool, parse_float, parse_int
from tocsin.gocompat.quoting import go_quote
from tocsin.gotemplate import StringMap, Template, TemplateError
from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, BatchPoint, FieldValue, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import NodeError
from tocsin.tasks.nodes.common import ProcessingNode, last_args, strings, with_fields, with_rows
from tocsin.tasks.nodes.sideload_files import Cache, Nested, SourceError, lookup, read_source, source_dir

ERR_RELOAD = "failed to update source {dir}: {error}"  # Kapacitor's (services/sideload/service.go)
ERR_CONVERT = "cannot convert value of type {got} to type {expected}"  # these four: Kapacitor's (sideload.go)
ERR_CONVERT_STRING = "cannot convert string to {expected}: {error}"
ERR_TEMPLATE = "failed to evaluate order template {order}: {error}"
ERR_LOAD_KEY = "failed to load key {key}: {error} (expected {expected}, got {got})"
ERR_DEFAULT = "{node}.{prop}: unsupported default value {value!r} for {key}"


def go_type(value: Any) -> str:
    """The Go type name (`%T`) of a default or of a value read from a file."""
    if isinstance(value, Nested):
        return value.go_type
    if value is None:
        return "<nil>"
    return {bool: "bool", int: "int64", float: "float64", str: "string"}.get(type(value), type(value).__name__)


def convert(value: Any, default: FieldValue) -> FieldValue:
    """A value read from a file as the type of `default` (Kapacitor's convertType); ValueError if it cannot be."""
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            return _from_string(parse_bool, value, "bool")
    elif isinstance(default, int):
        if isinstance(value, float) and float(float_to_int64(value)) == value:
            return float_to_int64(value)
        if isinstance(value, str):
            return _from_string(_atoi, value, "int64")
    elif isinstance(default, float):
        if isinstance(value, float):
            return value
        if isinstance(value, str):
            return _from_string(parse_float, value, "float64")
    elif isinstance(value, bool):
        return "true" if value else "false"
    elif isinstance(value, float):
        return format_float(value, "f")
    elif isinstance(value, str):
        return value
    raise ValueError(ERR_CONVERT.format(got=go_type(value), expected=go_type(default)))


def _from_string(parse: Callable[[str], FieldValue], text: str, expected: str) -> FieldValue:
    try:
        return parse(text)
    except ValueError as exc:
        raise ValueError(ERR_CONVERT_STRING.format(expected=expected, error=exc)) from None


def _atoi(text: str) -> int:
    try:
        return parse_int(text)
    except ValueError as exc:
        raise ValueError(str(exc).replace("strconv.ParseInt", "strconv.Atoi", 1)) from None


class SideloadNode(ProcessingNode):
    """Loads its source at task start; `reload_sources` swaps in a fresh read."""

    point_yields_points = True

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        self._order = [
            (text, Template.parse("order", text)) for text in strings(last_args(spec, "order"), f"{spec.name}.order")
        ]
        self._fields: dict[str, FieldValue] = {}
        for call in spec.properties.get("field", ()):
            key, value = call
            if not isinstance(value, (bool, int, float, str)):
                raise NodeError(ERR_DEFAULT.format(node=spec.name, prop="field", value=value, key=key))
            self._fields[key] = value
        self._tags: dict[str, str] = {key: value for key, value in spec.properties.get("tag", ())}
        source = spec.last("source", "")
        try:
            self.directory = source_dir(source if isinstance(source, str) else "")
            self.cache: Cache = read_source(self.directory, ctx.config)
        except SourceError as exc:
            raise NodeError(str(exc)) from None

    def point(self, point: Point) -> list[Item]:
        """The point with the loaded fields and tags."""
        fields, tags = self._load(point.fields, point.tags)
        if fields is point.fields and tags is point.tags:
            return [point]
        out = with_fields(point, fields)
        out.tags = tags
        return [out]

    def batch(self, batch: Batch) -> list[Item]:
        """The batch with the loaded fields and tags set on every row (the batch's own tags stay)."""
        rows = [BatchPoint(row.time, *self._load(row.fields, row.tags)) for row in batch.points]
        return [with_rows(batch, rows)]

    def _load(
        self, fields: dict[str, FieldValue], tags: dict[str, str]
    ) -> tuple[dict[str, FieldValue], dict[str, str]]:
        order = self._paths(tags)
        if order is None:
            return fields, tags
        if self._fields:
            fields = dict(fields)
            for key, default in self._fields.items():
                fields[key] = self._value(order, key, default)
        if self._tags:
            new_tags = dict(tags)
            for key, default_tag in self._tags.items():
                value = self._value(order, key, default_tag)
                new_tags[key] = value if isinstance(value, str) else default_tag
            tags = new_tags
        return fields, tags

    def _paths(self, tags: dict[str, str]) -> list[str] | None:
        data = StringMap(tags)
        paths = []
        for text, template in self._order:
            try:
                paths.append(template.execute(data))
            except TemplateError as exc:
                self.error(ERR_TEMPLATE.format(order=go_quote(text), error=exc))
                return None
        return paths

    def _value(self, order: list[str], key: str, default: FieldValue) -> FieldValue:
        value = lookup(self.cache, order, key)
        if value is None:
            return default
        try:
            return convert(value, default)
        except ValueError as exc:
            got = go_type(value)
            self.error(ERR_LOAD_KEY.format(key=go_quote(key), error=exc, expected=go_type(default), got=got))
            return default


async def reload_sources(nodes: Iterable[SideloadNode]) -> str | None:
    """Read every node's source again (each directory once, in a worker thread); the first failure's text.

    A directory that fails to read keeps its nodes' previous files."""
    by_dir: dict[str, list[SideloadNode]] = {}
    for node in nodes:
        by_dir.setdefault(node.directory, []).append(node)
    first: str | None = None
    for directory in sorted(by_dir):
        group = by_dir[directory]
        try:
            cache = await asyncio.to_thread(read_source, directory, group[0].ctx.config)
        except SourceError as exc:
            first = first or ERR_RELOAD.format(dir=go_quote(directory), error=exc)
            continue
        for node in group:
            node.cache = cache
    return first

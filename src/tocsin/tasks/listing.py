"""Query parameters of the task and template lists and gets: pattern, fields, formats, offset and limit."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from tocsin.expr.regex import GoRegex, compile_go_regex
from tocsin.gocompat.quoting import go_quote
from tocsin.tasks.errors import BAD_DOT_VIEW, BAD_LIMIT, BAD_OFFSET, BAD_SCRIPT_FORMAT, TaskApiError

T = TypeVar("T")

_INT64 = re.compile(r"[+-]?[0-9]+")
_MAX_INT64 = 2**63 - 1
DEFAULT_LIMIT = 100


def script_format(value: str) -> str:
    """`formatted` (the default) or `raw`."""
    if value in ("", "formatted"):
        return "formatted"
    if value == "raw":
        return value
    raise TaskApiError(BAD_SCRIPT_FORMAT.format(value=go_quote(value)))


def dot_view(value: str) -> str:
    """`attributes` (the default) or `labels`."""
    if value in ("", "attributes"):
        return "attributes"
    if value == "labels":
        return value
    raise TaskApiError(BAD_DOT_VIEW.format(value=go_quote(value)))


def parse_int64(text: str) -> int:
    """Go's strconv.ParseInt(text, 10, 64); ValueError with Go's message."""
    if not _INT64.fullmatch(text):
        raise ValueError(f"strconv.ParseInt: parsing {go_quote(text)}: invalid syntax")
    value = int(text)
    if not -_MAX_INT64 - 1 <= value <= _MAX_INT64:
        raise ValueError(f"strconv.ParseInt: parsing {go_quote(text)}: value out of range")
    return value


@dataclass(frozen=True, slots=True)
class Page:
    """Which part of a list to return."""

    pattern: str = ""
    offset: int = 0
    limit: int = DEFAULT_LIMIT


def page_of(query: Mapping[str, str]) -> Page:
    """Pattern, offset and limit from the query; errors with Kapacitor's texts."""
    offset, limit = 0, DEFAULT_LIMIT
    text = query.get("offset", "")
    if text:
        try:
            offset = parse_int64(text)
        except ValueError as exc:
            raise TaskApiError(BAD_OFFSET.format(value=go_quote(text), err=exc)) from None
    text = query.get("limit", "")
    if text:
        try:
            limit = parse_int64(text)
        except ValueError as exc:
            raise TaskApiError(BAD_LIMIT.format(value=go_quote(text), err=exc)) from None
    return Page(query.get("pattern", ""), offset, limit)


def glob_regex(pattern: str) -> GoRegex | None:
    """Go's path.Match pattern as a regex (RE2: `*a*a*a*b` cannot backtrack over a long ID); None for a malformed
    pattern (which matches nothing)."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "\\":
            if i + 1 >= n:
                return None
            i += 1
            out.append(_literal(pattern[i]))
        elif ch == "[":
            end = _class_end(pattern, i + 1)
            if end is None:
                return None
            body = pattern[i + 1 : end]
            negate = body.startswith("^")
            if negate:
                body = body[1:]
            if not body:
                return None
            items = _class_items(body)
            if items is None:
                return None
            out.append("[" + ("^" if negate else "") + items + "]")
            i = end
        else:
            out.append(_literal(ch))
        i += 1
    return compile_go_regex("(?s)" + "".join(out))


def _literal(char: str) -> str:
    return char if char.isalnum() or char == "_" else f"\\x{{{ord(char):x}}}"


def _class_end(pattern: str, start: int) -> int | None:
    i = start
    if pattern[i : i + 1] == "^":
        i += 1
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i] == "]" and i > start + (1 if pattern[start : start + 1] == "^" else 0):
            return i
        i += 1
    return None


def _class_items(body: str) -> str | None:
    parts: list[str] = []
    i = 0
    while i < len(body):
        taken = _class_char(body, i)
        if taken is None:
            return None
        low, i = taken
        if i + 1 < len(body) and body[i] == "-":
            taken = _class_char(body, i + 1)
            if taken is None or taken[0] < low:
                return None
            high, i = taken
            parts.append(f"{_literal(low)}-{_literal(high)}")
        else:
            parts.append(_literal(low))
    return "".join(parts)


def _class_char(body: str, i: int) -> tuple[str, int] | None:
    if body[i] == "\\":
        return (body[i + 1], i + 2) if i + 1 < len(body) else None
    return body[i], i + 1


def select(items: Sequence[T], key: Callable[[T], str], page: Page) -> list[T]:
    """Items sorted by `key`, matching the pattern, then offset, then limit (negative: no limit)."""
    ordered = sorted(items, key=key)
    if page.pattern:
        regex = glob_regex(page.pattern)
        if regex is None:
            return []
        ordered = [item for item in ordered if regex.fullmatch(key(item))]
    start = max(page.offset, 0)
    chosen = ordered[start:]
    if page.limit >= 0:
        chosen = chosen[: page.limit]
    return chosen

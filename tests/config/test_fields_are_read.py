"""No config field is accepted and ignored: every field of every section Tocsin declares is read somewhere.

A field is read when its name appears in the source as a string other than its own declaration (`Field("name",
...)`): an option lookup (`element["ssl-ca"]`, `config.get("http", "bind-address")`), a mapping of names, a check.
A field whose name appears only where it is declared configures nothing: it must say why in `Field.ignored`
(a Kapacitor option that a stock kapacitor.conf sets, named in a warning at start when set), and a field that says
so must really be unread, so the marks cannot go stale."""

from __future__ import annotations

import ast
from pathlib import Path

import tocsin
from tocsin.config.registry import all_sections
from tocsin.config.schema import Field, Section

SRC = Path(tocsin.__file__).parent


def _declared_names(node: ast.Call) -> set[int]:
    """Ids of the string nodes that are a Field declaration's own name."""
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    if name != "Field" or not node.args or not isinstance(node.args[0], ast.Constant):
        return set()
    return {id(node.args[0])}


def _read_strings() -> set[str]:
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text())
        skipped: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                skipped |= _declared_names(node)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped:
                found.add(node.value)
    return found


def _fields(section: Section) -> list[tuple[str, Field]]:
    out = []
    stack = [(section.name, f) for f in section.fields]
    while stack:
        where, field = stack.pop()
        out.append((f"[{where}] {field.name}", field))
        stack.extend((f"{where}.{field.name}", sub) for sub in field.fields)
    return out


def test_every_declared_field_is_read() -> None:
    read = _read_strings()
    unread = sorted(
        label
        for section in all_sections().values()
        for label, field in _fields(section)
        if field.name not in read and not field.ignored
    )
    assert unread == []


def test_the_fields_marked_ignored_are_unread() -> None:
    read = _read_strings()
    marked = [label for s in all_sections().values() for label, field in _fields(s) if field.ignored]
    assert len(marked) == 11
    assert [label for s in all_sections().values() for label, f in _fields(s) if f.ignored and f.name in read] == []

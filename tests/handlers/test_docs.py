"""The README's handler table is the schema's: regenerate it with `python -m tocsin.handlers.docs`."""

from __future__ import annotations

from pathlib import Path

from tocsin.handlers.docs import BEGIN, END, kinds_table
from tocsin.handlers.registry import HANDLERS

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_table_matches_the_schemas() -> None:
    text = README.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    assert text[start:end] == kinds_table(), "README is stale: run python -m tocsin.handlers.docs"


def test_table_lists_every_registered_kind() -> None:
    table = kinds_table()
    for name in HANDLERS:
        assert f"| `{name}` |" in table

"""A parsed template: `Template.parse(...)` once, `execute(data)` many times."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tocsin.gotemplate.builtins import BUILTINS, FuncSpec, callable_spec
from tocsin.gotemplate.escape import strip_html_comments
from tocsin.gotemplate.execute import execute
from tocsin.gotemplate.nodes import ListNode
from tocsin.gotemplate.parser import parse


def _check_name(name: str) -> None:
    if not name or name[0].isdigit() or not all(c == "_" or c.isalnum() for c in name):
        raise ValueError(f"function name {name!r} is not a valid identifier")


class Template:
    """A Go text/template (or, with html=True, a simplified html/template) ready to execute."""

    __slots__ = ("funcs", "html", "name", "text", "trees")

    def __init__(
        self, name: str, text: str, trees: dict[str, ListNode], funcs: dict[str, FuncSpec], html: bool
    ) -> None:
        self.name = name
        self.text = text
        self.trees = trees
        self.funcs = funcs
        self.html = html

    @classmethod
    def parse(
        cls,
        name: str,
        text: str,
        *,
        funcs: Mapping[str, Callable[..., Any]] | None = None,
        html: bool = False,
    ) -> Template:
        """Parse `text`; `funcs` adds functions as Go's Template.Funcs does. Raises TemplateError."""
        specs: dict[str, FuncSpec] = {}
        for fname, fn in (funcs or {}).items():
            _check_name(fname)
            if not callable(fn):
                raise ValueError(f"value for {fname} not a function")
            specs[fname] = callable_spec(fn)
        trees = parse(name, text, BUILTINS.keys() | specs.keys())
        if html:
            for root in trees.values():
                strip_html_comments(root)
        return cls(name, text, trees, specs, html)

    def execute(self, data: Any) -> str:
        """Render the template with `data` as dot. Raises TemplateError with Go's message."""
        return execute(self.name, self.text, self.trees, self.funcs, self.html, data)

    def execute_partial(self, data: Any) -> str:
        """Render with `data` as dot, ignoring an execution error as Kapacitor does where it drops Execute's
        error: the output written before the failing action."""
        return execute(self.name, self.text, self.trees, self.funcs, self.html, data, partial=True)

    def __repr__(self) -> str:
        return f"Template({self.name!r}, html={self.html})"

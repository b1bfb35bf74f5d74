"""Helpers for pipeline tests: compile a script and flatten NodeSpecs into comparable data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tocsin.expr import ast as expr_ast
from tocsin.expr.values import Duration
from tocsin.pipeline.compile import compile_program
from tocsin.pipeline.exprtext import expression_text
from tocsin.pipeline.spec import NodeSpec, Pipeline
from tocsin.pipeline.vars import TaskVar
from tocsin.tick.parser import parse_program


def plain(value: Any) -> Any:
    """Lambdas as their text, durations as `Duration`, regexes as their pattern."""
    if isinstance(value, expr_ast.LambdaNode):
        return f"lambda: {expression_text(value)}"
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if hasattr(value, "pattern") and not isinstance(value, Duration):
        return f"/{value.pattern}/"
    return value


def flat(node: NodeSpec) -> dict[str, Any]:
    """A NodeSpec as a dict of plain values."""
    return {
        "name": node.name,
        "args": plain(node.args),
        "properties": {k: plain(v) for k, v in node.properties.items()},
        "parents": node.parents,
        "children": node.children,
        "handlers": [(h.kind, h.method, h.options) for h in node.handlers],
        "edges": (node.wants.value, node.provides.value),
    }


def build(script: str, task_vars: Mapping[str, TaskVar] | None = None, config: Any = None) -> Pipeline:
    """Parse and compile."""
    return compile_program(parse_program(script), task_vars, config)


def nodes(script: str, **kwargs: Any) -> list[dict[str, Any]]:
    """The flattened nodes of a compiled script."""
    return [flat(n) for n in build(script, **kwargs).nodes]


class FakeConfig:
    """A ConfigView over literal sections."""

    def __init__(self, sections: Mapping[str, dict[str, Any]]) -> None:
        self.sections = sections

    def section(self, name: str) -> list[dict[str, Any]]:
        return [self.sections[name]] if name in self.sections else []

    def element(self, name: str, key: str | None = None) -> dict[str, Any] | None:
        return self.sections.get(name)

"""Facts read straight from a parsed program: its task type and its implicit dbrps."""

from __future__ import annotations

from tocsin.pipeline.errors import ERR_INVALID_TASK_TYPE, TickCompileError
from tocsin.pipeline.spec import EdgeType
from tocsin.tick.ast import Chain, Dbrp, ExpressionStatement, Program, VarDecl


def script_type(program: Program) -> EdgeType:
    """`stream` or `batch`, from the roots of top-level chains; neither or both is an error."""
    roots: set[str] = set()
    for statement in program.statements:
        value = statement.value if isinstance(statement, VarDecl) else None
        if isinstance(statement, ExpressionStatement):
            value = statement.expression
        if isinstance(value, Chain) and value.head.name in ("stream", "batch"):
            roots.add(value.head.name)
    if len(roots) != 1:
        raise TickCompileError(ERR_INVALID_TASK_TYPE)
    return EdgeType(roots.pop())


def implicit_dbrps(program: Program) -> list[tuple[str, str]]:
    """The `dbrp "db"."rp"` statements, in order, without repeats."""
    found: list[tuple[str, str]] = []
    for statement in program.statements:
        if isinstance(statement, Dbrp) and (statement.database, statement.retention_policy) not in found:
            found.append((statement.database, statement.retention_policy))
    return found

"""The TICKscript steps of the tasks API: parse, type, implicit dbrps, vars, compile and format.

Each step raises TaskApiError with the text Kapacitor answers with at that step.
"""

from __future__ import annotations

from typing import Any

from tocsin.errors import ParseError
from tocsin.expr.ast import LambdaNode
from tocsin.expr.errors import CompileError
from tocsin.expr.evaluate import ERR_TOO_COMPLEX, compile_expression
from tocsin.extras import missing
from tocsin.gotemplate import Template, TemplateError, kapacitor_funcs
from tocsin.handlers.base import ConfigView
from tocsin.handlers.options import normalize
from tocsin.handlers.registry import get_kind
from tocsin.pipeline.compile import compile_program, declared_vars, implicit_dbrps, script_type
from tocsin.pipeline.errors import TickCompileError
from tocsin.pipeline.spec import NodeSpec, Pipeline
from tocsin.pipeline.vars import vars_from_json, vars_to_json
from tocsin.tasks.errors import INVALID_SCRIPT, INVALID_TYPE, TaskApiError
from tocsin.tasks.records import Dbrp
from tocsin.tick.ast import Program
from tocsin.tick.format import format_script
from tocsin.tick.parser import parse_program

# Nodes pass items to their children by recursion (and the DOT walk recurses too): a chain this long stays far
# below Python's recursion limit. Kapacitor has no such limit; real tasks have tens of nodes.
MAX_PIPELINE_DEPTH = 250
ERR_TOO_DEEP = "pipeline too deep: {depth} nodes in one chain, the limit is {limit}"


def parse(script: str) -> Program:
    """The program; 400 `invalid TICKscript: <err>`."""
    try:
        return parse_program(script)
    except ParseError as exc:
        raise TaskApiError(INVALID_SCRIPT.format(err=exc)) from None


def task_type(program: Program) -> str:
    """`stream` or `batch` from the script's roots; 400 `invalid task type: invalid`."""
    try:
        return script_type(program).value
    except TickCompileError:
        raise TaskApiError(INVALID_TYPE) from None


def implicit(program: Program) -> list[Dbrp]:
    """The `dbrp "db"."rp"` statements."""
    return [(db, rp) for db, rp in implicit_dbrps(program)]


def normalize_vars(raw: Any) -> dict[str, Any]:
    """Task vars from a request, in the JSON form the API returns (durations as ns); 400 on a bad var."""
    if raw is None:
        return {}
    try:
        return dict(vars_to_json(vars_from_json(raw)))
    except ValueError as exc:
        raise TaskApiError(str(exc)) from None


def check_pipeline(pipeline: Pipeline) -> Pipeline:
    """The pipeline; TaskApiError when it could only fail once started: a chain deeper than
    MAX_PIPELINE_DEPTH nodes, a lambda over the complexity limit, an alert template that does not parse."""
    depth: dict[int, int] = {}
    for node in sorted(pipeline.nodes, key=lambda n: n.id):  # a child is always created after its parents
        depth[node.id] = 1 + max((depth.get(p, 0) for p in node.parents), default=0)
    deepest = max(depth.values(), default=0)
    if deepest > MAX_PIPELINE_DEPTH:
        raise TaskApiError(ERR_TOO_DEEP.format(depth=deepest, limit=MAX_PIPELINE_DEPTH))
    for node in pipeline.nodes:
        _check_lambdas(node.name, [*node.args, *(a for calls in node.properties.values() for c in calls for a in c)])
        if node.desc == "alert":
            _check_alert_templates(node)
    return pipeline


def _check_alert_templates(node: NodeSpec) -> None:
    # Kapacitor parses these when the node starts (a 500 on enable, or a failed template reload); a bad
    # template is bad input, so it is refused with the script.
    for prop in ("id", "message", "details"):
        text = node.last(prop)
        if not isinstance(text, str):
            continue
        details = prop == "details"
        try:
            Template.parse(prop, text, funcs=kapacitor_funcs() if details else None, html=details)
        except TemplateError as exc:
            raise TaskApiError(f"{node.name}: {exc}") from None


def _check_lambdas(node_name: str, values: list[Any]) -> None:
    # Tocsin's own limit on lambda complexity would otherwise surface only when the task starts (a 500).
    for value in values:
        if not isinstance(value, LambdaNode):
            continue
        try:
            compile_expression(value.expression)
        except CompileError as exc:
            if str(exc).startswith(ERR_TOO_COMPLEX):
                raise TaskApiError(f"{node_name}: {exc}") from None


POLICED_KINDS = frozenset({"exec", "log"})


def compile_with(program: Program, stored_vars: dict[str, Any], config: ConfigView | None) -> Pipeline:
    """The pipeline of a task; TaskApiError with the compiler's bare text (callers add a prefix)."""
    try:
        variables = vars_from_json(stored_vars) if stored_vars else None
        pipeline = compile_program(program, variables, config)
    except Exception as exc:  # compile and var errors are reported, never raised further
        raise TaskApiError(str(exc)) from None
    check_pipeline(pipeline)
    if config is not None:
        _check_policed_handlers(pipeline, config)
    return pipeline


def _check_policed_handlers(pipeline: Pipeline, config: ConfigView) -> None:
    """`.exec()` and `.log()` as the task would attach them: one the allow-lists refuse is refused with the
    script (400, nothing stored), not found when the task starts; so is a handler whose pip extra is missing.
    Other handler options fail at start, as in Kapacitor (a 500 on enable)."""
    for node in pipeline.nodes:
        for handler in node.handlers if node.desc == "alert" else ():
            problem = _missing_extra(handler.kind)
            if problem:
                raise TaskApiError(f"alert node {node.name}: .{handler.kind}(): {problem}")
            if handler.kind not in POLICED_KINDS:
                continue
            try:
                normalize(get_kind(handler.kind), dict(handler.options), config)
            except (LookupError, ValueError) as exc:
                raise TaskApiError(f"alert node {node.name}: .{handler.kind}(): {exc}") from None


def _missing_extra(kind: str) -> str | None:
    try:
        extra = get_kind(kind).package_extra
    except LookupError:
        return None
    return missing(extra, f"the {kind} handler") if extra else None


def compile_script(script: str, stored_vars: dict[str, Any], config: ConfigView | None) -> Pipeline:
    """Parse and compile; TaskApiError with the bare text of the first failure."""
    try:
        program = parse_program(script)
    except ParseError as exc:
        raise TaskApiError(str(exc)) from None
    return compile_with(program, stored_vars, config)


def validate(program: Program, stored_vars: dict[str, Any], config: ConfigView | None) -> Pipeline:
    """Compile for a create or update; 400 `invalid TICKscript: <err>`."""
    try:
        return compile_with(program, stored_vars, config)
    except TaskApiError as exc:
        raise TaskApiError(INVALID_SCRIPT.format(err=exc)) from None


def shown(script: str, fmt: str) -> str:
    """The script as the API shows it: formatted unless `raw`, and raw when formatting fails."""
    if fmt != "formatted":
        return script
    try:
        return format_script(script)
    except Exception:
        return script


def compile_template(program: Program) -> Pipeline:
    """A template compiled with its defaults; TaskApiError with the bare text."""
    try:
        pipeline = compile_program(program, ignore_missing=True)
    except Exception as exc:
        raise TaskApiError(str(exc)) from None
    return check_pipeline(pipeline)


def declared(program: Program) -> dict[str, Any]:
    """The template's declared vars as the API lists them: `{name: {value, type, description}}`."""
    return {
        name: {"value": var.value, "type": var.type, "description": var.description}
        for name, var in sorted(declared_vars(program).items())
    }

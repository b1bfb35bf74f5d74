"""Compile errors of TICKscript programs, with Kapacitor's texts (tick/eval.go, reflect panics)."""

from __future__ import annotations

from tocsin.errors import ParseError
from tocsin.expr.tokens import Position

# tick/eval.go
ERR_REDEFINE = "attempted to redefine {name}, vars are immutable"
ERR_INVALID_TYPE_SUPPLIED = "invalid type supplied for {name}, got {got} exp {exp}"
ERR_MISSING_VAR = 'missing value for var "{name}".'
ERR_INVALID_VAR_TYPE = 'invalid var type "{type}"'
ERR_UNDEFINED = 'undefined variable "{name}"'
ERR_NO_METHOD = 'no method or property "{name}" on {obj}'
ERR_CHAIN_IS_PROPERTY = (
    "no chaining method \"{name}\" on {obj}, but property does exist. Use '.' operator instead: 'node.{name}(..)'."
)
ERR_PROPERTY_IS_CHAIN = (
    'no property method "{name}" on {obj}, but chaining method does exist. '
    "Use '|' operator instead: 'node|{name}(..)'."
)
ERR_CALLING = 'error calling func "{name}" on obj {obj}: {reason}'
ERR_DOUBLE_QUOTES = (
    "cannot assign *ast.ReferenceNode to type string, did you use double quotes instead of single quotes?"
)
ERR_TOO_MANY_TO_SET = "too many arguments to set property {field} on {obj}"
ERR_NO_PROPERTY_OF = "object {obj} has no property {name}"
ERR_NOT_A_NODE = "invalid right operand of type {type} to '.' operator"
ERR_GLOBAL_ON_OBJECT = "calling global function on object {obj}"
ERR_NO_GLOBAL = 'no global function "{name}" defined'
# reflect panics
REFLECT_TOO_FEW = "reflect: Call with too few input arguments"
REFLECT_TOO_MANY = "reflect: Call with too many input arguments"
REFLECT_USING = "reflect: Call using {got} as type {want}"
REFLECT_VARIADIC = "reflect: cannot use {got} as type {want} in Call"
REFLECT_SET = "reflect.Set: value of type {got} is not assignable to type {want}"
# pipeline
ERR_WINDOW_BATCH = "cannot Window batch edge"
ERR_MIXED_EDGES = "cannot {name} a {a} edge with a {b} edge"
ERR_INVALID_TASK_TYPE = "invalid task type: invalid"
# Tocsin's own
ERR_UNSUPPORTED_NODE = "node {name} is not supported by Tocsin line {line} char {char}"
ERR_UNSUPPORTED_UDF = (
    "user-defined function @{name} needs the [udf] section, which Tocsin does not implement yet line {line} char {char}"
)
ERR_NEEDS_SECTION = "node {name} needs the [{section}] section, which Tocsin does not implement line {line} char {char}"
# Nodes that run only against a service Tocsin has no section for (a warning at start when kapacitor.conf sets it).
SECTION_OF_NODE = {"k8sAutoscale": "kubernetes", "swarmAutoscale": "swarm", "ec2Autoscale": "ec2"}


class TickCompileError(ParseError):
    """The script parsed but does not evaluate to a valid pipeline."""


def at(pos: Position, message: str) -> TickCompileError:
    """Kapacitor's positioned form: `line L char C: message`."""
    return TickCompileError(f"line {pos.line} char {pos.column}: {message}", pos.line, pos.column)


def unsupported(name: str, pos: Position, *, udf: bool = False) -> TickCompileError:
    """A node (or UDF) that Kapacitor has but Tocsin does not run."""
    section = SECTION_OF_NODE.get(name, "")
    template = ERR_UNSUPPORTED_UDF if udf else ERR_NEEDS_SECTION if section else ERR_UNSUPPORTED_NODE
    text = template.format(name=name, section=section, line=pos.line, char=pos.column)
    return TickCompileError(text, pos.line, pos.column)

"""Compile errors: Kapacitor's texts with their positions."""

from __future__ import annotations

import pytest

from tocsin.pipeline.compile import compile_program
from tocsin.pipeline.errors import TickCompileError
from tocsin.pipeline.program import implicit_dbrps, script_type
from tocsin.pipeline.spec import EdgeType
from tocsin.pipeline.vars import TaskVar
from tocsin.tick.parser import parse_program

CASES = [
    ("stream|from().foo()", 'line 1 char 15: no method or property "foo" on *pipeline.FromNode'),
    (
        "stream|from()|measurement('x')",
        'line 1 char 15: no chaining method "measurement" on *pipeline.FromNode, but property does exist. '
        "Use '.' operator instead: 'node.measurement(..)'.",
    ),
    (
        "stream|from().window()",
        'line 1 char 15: no property method "window" on *pipeline.FromNode, but chaining method does exist. '
        "Use '|' operator instead: 'node|window(..)'.",
    ),
    (
        "stream|from().measurement(1)",
        'line 1 char 15: error calling func "measurement" on obj *pipeline.FromNode: '
        "reflect.Set: value of type int64 is not assignable to type string",
    ),
    (
        "stream|from().measurement('a', 'b')",
        "line 1 char 15: too many arguments to set property Measurement on *pipeline.FromNode",
    ),
    (
        'stream|from().measurement("a")',
        "line 1 char 15: cannot assign *ast.ReferenceNode to type string, did you use double quotes instead of "
        "single quotes?",
    ),
    (
        "stream|from()|alert().flapping(0.2, 1)",
        'line 1 char 23: error calling func "flapping" on obj *pipeline.AlertNode: '
        "reflect: Call using int64 as type float64",
    ),
    (
        "stream|from()|alert().flapping(0.2)",
        'line 1 char 23: error calling func "flapping" on obj *pipeline.AlertNode: '
        "reflect: Call with too few input arguments",
    ),
    (
        "stream|from()|eval(lambda: 1).as('a', 2)",
        'line 1 char 31: error calling func "as" on obj *pipeline.EvalNode: '
        "reflect: cannot use int64 as type string in Call",
    ),
    (
        "stream|from()|alert().slack().stateChangesOnly().channel('x')",
        'line 1 char 50: no method or property "channel" on *pipeline.AlertNodeData',
    ),
    (
        "stream|from()|window()|window()",
        'line 1 char 24: error calling func "window" on obj *pipeline.WindowNode: cannot Window batch edge',
    ),
    (
        "stream|from()\n    |swarmAutoscale()",
        "node swarmAutoscale needs the [swarm] section, which Tocsin does not implement line 2 char 6",
    ),
    ("batch|queryFlux('x')", "node queryFlux is not supported by Tocsin line 1 char 7"),
    (
        "stream|from()@myUDF()",
        "user-defined function @myUDF needs the [udf] section, which Tocsin does not implement yet line 1 char 15",
    ),
    (
        "stream|from()\n    |k8sAutoscale()",
        "node k8sAutoscale needs the [kubernetes] section, which Tocsin does not implement line 2 char 6",
    ),
    (
        "stream|from()|ec2Autoscale()",
        "node ec2Autoscale needs the [ec2] section, which Tocsin does not implement line 1 char 15",
    ),
    ("stream|join()", 'line 1 char 8: no method or property "join" on *pipeline.StreamNode'),
    ("var x = 1\nvar x = 2\nstream|from()", "attempted to redefine x, vars are immutable"),
    ("var x int\nstream|from()", 'missing value for var "x".'),
    ("var x foo\nstream|from()", 'invalid var type "foo"'),
    ("stream|from().measurement(y)", 'name "y" is undefined. Names in scope: stream'),
]


@pytest.mark.parametrize(("script", "message"), CASES, ids=[str(i) for i in range(len(CASES))])
def test_error_texts(script: str, message: str) -> None:
    with pytest.raises(TickCompileError) as info:
        compile_program(parse_program(script))
    assert str(info.value) == message


def test_supplied_var_of_wrong_type() -> None:
    with pytest.raises(TickCompileError) as info:
        compile_program(parse_program("var crit = 90\nstream|from()"), {"crit": TaskVar("float", 1.5)})
    assert str(info.value) == "invalid type supplied for crit, got float exp int"


def test_error_position_attributes() -> None:
    with pytest.raises(TickCompileError) as info:
        compile_program(parse_program("stream\n  |from()\n  .nope()"))
    assert (info.value.line, info.value.column) == (3, 4)


@pytest.mark.parametrize(
    ("script", "expected"),
    [("stream|from()", EdgeType.STREAM), ("var b = batch|query('x')", EdgeType.BATCH)],
    ids=["stream", "batch-var"],
)
def test_script_type(script: str, expected: EdgeType) -> None:
    assert script_type(parse_program(script)) is expected


@pytest.mark.parametrize("script", ["var x = 1", "stream|from()\nbatch|query('x')"], ids=["neither", "both"])
def test_script_type_invalid(script: str) -> None:
    with pytest.raises(TickCompileError) as info:
        script_type(parse_program(script))
    assert str(info.value) == "invalid task type: invalid"


def test_implicit_dbrps() -> None:
    assert implicit_dbrps(parse_program('dbrp "a"."b"\ndbrp "a"."b"\nstream|from()')) == [("a", "b")]

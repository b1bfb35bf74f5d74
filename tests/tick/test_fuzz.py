"""Arbitrary or damaged scripts: parse_program raises TickParseError and nothing else, and never recurses away."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.tick.scripts import SCRIPTS
from tocsin.tick.errors import TickParseError
from tocsin.tick.format import format_program, format_script
from tocsin.tick.parser import parse_program

RANDOM_EXAMPLES = 1000
MUTATED_EXAMPLES = 1000

_FRAGMENTS = [
    "var",
    "dbrp",
    "lambda:",
    "lambda",
    "stream",
    "batch",
    "|",
    ".",
    "@",
    "(",
    ")",
    "[",
    "]",
    ",",
    "=",
    "==",
    "=~",
    "!~",
    "AND",
    "OR",
    "and",
    "TRUE",
    "*",
    "/",
    "//",
    "\n",
    " ",
    "'",
    "'''",
    '"',
    "\\",
    "1.5s",
    "5m",
    "0644",
    "09",
    "1.2.3",
    "/a/",
    "from()",
    ".measurement('cpu')",
    "#",
    "µ",
    "\x00",
    "'x'",
    '"db"."rp"',
]


def _attempt(text: str) -> None:
    try:
        program = parse_program(text)
    except TickParseError as exc:
        assert str(exc).startswith("parser: ")
        assert exc.line >= 1 and exc.column >= 1
        return
    format_program(program)


@settings(max_examples=RANDOM_EXAMPLES, deadline=None)
@given(st.one_of(st.text(max_size=200), st.lists(st.sampled_from(_FRAGMENTS), max_size=40).map("".join)))
def test_random_text(text: str) -> None:
    _attempt(text)


@st.composite
def _mutated(draw: st.DrawFn) -> str:
    script: str = draw(SCRIPTS)
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(script)))
        action = draw(st.sampled_from(["delete", "insert", "duplicate"]))
        if action == "delete":
            script = script[:position] + script[position + draw(st.integers(1, 5)) :]
        elif action == "insert":
            script = script[:position] + draw(st.sampled_from(_FRAGMENTS)) + script[position:]
        else:
            script = script[:position] + script[position : position + 10] + script[position:]
    return script


@settings(max_examples=MUTATED_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated())
def test_mutated_scripts(script: str) -> None:
    _attempt(script)


@pytest.mark.parametrize(
    "script",
    [
        "var x = " + "(" * 5000 + "1" + ")" * 5000,
        "var x = " + "-" * 5000 + "1",
        "var x = lambda: " + "!" * 5000 + "TRUE",
        "a" + "|f(a" * 5000 + ")" * 5000,
        "var x = " + "f(" * 5000 + ")" * 5000,
        "[" * 5000,
        "stream|from(" * 5000,
    ],
    ids=["parentheses", "minus", "not", "chain-arguments", "calls", "brackets", "open-calls"],
)
def test_deep_scripts_are_parse_errors(script: str) -> None:
    with pytest.raises(TickParseError):
        parse_program(script)


def test_long_operator_chain_parses_and_formats() -> None:
    script = "var x = lambda: " + " OR ".join(f'"h" == {i}' for i in range(20000))
    assert format_script(script) == script + "\n"


def test_many_links_format() -> None:
    script = "stream|from()" + ".tag('a', 1)" * 20000
    assert format_script(script).count("\n        .tag('a', 1)") == 20000

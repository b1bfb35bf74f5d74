from __future__ import annotations

import pytest

from tocsin.cli.errors import HelpRequested, UsageError
from tocsin.cli.flags import FlagSet, parse_go_bool


def flags() -> FlagSet:
    fs = FlagSet("deliveries")
    fs.add("topic", "", "topic")
    fs.add("verbose", False, "bool")
    fs.add("limit", 0, "int")
    fs.add("status", "", "state", choices=("pending", "dead"))
    return fs


@pytest.mark.parametrize(
    "argv",
    [
        ["-topic", "cpu", "x"],
        ["--topic", "cpu", "x"],
        ["-topic=cpu", "x"],
        ["--topic=cpu", "x"],
    ],
    ids=["dash", "double-dash", "equals", "double-dash-equals"],
)
def test_string_flag_forms(argv: list[str]) -> None:
    parsed = flags().parse(argv)
    assert (parsed.string("topic"), parsed.positional, parsed.given) == ("cpu", ["x"], {"topic"})


@pytest.mark.parametrize(
    ("argv", "value"),
    [(["-verbose"], True), (["--verbose=false"], False), (["-verbose=T"], True), (["-verbose=0"], False)],
    ids=["bare", "false", "T", "0"],
)
def test_bool_flag_forms(argv: list[str], value: bool) -> None:
    assert flags().parse(argv).boolean("verbose") is value


def test_bool_flag_does_not_take_the_next_argument() -> None:
    parsed = flags().parse(["-verbose", "false"])
    assert (parsed.boolean("verbose"), parsed.positional) == (True, ["false"])


def test_value_flag_takes_the_next_argument_even_with_a_dash() -> None:
    assert flags().parse(["-topic", "-x"]).string("topic") == "-x"


def test_go_style_stops_at_the_first_positional() -> None:
    parsed = flags().parse(["a", "-limit", "3"])
    assert (parsed.positional, parsed.integer("limit")) == (["a", "-limit", "3"], 0)


def test_interspersed_keeps_parsing_after_positionals() -> None:
    parsed = flags().parse(["a", "-limit", "0x10", "b", "--", "-topic"], interspersed=True)
    assert (parsed.positional, parsed.integer("limit"), parsed.string("topic")) == (["a", "b", "-topic"], 16, "")


def test_lone_dash_is_positional() -> None:
    assert flags().parse(["-", "x"], interspersed=True).positional == ["-", "x"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-nope"], "flag provided but not defined: -nope"),
        (["-topic"], "flag needs an argument: -topic"),
        (["---topic"], "bad flag syntax: ---topic"),
        (["-=x"], "bad flag syntax: -=x"),
        (["-verbose=yes"], 'invalid boolean value "yes" for -verbose: parse error'),
        (["-limit", "many"], 'invalid value "many" for flag -limit: parse error'),
        (["-status", "gone"], 'invalid value "gone" for flag -status: must be one of pending, dead'),
    ],
    ids=["undefined", "needs-argument", "triple-dash", "empty-name", "bad-bool", "bad-int", "bad-choice"],
)
def test_flag_errors(argv: list[str], message: str) -> None:
    with pytest.raises(UsageError) as caught:
        flags().parse(argv)
    assert (str(caught.value), caught.value.verb) == (message, "deliveries")


@pytest.mark.parametrize("arg", ["-h", "-help", "--help"], ids=["h", "help", "double-dash-help"])
def test_help_flags(arg: str) -> None:
    with pytest.raises(HelpRequested) as caught:
        flags().parse(["x", arg], interspersed=True)
    assert caught.value.verb == "deliveries"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1", True),
        ("t", True),
        ("TRUE", True),
        ("True", True),
        ("0", False),
        ("F", False),
        ("false", False),
        ("yes", None),
        ("", None),
        ("tRUE", None),
    ],
    ids=["1", "t", "TRUE", "True", "0", "F", "false", "yes", "empty", "mixed-case"],
)
def test_parse_go_bool(text: str, value: bool | None) -> None:
    assert parse_go_bool(text) is value


def test_describe_lists_flags_like_go() -> None:
    fs = FlagSet()
    fs.add("url", "", "The URL.")
    fs.add("limit", 10, "At most.")
    fs.add("json", False, "JSON.")
    assert fs.describe() == (
        "  -json\n    \tJSON.\n  -limit int\n    \tAt most. (default 10)\n  -url string\n    \tThe URL."
    )

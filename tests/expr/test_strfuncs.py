from __future__ import annotations

import pytest

from tocsin.expr.regex import compile_go_regex
from tocsin.expr.strfuncs import STRING_FUNCTIONS, regex_replace_all
from tocsin.expr.values import Value


def call(name: str, *args: Value) -> Value:
    return STRING_FUNCTIONS[name](list(args))


RESULTS: list[tuple[str, tuple[Value, ...], Value]] = [
    ("strContains", ("serverA", "ver"), True),
    ("strContainsAny", ("serverA", "xyzA"), True),
    ("strContainsAny", ("serverA", ""), False),
    ("strCount", ("cheese", "e"), 3),
    ("strCount", ("héllo", ""), 6),
    ("strHasPrefix", ("serverA", "ser"), True),
    ("strHasSuffix", ("serverA", "rA"), True),
    ("strIndex", ("chicken", "ken"), 4),
    ("strIndex", ("héllo", "l"), 3),
    ("strIndex", ("chicken", "dmr"), -1),
    ("strIndexAny", ("golang", "ny"), 4),
    ("strLastIndex", ("go gopher", "go"), 3),
    ("strLastIndex", ("héllo", ""), 6),
    ("strLastIndexAny", ("go gopher", "ordent"), 8),
    ("strLength", ("héllo",), 6),
    ("strReplace", ("oink oink oink", "k", "ky", 2), "oinky oinky oink"),
    ("strReplace", ("oink oink oink", "oink", "moo", -1), "moo moo moo"),
    ("strSubstring", ("serverA", 0, 6), "server"),
    ("strSubstring", ("serverA", 2, 2), ""),
    ("strToLower", ("SeRvEr",), "server"),
    ("strToUpper", ("straße",), "STRAßE"),
    ("strTrim", ("xxhixx", "x"), "hi"),
    ("strTrimLeft", ("xxhixx", "x"), "hixx"),
    ("strTrimRight", ("xxhixx", "x"), "xxhi"),
    ("strTrimPrefix", ("prefix-body", "prefix-"), "body"),
    ("strTrimSuffix", ("body.log", ".log"), "body"),
    ("strTrimSpace", ("\t a b \n\u00a0",), "a b"),
    ("strTrimSpace", ("\x1fa\x1f",), "\x1fa\x1f"),
    ("regexReplace", (compile_go_regex("a(x*)b"), "-ab-axxb-", "${1}W"), "-W-xxW-"),
    ("regexReplace", (compile_go_regex("a(x*)b"), "-ab-axxb-", "$1W"), "---"),
    ("regexReplace", (compile_go_regex("(?P<host>\\w+)\\.example"), "db.example", "$host"), "db"),
    ("regexReplace", (compile_go_regex("a"), "banana", "$$"), "b$n$n$"),
]


@pytest.mark.parametrize(("name", "args", "expected"), RESULTS, ids=[f"{n}{a!r}" for n, a, _ in RESULTS])
def test_results(name: str, args: tuple[Value, ...], expected: Value) -> None:
    result = call(name, *args)
    assert result == expected
    assert type(result) is type(expected)


ERRORS: list[tuple[str, tuple[Value, ...], str]] = [
    ("strContains", ("a",), "strContains expects exactly two arguments"),
    ("strContains", (1, "a"), "cannot pass int64 as first arg to strContains, must be string"),
    ("strIndex", ("a", 1.0), "cannot pass float64 as second arg to strIndex, must be string"),
    ("strReplace", ("a", "b", "c", "d"), "cannot pass string as fourth arg to strReplace, must be int"),
    ("strReplace", ("a", "b", "c"), "strReplace expects exactly four arguments"),
    ("strSubstring", ("abc", -1, 1), "found negative index for strSubstring: -1"),
    ("strSubstring", ("abc", 0, 3), "stop index too large for string in strSubstring: 3"),
    ("strSubstring", ("abc", 2, 1), "slice bounds out of range [2:1]"),
    ("strSubstring", ("abc", 0, 1.0), "cannot pass float64 as third arg to strSubstring, must be int"),
    ("strLength", (True,), "cannot pass bool as first arg to strLength, must be string"),
    ("regexReplace", ("a", "b", "c"), "cannot pass string as first arg to regexReplace, must be regex"),
]


@pytest.mark.parametrize(("name", "args", "message"), ERRORS, ids=[f"{n}{a!r}" for n, a, _ in ERRORS])
def test_errors(name: str, args: tuple[Value, ...], message: str) -> None:
    with pytest.raises(ValueError) as info:
        call(name, *args)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("pattern", "source", "expected"),
    [("x*", "abxd", "-a-b-d-"), ("", "abc", "-a-b-c-"), ("b*", "abbc", "-a-c-")],
    ids=["star", "empty", "after-match"],
)
def test_empty_matches_follow_go(pattern: str, source: str, expected: str) -> None:
    assert regex_replace_all(compile_go_regex(pattern), source, "-") == expected

from __future__ import annotations

import pytest

from tocsin.expr.regex import compile_go_regex

MATCHES = [
    ("^web[0-9]+$", "web12", True),
    ("abc\\z", "abc", True),
    ("abc\\z", "abc\n", False),
    ("\\Qa.b*\\E", "xa.b*y", True),
    ("\\Qa.b*\\E", "xaxbb", False),
    ("(?<host>\\w+)-1", "db-1", True),
    ("[[:digit:]]+", "a42", True),
    ("[[:alpha:]_]+$", "a_b", True),
    ("[[:upper:]]", "abc", False),
    ("[]a]", "]", True),
    ("[^]a]", "b", True),
    ("\\101", "A", True),
    ("(?i)SERVER", "server", True),
    ("^\\pL+$", "Zürich", True),
    ("^\\pL+$", "a1", False),
    ("(?U)a+", "aaa", True),
    ("(a+)+$", "a" * 50_000 + "b", False),  # exponential with backtracking; linear in RE2
]


@pytest.mark.parametrize(("pattern", "text", "found"), MATCHES, ids=[f"{p}~{t[:12]!r}" for p, t, _ in MATCHES])
def test_go_patterns(pattern: str, text: str, found: bool) -> None:
    assert (compile_go_regex(pattern).search(text) is not None) == found


ERRORS = [
    ("a(?=b)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"),
    ("(?<!a)b", "error parsing regexp: invalid or unsupported Perl syntax: `(?<!`"),
    ("(a)\\1", "error parsing regexp: invalid escape sequence: `\\1`"),
    ("a\\Z", "error parsing regexp: invalid escape sequence: `\\Z`"),
    ("a(", "error parsing regexp: missing closing ): `a(`"),
    ("a)", "error parsing regexp: unexpected ): `a)`"),
    ("[a", "error parsing regexp: missing closing ]: `[a`"),
    ("*a", "error parsing regexp: missing argument to repetition operator: `*`"),
    ("a**", "error parsing regexp: invalid nested repetition operator: `**`"),
    ("a{1001}", "error parsing regexp: invalid repeat count: `{1001}`"),
]


@pytest.mark.parametrize(("pattern", "message"), ERRORS, ids=[p for p, _ in ERRORS])
def test_rejected_patterns(pattern: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        compile_go_regex(pattern)
    assert str(info.value) == message


def test_equal_by_source_and_usable_as_keys() -> None:
    assert compile_go_regex("a+") == compile_go_regex("a+") != compile_go_regex("b")
    assert len({compile_go_regex("a+"), compile_go_regex("a+")}) == 1
    assert compile_go_regex("a(x)").search("zax") is not None
    assert compile_go_regex("é").matches("café") and not compile_go_regex("^é").matches("café")


def test_remembered_answers_stay_right_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from tocsin.expr import regex as regex_module

    monkeypatch.setattr(regex_module, "SEEN_LIMIT", 3)
    pattern = compile_go_regex("^web")
    texts = ["web1", "db1", "web2", "db2", "web3", "x" * 1000]
    assert [pattern.matches(t) for t in texts * 2] == [True, False, True, False, True, False] * 2
    assert len(pattern._seen) <= 3 and "x" * 1000 not in pattern._seen

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
]


@pytest.mark.parametrize(("pattern", "text", "found"), MATCHES, ids=[f"{p}~{t!r}" for p, t, _ in MATCHES])
def test_translated_patterns(pattern: str, text: str, found: bool) -> None:
    assert (compile_go_regex(pattern).search(text) is not None) == found


ERRORS = [
    ("a(?=b)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"),
    ("(?<!a)b", "error parsing regexp: invalid or unsupported Perl syntax: `(?<!`"),
    ("(a)\\1", "error parsing regexp: invalid escape sequence: `\\1`"),
    ("a\\Z", "error parsing regexp: invalid escape sequence: `\\Z`"),
    ("\\pL", "error parsing regexp: invalid character class range: `\\p`"),
    ("a(", "error parsing regexp: missing ), unterminated subpattern: `a(`"),
    ("*a", "error parsing regexp: nothing to repeat: `*a`"),
]


@pytest.mark.parametrize(("pattern", "message"), ERRORS, ids=[p for p, _ in ERRORS])
def test_rejected_patterns(pattern: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        compile_go_regex(pattern)
    assert str(info.value) == message

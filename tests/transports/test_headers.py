from __future__ import annotations

import pytest

from tocsin.transports.headers import canonical_header, headers_add, headers_set, redact_url


@pytest.mark.parametrize(
    ("name", "canonical"),
    [("x-custom", "X-Custom"), ("CONTENT-TYPE", "Content-Type"), ("a--b", "A--B"), ("x y", "x y"), ("é-x", "é-x")],
    ids=["lower", "upper", "double-dash", "space-kept", "non-ascii-kept"],
)
def test_canonical_header(name: str, canonical: str) -> None:
    assert canonical_header(name) == canonical


def test_add_keeps_repeats_and_set_replaces_them() -> None:
    headers: list[tuple[str, str]] = []
    headers_add(headers, "x-a", "1")
    headers_add(headers, "X-B", "2")
    headers_add(headers, "X-A", "3")
    assert headers == [("X-A", "1"), ("X-B", "2"), ("X-A", "3")]
    headers_set(headers, "x-a", "4")
    assert headers == [("X-B", "2"), ("X-A", "4")]


@pytest.mark.parametrize(
    ("url", "redacted"),
    [("http://u:p@h/x?q=1", "http://u:xxxxx@h/x?q=1"), ("http://u@h/x", None), ("http://h/x", None), ("::", None)],
    ids=["password", "user-only", "plain", "unparsable"],
)
def test_redact_url(url: str, redacted: str | None) -> None:
    assert redact_url(url) == redacted

"""Go's path.Clean and path.Join as Kapacitor's services apply them to URL paths."""

from __future__ import annotations

import pytest

from tocsin.gocompat.urlpath import go_clean, go_join, join_url_path


@pytest.mark.parametrize(
    ("path", "cleaned"),
    [
        ("", "."),
        ("/", "/"),
        ("a/../..", ".."),
        ("/../a", "/a"),
        ("a//b/", "a/b"),
        ("./a/./b/..", "a"),
        ("a//b/./c/", "a/b/c"),
        ("/../a/..", "/"),
        ("../a/../b", "../b"),
    ],
    ids=[
        "empty",
        "root",
        "above",
        "rooted-above",
        "slashes",
        "dots",
        "slashes-and-dot",
        "rooted-up-and-back",
        "relative-up",
    ],
)
def test_go_clean(path: str, cleaned: str) -> None:
    assert go_clean(path) == cleaned


@pytest.mark.parametrize(
    ("elements", "joined"),
    [((), ""), (("", ""), ""), (("", "a"), "a"), (("//v2/", "YQ==", "close"), "/v2/YQ==/close"), (("/a", ".."), "/")],
    ids=["nothing", "all-empty", "empty-skipped", "cleaned", "dot-dot"],
)
def test_go_join(elements: tuple[str, ...], joined: str) -> None:
    assert go_join(*elements) == joined


def test_join_url_path_keeps_query_and_escapes_as_go() -> None:
    assert join_url_path("http://h/x%20y//z?q=1#f", "r(1)?", "..", "n") == "http://h/x%20y/z/n?q=1#f"

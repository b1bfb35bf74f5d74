from __future__ import annotations

import pytest

from tocsin.cli.client import ApiClient, encode_query, error_message
from tocsin.cli.errors import UsageError


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (404, b'{"error": "unknown topic: \\"x\\"", "message": "unknown topic: \\"x\\""}', 'unknown topic: "x"'),
        (500, b'{"ERROR": "loud"}', "loud"),
        (500, b'{"error": ""}', 'invalid response: code 500: body: {"error": ""}'),
        (500, b'{"error": 5}', 'invalid response: code 500: body: {"error": 5}'),
        (503, b"", "invalid response: code 503: body: "),
        (400, b"[1]", "invalid response: code 400: body: [1]"),
    ],
    ids=["error-field", "upper-case-key", "empty-error", "non-text-error", "empty-body", "array-body"],
)
def test_error_message(status: int, body: bytes, message: str) -> None:
    assert error_message(status, body) == message


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ({"pattern": "*", "min-level": "WARNING"}, "min-level=WARNING&pattern=%2A"),
        ({"pattern": ""}, "pattern="),
        ({"pattern": "main:a b/c"}, "pattern=main%3Aa+b%2Fc"),
    ],
    ids=["sorted-star", "empty", "reserved"],
)
def test_encode_query_matches_go(query: dict[str, str], text: str) -> None:
    assert encode_query(query) == text


def test_url_for_replaces_the_base_path_and_escapes_like_go() -> None:
    client = ApiClient("http://h:9092/ignored/path")
    assert client.url_for("/kapacitor/v1/alerts/topics/main:t ä", {"pattern": ""}) == (
        "http://h:9092/kapacitor/v1/alerts/topics/main:t%20%C3%A4?pattern="
    )


def test_unsupported_scheme() -> None:
    with pytest.raises(UsageError) as caught:
        ApiClient("localhost:9092")
    assert str(caught.value) == (
        "Unsupported protocol scheme: localhost, your address must start with http:// or https://"
    )

from __future__ import annotations

import email.utils

import pytest

from tocsin.delivery.errors import Reason
from tocsin.transports.classify import classify_http, parse_retry_after

URL = "https://hooks.example.com/services/XXXX"
NOW = 1_700_000_000.0


@pytest.mark.parametrize("status", [100, 200, 201, 204, 302], ids=str)
def test_non_error_statuses_are_not_classified(status: int) -> None:
    assert classify_http(status, {}, b"ignored", url=URL) is None


@pytest.mark.parametrize(
    ("status", "headers", "reason", "retryable", "retry_after"),
    [
        (400, {}, Reason.CLIENT_ERROR, False, None),
        (401, {}, Reason.AUTH_ERROR, False, None),
        (403, {}, Reason.AUTH_ERROR, False, None),
        (404, {}, Reason.CLIENT_ERROR, False, None),
        (408, {}, Reason.TIMEOUT, True, None),
        (425, {}, Reason.SERVER_ERROR, True, None),
        (429, {}, Reason.RATE_LIMITED, True, None),
        (429, {"Retry-After": "120"}, Reason.RATE_LIMITED, True, 120.0),
        (429, {"retry-after": email.utils.formatdate(NOW + 90, usegmt=True)}, Reason.RATE_LIMITED, True, 90.0),
        (429, {"Retry-After": email.utils.formatdate(NOW - 90, usegmt=True)}, Reason.RATE_LIMITED, True, 0.0),
        (429, {"Retry-After": "soon"}, Reason.RATE_LIMITED, True, None),
        (500, {}, Reason.SERVER_ERROR, True, None),
        (500, {"Retry-After": "5"}, Reason.SERVER_ERROR, True, None),
        (502, {}, Reason.SERVER_ERROR, True, None),
        (503, {}, Reason.SERVER_ERROR, True, None),
        (503, {"Retry-After": "7"}, Reason.SERVER_ERROR, True, 7.0),
        (504, {}, Reason.SERVER_ERROR, True, None),
    ],
    ids=[
        "400",
        "401",
        "403",
        "404",
        "408",
        "425",
        "429",
        "429-seconds",
        "429-http-date",
        "429-past-date",
        "429-garbage",
        "500",
        "500-retry-after-ignored",
        "502",
        "503",
        "503-retry-after",
        "504",
    ],
)
def test_error_statuses(
    status: int, headers: dict[str, str], reason: Reason, retryable: bool, retry_after: float | None
) -> None:
    error = classify_http(status, headers, b'{"error":"nope"}', url=URL, now=NOW)
    assert error is not None
    assert (error.reason, error.retryable, error.retry_after, error.status) == (
        reason,
        retryable,
        retry_after,
        status,
    )
    assert str(error) == f'HTTP {status} from {URL}: {{"error":"nope"}}'


def test_headers_as_pairs_and_message_without_body() -> None:
    error = classify_http(503, [("X-Other", "1"), ("Retry-After", "2")], b"", url=URL)
    assert error is not None
    assert (str(error), error.retry_after) == (f"HTTP 503 from {URL}", 2.0)


def test_message_keeps_only_the_first_300_characters_of_the_body() -> None:
    error = classify_http(500, {}, ("é" * 400).encode(), url=URL)
    assert str(error) == f"HTTP 500 from {URL}: " + "é" * 300


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("0", 0.0), (" 30 ", 30.0), ("-1", None), ("1.5", None), ("Wed, 21 Oct 2015 07:28:00", None)],
    ids=["absent", "zero", "spaces", "negative", "fraction", "date-without-zone"],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected

"""Providers' error answers read as Kapacitor reads them, classified by the shared HTTP rules."""

from __future__ import annotations

from typing import Any

import pytest

from tocsin.delivery.errors import Reason
from tocsin.handlers.answers import ErrorBody, MessageBody, answer_error, error_field, json_fields

RETRY = (("Retry-After", "4"),)


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (b'{"Message":"a","status":"s"} trailing', {"message": "a", "status": "s"}),
        (b'{"message":"a","MESSAGE":"b"}', {"message": "b"}),
        (b'{"message":null,"status":1}', {"status": 1}),
        (b'["message"]', {}),
        (b"not json", {}),
        (b'\xff{"message":"a"}', {}),
    ],
    ids=["case-insensitive-trailing-text", "last-wins", "null-dropped", "not-an-object", "not-json", "bad-utf8"],
)
def test_json_fields(body: bytes, fields: dict[str, Any]) -> None:
    assert json_fields(body, ["message", "status"]) == fields


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (b'{"Error":"a","error":5}', "a"),
        (b'{"error":"a","ERROR":"b"}', "b"),
        (b'{"error":"\xc3\xa9"}', "\u00e9"),
        (b'{"error":"\xff"}', ""),
        (b"[]", ""),
    ],
    ids=["later-non-string-ignored", "last-string-wins", "utf8", "bad-utf8", "not-an-object"],
)
def test_error_field(body: bytes, text: str) -> None:
    assert error_field(body) == text


@pytest.mark.parametrize(
    ("status", "classify_as", "shared"),
    [
        (429, None, (Reason.RATE_LIMITED, True, 4.0, 429)),
        (503, None, (Reason.SERVER_ERROR, True, 4.0, 503)),
        (400, None, (Reason.CLIENT_ERROR, False, None, 400)),
        (202, None, (Reason.OTHER, False, None, 202)),
        (200, 429, (Reason.RATE_LIMITED, True, 4.0, 200)),
    ],
    ids=["429", "503", "400", "unexpected-2xx", "classified-as-another-status"],
)
def test_answer_error_keeps_the_text_and_the_shared_classification(
    status: int, classify_as: int | None, shared: tuple[Reason, bool, float | None, int]
) -> None:
    error = answer_error(status, RETRY, b"body", "worded", classify_as=classify_as)
    assert (str(error), (error.reason, error.retryable, error.retry_after, error.status)) == ("worded", shared)


MESSAGE = MessageBody("failed: code {status} content {body}", lambda status: status == 202, "opsgenie error: {message}")
ERROR = ErrorBody("failed: code {status} content {content}", lambda status: status == 200)


@pytest.mark.parametrize(
    ("inspect", "status", "body", "text"),
    [
        (MESSAGE, 404, b'{"message":"Alert not found"}', "opsgenie error: Alert not found"),
        (MESSAGE, 400, b"plain", "opsgenie error: failed: code 400 content plain"),
        (ERROR, 403, b'{"error":"webhook disabled"}', "webhook disabled"),
        (ERROR, 500, b"x" * 400, "failed: code 500 content " + "x" * 300),
    ],
    ids=["message-field", "message-fallback", "error-field", "error-fallback-snippet"],
)
def test_inspectors_word_the_refusal(inspect: Any, status: int, body: bytes, text: str) -> None:
    error = inspect(status, (), body)
    assert (str(error), error.status) == (text, status)


def test_inspectors_accept_their_success_status() -> None:
    assert (MESSAGE(202, (), b"{}"), ERROR(200, (), b"{}")) == (None, None)

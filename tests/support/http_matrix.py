"""What every HTTP handler kind is tested for alike: its vectors' requests, its failure matrix, its service
test, and no secret shown.

In the spirit of Alertmanager's notify/test `RetryTests` and `AssertNotifyLeaksNoSecret`. A kind's test file
lists its cases with `Failure.refused`, `.throttled`, `.failing` and `.hang` (a 4xx is permanent, a 429 waits
its Retry-After, a 5xx is retryable, no answer is a timeout), parametrizes one test with `Failure.cases(...)`
and runs each case with `assert_failure`: the request goes through the real `Transports().send` to the
recording sink, which answers as the case says, and the error must be exactly the case's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.sink import Answer, HttpSink, Recorded
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers.base import ConfigView, ServiceTest
from tocsin.handlers.requests import Request
from tocsin.handlers.service_tests import run_service_test
from tocsin.transports import Transports

SEND_TIMEOUT = 5.0
HANG_TIMEOUT = 0.2  # seconds the sink is left to not answer
# Headers Go's HTTP client adds by itself: the vectors record them, the kinds do not set them.
GO_CLIENT_HEADERS = frozenset({"Accept-Encoding", "User-Agent", "Content-Length"})


def assert_received_as_vector(
    got: Sequence[Recorded], exact: Sequence[dict[str, Any]], *, absent: Iterable[str] = ()
) -> None:
    """Each request as its vector's: method, path and query, the body byte for byte (and as JSON), every
    header the kind sets once with the vector's value, and none of the `absent` headers."""
    absent = tuple(absent)
    for received, want in zip(got, exact, strict=True):
        path, _, query = want["path"].partition("?")
        assert (received.method, received.path, received.query_string) == (want["method"], path, query)
        assert received.body == want["body"].encode()
        assert received.json() == json.loads(want["body"])
        for name, value in want["headers"].items():
            if name not in GO_CLIENT_HEADERS:
                assert received.header_values(name) == [value], name
        for name in absent:
            assert received.header(name) is None, name


@dataclass(frozen=True, slots=True)
class Failure:
    """One scripted answer (None: the sink never answers) and the DeliveryError it must become.

    `message` is the exact error text, `{url}` standing for the sink's URL (no other brace is special);
    None leaves the text to the kind's own assertions.
    """

    name: str
    answer: Answer | None
    reason: Reason
    retryable: bool
    retry_after: float | None = None
    message: str | None = None

    @property
    def status(self) -> int | None:
        """The status the error must carry: the answer's, or None when there was no answer."""
        return None if self.answer is None else self.answer.status

    @classmethod
    def refused(
        cls, answer: Answer, reason: Reason = Reason.CLIENT_ERROR, *, name: str = "4xx", message: str | None = None
    ) -> Failure:
        """A permanent refusal (client, auth or unexpected-status error): not retryable, no wait."""
        return cls(name, answer, reason, False, None, message)

    @classmethod
    def throttled(
        cls, answer: Answer, retry_after: float | None, *, name: str = "429", message: str | None = None
    ) -> Failure:
        """A rate limit: retryable, after `retry_after` seconds (None when the peer names no wait)."""
        return cls(name, answer, Reason.RATE_LIMITED, True, retry_after, message)

    @classmethod
    def failing(
        cls, answer: Answer, *, name: str = "5xx", retry_after: float | None = None, message: str | None = None
    ) -> Failure:
        """A server error: retryable, after `retry_after` seconds when the peer names a wait."""
        return cls(name, answer, Reason.SERVER_ERROR, True, retry_after, message)

    @classmethod
    def hang(cls, message: str | None = None) -> Failure:
        """No answer within HANG_TIMEOUT: a retryable timeout without status or wait."""
        return cls("hang", None, Reason.TIMEOUT, True, None, message)

    @staticmethod
    def cases(*failures: Failure) -> list[Any]:
        """The cases as pytest parameters, each named by its `name`."""
        return [pytest.param(failure, id=failure.name) for failure in failures]


def assert_no_secret(text: str, secrets: Iterable[str]) -> None:
    """None of `secrets` shows in `text`."""
    for secret in secrets:
        assert secret not in text, f"secret {secret!r} leaked into {text!r}"


async def assert_failure(
    failure: Failure,
    build: Callable[[str], Request],
    sink: HttpSink,
    transports: Transports,
    *,
    secrets: Iterable[str] = (),
) -> DeliveryError:
    """Send `build(sink.url)` once while the sink answers as `failure` says; assert the exact error.

    Checks reason, retryable, retry_after and status, the text when the case gives it, and that neither
    the text nor the repr of the error shows any of `secrets`. Returns the error for the kind's own checks.
    """
    request = build(sink.url)
    if failure.answer is None:
        sink.hang()
    else:
        sink.answer(failure.answer)
    try:
        with pytest.raises(DeliveryError) as info:
            await transports.send(request, HANG_TIMEOUT if failure.answer is None else SEND_TIMEOUT)
    finally:
        if failure.answer is None:
            sink.hang(False)
    error = info.value
    assert (error.reason, error.retryable, error.retry_after, error.status) == (
        failure.reason,
        failure.retryable,
        failure.retry_after,
        failure.status,
    )
    if failure.message is not None:
        assert str(error) == failure.message.replace("{url}", sink.url)
    secrets = tuple(secrets)
    assert_no_secret(str(error), secrets)
    assert_no_secret(repr(error), secrets)
    return error


async def assert_service_test_passes(
    test: ServiceTest, config: ConfigView, transports: Transports, sink: HttpSink, *bodies: Any
) -> list[Recorded]:
    """Run `test` once per posted body (None keeps its defaults), each passing; what the sink has received."""
    for body in bodies:
        assert await run_service_test(test, body, config, transports, SEND_TIMEOUT) == (True, "")
    return await sink.wait_for(len(bodies))


async def assert_service_test_fails(
    test: ServiceTest,
    body: Any,
    config: ConfigView,
    transports: Transports,
    message: str,
    *,
    secrets: Iterable[str] = (),
) -> None:
    """Run `test` once with `body`: it fails with exactly `message`, which shows none of `secrets`."""
    ok, text = await run_service_test(test, body, config, transports, SEND_TIMEOUT)
    assert (ok, text) == (False, message)
    assert_no_secret(text, secrets)

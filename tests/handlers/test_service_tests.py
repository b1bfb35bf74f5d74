from __future__ import annotations

from typing import Any

import pytest

from tests.support.config import StaticConfig
from tests.support.sink import Answer, HttpSink
from tocsin.handlers import post
from tocsin.handlers.service_tests import TestOptionsError, all_service_tests, merge_test_options, run_service_test
from tocsin.transports import Transports

DEFAULTS = {"endpoint": "example", "url": "http://localhost:3000/", "headers": {"Auth": "secret"}, "timeout": 0}
ZERO_ALERT = (
    b'{"id":"","message":"","details":"","time":"0001-01-01T00:00:00Z","duration":0,"level":"OK",'
    b'"data":{"series":null},"previousLevel":"OK","recoverable":false}\n'
)
CONFIG = StaticConfig(sections=[post.SECTION])


def test_httppost_is_listed_with_kapacitors_defaults() -> None:
    tests = all_service_tests()
    assert tests["httppost"] is post.SERVICE_TEST
    assert dict(tests["httppost"].defaults) == DEFAULTS


async def test_success_posts_the_zero_alert(sink: HttpSink, transports: Transports) -> None:
    result = await run_service_test(post.SERVICE_TEST, {"url": sink.url + "/t"}, CONFIG, transports, 5.0)
    assert result == (True, "")
    (got,) = await sink.wait_for(1)
    assert (got.method, got.path, got.body) == ("POST", "/t", ZERO_ALERT)
    assert (got.header_values("Auth"), got.header_values("Content-Type")) == (["secret"], ["application/json"])


async def test_failure_reports_the_status(sink: HttpSink, transports: Transports) -> None:
    sink.answer(Answer(500, body=b"broken"))
    result = await run_service_test(post.SERVICE_TEST, {"url": sink.url}, CONFIG, transports, 5.0)
    assert result == (False, f"HTTP 500 from {sink.url}: broken")


async def test_unreachable_peer_is_a_failed_test(sink: HttpSink, transports: Transports) -> None:
    url = sink.url
    await sink.close()
    ok, message = await run_service_test(post.SERVICE_TEST, {"url": url}, CONFIG, transports, 5.0)
    assert (ok, message.startswith(f"POST {url}: ")) == (False, True)


async def test_bad_options_are_a_failed_test(transports: Transports) -> None:
    result = await run_service_test(post.SERVICE_TEST, {"url": 5}, CONFIG, transports, 5.0)
    assert result == (False, "service test option 'url' must be a string, not a number")


@pytest.mark.parametrize(
    ("body", "merged"),
    [
        (None, DEFAULTS),
        ({}, DEFAULTS),
        ({"url": "http://x"}, {**DEFAULTS, "url": "http://x"}),
        ({"URL": "http://x", "unknown": 1}, {**DEFAULTS, "url": "http://x"}),
        ({"headers": {"X": "y"}}, {**DEFAULTS, "headers": {"Auth": "secret", "X": "y"}}),
        ({"headers": None, "url": None}, {**DEFAULTS, "headers": None}),
        ({"timeout": 5e9}, {**DEFAULTS, "timeout": 5_000_000_000}),
    ],
    ids=["null", "empty", "one-key", "case-and-unknown", "maps-merge", "null-values", "float-into-int"],
)
def test_merge_follows_go_json_decoding(body: Any, merged: dict[str, Any]) -> None:
    assert merge_test_options(DEFAULTS, body) == merged
    assert DEFAULTS["headers"] == {"Auth": "secret"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([1], "service test options must be a JSON object, not an array"),
        ({"headers": "x"}, "service test option 'headers' must be an object, not a string"),
        ({"timeout": True}, "service test option 'timeout' must be a number, not a boolean"),
    ],
    ids=["array", "map-as-string", "bool-as-number"],
)
def test_merge_rejects_wrong_types(body: Any, message: str) -> None:
    with pytest.raises(TestOptionsError) as caught:
        merge_test_options(DEFAULTS, body)
    assert str(caught.value) == message

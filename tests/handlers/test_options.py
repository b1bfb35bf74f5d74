from __future__ import annotations

from typing import Any

import pytest

from tests.support.config import OPEN_POLICY, StaticConfig
from tocsin.handlers import exec, log, post, tcp
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType
from tocsin.handlers.options import OptionsError, SectionDefaults, go_v, normalize, tick_properties
from tocsin.handlers.requests import Request

POST = "failed to decode options into *httppost.HandlerConfig: "
TEST_ENDPOINT = {"endpoint": "test", "url": "http://t"}


def _never(event: Any, options: dict[str, Any], config: ConfigView) -> Request:
    raise AssertionError("not rendered")


EVERY_TYPE = HandlerKind(
    name="every",
    options=(
        Option("s", OptionType.STRING, default="dflt"),
        Option("i", OptionType.INT),
        Option("f", OptionType.FLOAT),
        Option("b", OptionType.BOOL),
        Option("d", OptionType.DURATION),
        Option("sl", OptionType.STRING_LIST),
        Option("sm", OptionType.STRING_MAP),
        Option("m", OptionType.MAP),
        Option("ol", OptionType.OBJECT_LIST),
        Option("a", OptionType.ANY),
    ),
    render=_never,
)
EVERY = "failed to decode options into *every.HandlerConfig: "


def test_defaults_complete_every_option() -> None:
    assert normalize(post.KIND, {"url": "http://x"}) == {
        "url": "http://x",
        "endpoint": "",
        "headers": {},
        "capture-response": False,
        "timeout": 0,
        "skip-ssl-verification": False,
    }
    assert normalize(EVERY_TYPE, None) == {
        "s": "dflt",
        "i": 0,
        "f": 0.0,
        "b": False,
        "d": 0,
        "sl": [],
        "sm": {},
        "m": {},
        "ol": [],
        "a": None,
    }


def test_values_of_every_type() -> None:
    raw = {
        "s": "x",
        "i": 7.9,
        "f": 2,
        "b": True,
        "d": "1m30s",
        "sl": ["a"],
        "sm": {"k": "v", "n": None},
        "m": {"k": [1]},
        "ol": [{"href": "h"}],
        "a": [True],
    }
    assert normalize(EVERY_TYPE, raw) == {
        "s": "x",
        "i": 7,
        "f": 2.0,
        "b": True,
        "d": 90_000_000_000,
        "sl": ["a"],
        "sm": {"k": "v", "n": ""},
        "m": {"k": [1]},
        "ol": [{"href": "h"}],
        "a": [True],
    }


def test_null_keeps_the_default() -> None:
    assert normalize(log.KIND, {"path": "/tmp/a.log", "mode": None}, OPEN_POLICY)["mode"] == 0o600


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (10_000_000_000, 10_000_000_000),
        (1.5e9, 1_500_000_000),
        ("10s", 10_000_000_000),
        ("1h30m", 5_400_000_000_000),
        ("250ms", 250_000_000),
        (-1, -1),
    ],
    ids=["ns-int", "ns-float", "go-seconds", "go-compound", "go-millis", "negative"],
)
def test_duration_forms(raw: Any, expected: int) -> None:
    assert normalize(post.KIND, {"url": "http://x", "timeout": raw})["timeout"] == expected


def test_keys_match_case_insensitively_after_an_exact_miss() -> None:
    got = normalize(post.KIND, {"URL": "http://x", "Capture-Response": True})
    assert (got["url"], got["capture-response"]) == ("http://x", True)


def test_exact_key_wins_and_the_other_spelling_is_unknown() -> None:
    with pytest.raises(OptionsError) as caught:
        normalize(post.KIND, {"url": "http://x", "URL": "http://y"})
    assert str(caught.value) == POST + "1 error(s) decoding:\n\n* '' has invalid keys: URL"


@pytest.mark.parametrize(
    ("kind", "raw", "message"),
    [
        (post.KIND, {"url": "http://x", "foo": 1}, POST + "1 error(s) decoding:\n\n* '' has invalid keys: foo"),
        (
            post.KIND,
            {"url": "http://x", "skipSSLVerification": True, "bar": 1},
            POST + "1 error(s) decoding:\n\n* '' has invalid keys: bar, skipSSLVerification",
        ),
        (
            post.KIND,
            {"url": "http://x", "timeout": True},
            POST + "1 error(s) decoding:\n\n* 'timeout' expected type 'time.Duration', got unconvertible type "
            "'bool', value: 'true'",
        ),
        (
            post.KIND,
            {"url": "http://x", "timeout": "10 seconds"},
            POST + "1 error(s) decoding:\n\n* 'timeout' expected type 'time.Duration', got unconvertible type "
            "'string', value: '10 seconds'",
        ),
        (
            post.KIND,
            {"url": 1e6, "headers": {"A": 1, "B": "ok"}, "zzz": 0},
            POST + "3 error(s) decoding:\n\n* '' has invalid keys: zzz\n"
            "* 'headers[A]' expected type 'string', got unconvertible type 'float64', value: '1'\n"
            "* 'url' expected type 'string', got unconvertible type 'float64', value: '1e+06'",
        ),
        (
            post.KIND,
            {"url": "http://x", "headers": ["A"]},
            POST + "1 error(s) decoding:\n\n* 'headers' expected a map, got 'slice'",
        ),
        (
            exec.KIND,
            {"prog": "/bin/x", "args": "a b"},
            "failed to decode options into *alert.ExecHandlerConfig: 1 error(s) decoding:\n\n"
            "* 'args': source data must be an array or slice, got string",
        ),
        (
            exec.KIND,
            {"prog": ["/bin/x"], "args": ["a", 2, {"b": True}]},
            "failed to decode options into *alert.ExecHandlerConfig: 3 error(s) decoding:\n\n"
            "* 'args[1]' expected type 'string', got unconvertible type 'float64', value: '2'\n"
            "* 'args[2]' expected type 'string', got unconvertible type 'map[string]interface {}', "
            "value: 'map[b:true]'\n"
            "* 'prog' expected type 'string', got unconvertible type '[]interface {}', value: '[/bin/x]'",
        ),
        (
            log.KIND,
            {"path": "/tmp/a.log", "mode": "0644"},
            "failed to decode options into *alert.LogHandlerConfig: 1 error(s) decoding:\n\n"
            "* 'mode' expected type 'fs.FileMode', got unconvertible type 'string', value: '0644'",
        ),
        (
            log.KIND,
            {"path": "/tmp/a.log", "mode": -1},
            "failed to decode options into *alert.LogHandlerConfig: 1 error(s) decoding:\n\n"
            "* cannot parse 'mode', -1 overflows uint",
        ),
        (
            log.KIND,
            {"path": "/tmp/a.log", "mode": -1.5},
            "failed to decode options into *alert.LogHandlerConfig: 1 error(s) decoding:\n\n"
            "* cannot parse 'mode', -1.500000 overflows uint",
        ),
        (
            tcp.KIND,
            ["address"],
            "failed to decode options into *alert.TCPHandlerConfig: '' expected a map, got 'slice'",
        ),
        (
            EVERY_TYPE,
            {"ol": [{"a": 1}, "x"], "f": "1.5", "b": 0, "m": "x", "sm": True},
            EVERY + "5 error(s) decoding:\n\n"
            "* 'b' expected type 'bool', got unconvertible type 'float64', value: '0'\n"
            "* 'f' expected type 'float64', got unconvertible type 'string', value: '1.5'\n"
            "* 'm' expected a map, got 'string'\n"
            "* 'ol[1]' expected a map, got 'string'\n"
            "* 'sm' expected a map, got 'bool'",
        ),
    ],
    ids=[
        "unknown-key",
        "unknown-keys-sorted",
        "duration-bool",
        "duration-bad-text",
        "several-errors-sorted",
        "map-expected",
        "list-expected",
        "list-elements",
        "file-mode-string",
        "file-mode-negative",
        "file-mode-negative-float",
        "not-an-object",
        "every-type",
    ],
)
def test_decode_errors(kind: HandlerKind, raw: Any, message: str) -> None:
    with pytest.raises(OptionsError) as caught:
        normalize(kind, raw)
    assert str(caught.value) == message


def test_floats_truncate_into_integers() -> None:
    assert normalize(log.KIND, {"path": "/tmp/a.log", "mode": 420.9}, OPEN_POLICY)["mode"] == 420


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"path": "/tmp/a.log", "mode": 0o444}, "invalid file mode -r--r--r--, must be user writable"),
        ({"path": "/tmp/a.log", "mode": 0}, "invalid file mode ----------, must be user writable"),
        ({"path": "alert.log"}, "log path must be absolute: alert.log is not absolute"),
        ({"path": "alert.log", "mode": 0o400}, "invalid file mode -r--------, must be user writable"),
    ],
    ids=["read-only", "zero", "relative-path", "mode-checked-first"],
)
def test_log_rules(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(OptionsError) as caught:
        normalize(log.KIND, raw)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("raw", "config", "accepted"),
    [
        ({}, None, False),
        ({"endpoint": "example"}, None, True),
        ({"endpoint": "missing"}, None, False),
        ({"endpoint": "missing", "url": "http://x"}, None, True),
        ({"endpoint": "test"}, StaticConfig({"httppost": [TEST_ENDPOINT]}, [post.SECTION]), True),
        ({"endpoint": "example"}, StaticConfig({"httppost": [TEST_ENDPOINT]}, [post.SECTION]), False),
    ],
    ids=["nothing", "default-endpoint", "unknown-endpoint", "unknown-endpoint-with-url", "configured", "replaced"],
)
def test_post_needs_a_url_or_a_configured_endpoint(
    raw: dict[str, Any], config: StaticConfig | None, accepted: bool
) -> None:
    if accepted:
        assert normalize(post.KIND, raw, config)["endpoint"] == raw["endpoint"]
        return
    with pytest.raises(OptionsError) as caught:
        normalize(post.KIND, raw, config)
    assert str(caught.value) == "An appropriately formatted url must be specified if an endpoint is not specified"


def test_tick_properties() -> None:
    assert {name: opt.name for name, opt in tick_properties(post.KIND).items()} == {
        "post": "url",
        "endpoint": "endpoint",
        "header": "headers",
        "captureResponse": "capture-response",
        "timeout": "timeout",
        "skipSSLVerification": "skip-ssl-verification",
    }
    assert {name: opt.name for name, opt in tick_properties(log.KIND).items()} == {"log": "path", "mode": "mode"}
    assert {name: opt.name for name, opt in tick_properties(tcp.KIND).items()} == {"tcp": "address"}
    assert {name: opt.name for name, opt in tick_properties(exec.KIND).items()} == {"exec": "prog"}


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1"),
        (1e6, "1e+06"),
        (123456.0, "123456"),
        (1234567.0, "1.234567e+06"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (-2.5, "-2.5"),
        (True, "true"),
        (None, "<nil>"),
        ([1, "a"], "[1 a]"),
        ({"b": 1, "a": [True]}, "map[a:[true] b:1]"),
    ],
    ids=lambda v: repr(v),
)
def test_go_v(value: Any, text: str) -> None:
    assert go_v(value) == text


def test_section_defaults_view() -> None:
    view = SectionDefaults(post.SECTION)
    example = {
        "endpoint": "example",
        "url": "http://example.com",
        "headers": {},
        "basic-auth": {},
        "alert-template": "",
        "alert-template-file": "",
        "row-template": "",
        "row-template-file": "",
    }
    assert view.section("httppost") == [example]
    assert (view.element("httppost", "example"), view.element("httppost"), view.element("httppost", "x")) == (
        example,
        example,
        None,
    )
    assert (view.section("slack"), SectionDefaults(None).element("httppost")) == ([], None)

"""Random inputs to every body-taking route: each gets a 2xx or a 4xx with a message, never a 500, and a rejected
write leaves the stored state unchanged. The server runs on its own thread so hypothesis can drive it synchronously.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hardening.live import RAN, Live, json_values, rejected_cleanly, scalars, snapshot
from tocsin.gotemplate import Template, TemplateError
from tocsin.handlers.registry import all_kinds

EXAMPLES = 250
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
HANDLERS = "/kapacitor/v1/alerts/topics/fuzz/handlers"
KINDS = sorted(k.name for k in all_kinds())


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    server = Live(tmp_path_factory.mktemp("fuzz"))
    status, _ = server.call("POST", HANDLERS, json.dumps({"id": "base", "kind": "tcp", "options": {"address": "x:1"}}))
    assert status == 200
    yield server
    server.stop()


_MATCH_BITS = [
    "level() ",
    "== ",
    "CRITICAL ",
    '"host" ',
    "'a' ",
    "AND ",
    "OR ",
    "=~ ",
    "/x/ ",
    "( ",
    ") ",
    "changed() ",
    "!",
    "1.5 ",
    "-",
    "name() ",
    "duration(1s) ",
]


@FUZZ
@given(st.lists(st.sampled_from(_MATCH_BITS)).map("".join) | st.text(max_size=40))
def _match_expressions_over_http(live: Live, match: str) -> None:
    before = snapshot(live, HANDLERS)
    body = json.dumps({"id": "m", "kind": "tcp", "options": {"address": "x:1"}, "match": match})
    status, text = live.call("POST", HANDLERS, body)
    if rejected_cleanly("match", status, text, (200,)):
        assert snapshot(live, HANDLERS) == before
    else:
        assert live.call("DELETE", HANDLERS + "/m")[0] == 204


@FUZZ
@given(
    st.fixed_dictionaries(
        {"id": st.sampled_from(["h", "base", "", "a b"]), "kind": st.sampled_from([*KINDS, "nope"])},
        optional={"options": st.dictionaries(st.text(max_size=12), json_values, max_size=5), "match": scalars},
    )
    | json_values
)
def _handler_bodies(live: Live, body: Any) -> None:
    before = snapshot(live, HANDLERS)
    status, text = live.call("POST", HANDLERS, json.dumps(body))
    if rejected_cleanly("handler", status, text, (200,)):
        assert snapshot(live, HANDLERS) == before
    else:
        assert live.call("DELETE", HANDLERS + "/" + body["id"])[0] == 204


@FUZZ
@given(
    st.sampled_from(["slack", "smtp", "pagerduty", "httppost", "exec", "http", "nope"]),
    st.dictionaries(st.sampled_from(["set", "delete", "add", "remove", "x"]), json_values, max_size=3) | json_values,
)
def _config_bodies(live: Live, section: str, body: Any) -> None:
    before = snapshot(live, "/kapacitor/v1/config")
    status, text = live.call("POST", f"/kapacitor/v1/config/{section}", json.dumps(body))
    if rejected_cleanly("config", status, text, (204,)):
        assert snapshot(live, "/kapacitor/v1/config") == before


patch_ops = st.fixed_dictionaries(
    {
        "op": st.sampled_from(["add", "remove", "replace", "move", "copy", "test", "bad"]),
        "path": st.sampled_from(["/id", "/kind", "/options", "/options/address", "/match", "/x", "", "/options/-"]),
    },
    optional={"value": json_values, "from": st.sampled_from(["/id", "/options", "/nope"])},
)


@FUZZ
@given(st.lists(patch_ops, max_size=3) | json_values)
def _json_patch_bodies(live: Live, patch: Any) -> None:
    before = snapshot(live, HANDLERS)
    status, text = live.call("PATCH", HANDLERS + "/base", json.dumps(patch))
    if rejected_cleanly("patch", status, text, (200,)):
        assert snapshot(live, HANDLERS) == before
    else:
        restore = {"id": "base", "kind": "tcp", "options": {"address": "x:1"}}
        new_id = json.loads(text)["id"]
        assert live.call("DELETE", HANDLERS + "/" + new_id)[0] == 204
        if new_id != "base":
            assert live.call("DELETE", HANDLERS + "/base")[0] == 204
        assert live.call("POST", HANDLERS, json.dumps(restore))[0] == 200


events = st.fixed_dictionaries(
    {"topic": st.sampled_from(["fuzz", "t:1", "", "a b"]), "id": st.text(max_size=8)},
    optional={
        "level": st.sampled_from(["OK", "INFO", "WARNING", "CRITICAL", "nope", 3]) | scalars,
        "message": scalars,
        "details": scalars,
        "time": scalars,
        "tags": json_values,
        "fields": json_values,
    },
)


@FUZZ
@given(st.lists(events, max_size=3) | events | json_values | st.text(max_size=30).map(lambda t: ("raw", t)))
def _intake_bodies(live: Live, body: Any) -> None:
    before = snapshot(live, "/kapacitor/v1/alerts/topics")
    raw = body[1] if isinstance(body, tuple) else json.dumps(body)
    status, text = live.call("POST", "/tocsin/v1/events", raw)
    if rejected_cleanly("intake", status, text, (202,)):
        assert snapshot(live, "/kapacitor/v1/alerts/topics") == before


_TEMPLATE_BITS = [
    "{{",
    "}}",
    "{{-",
    "-}}",
    ".",
    ".ID",
    ".Tags.host",
    "range",
    "end",
    "if",
    "else",
    "with",
    "$x",
    ":=",
    "|",
    "printf",
    '"%d"',
    "index",
    "len",
    "1",
    "nil",
    "(",
    ")",
    "define",
    "template",
    '"t"',
    "block",
    "/*",
    "*/",
    "and",
    "or",
    "not",
    "eq",
    "call",
    " ",
    "x",
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_TEMPLATE_BITS), max_size=16).map("".join) | st.text(max_size=40), json_values)
def _go_templates(text: str, data: Any) -> None:
    RAN["template"] = RAN.get("template", 0) + 1
    with contextlib.suppress(TemplateError):
        Template.parse("t", text).execute({"ID": "a", "Tags": {"host": "h"}, "Data": data})


def test_go_templates_raise_only_template_errors() -> None:
    RAN.pop("template", None)
    _go_templates()
    assert RAN["template"] >= 200, RAN


def test_match_expressions_over_http(live: Live) -> None:
    RAN.pop("match", None)
    _match_expressions_over_http(live)
    assert RAN["match"] >= 100, RAN


def test_handler_bodies(live: Live) -> None:
    RAN.pop("handler", None)
    _handler_bodies(live)
    assert RAN["handler"] >= 100, RAN


def test_config_bodies(live: Live) -> None:
    RAN.pop("config", None)
    _config_bodies(live)
    assert RAN["config"] >= 100, RAN


def test_json_patch_bodies(live: Live) -> None:
    RAN.pop("patch", None)
    _json_patch_bodies(live)
    assert RAN["patch"] >= 100, RAN


def test_intake_bodies(live: Live) -> None:
    RAN.pop("intake", None)
    _intake_bodies(live)
    assert RAN["intake"] >= 100, RAN

from __future__ import annotations

from typing import Any

import pytest

from tocsin.config.effective import Config
from tocsin.config.loader import FileConfig, load_text
from tocsin.config.overrides import OverrideRecord, Overrides, UpdateError, apply_update
from tocsin.errors import ConfigError
from tocsin.gocompat.duration import MINUTE, SECOND

from .sections import NO_ENV, SECTIONS

BASE_TEXT = """
[smtp]
  host = "mail.example.com"
  password = "file-password"

[[slack]]
  workspace = ""
  default = true

[[slack]]
  workspace = "a"
  url = "https://hooks/a"
"""
BASE = load_text(BASE_TEXT, environ={"KAPACITOR_SMTP_PORT": "2525"}, sections=SECTIONS)
DISABLED = load_text("[config-override]\n  enabled = false\n", environ=NO_ENV, sections=SECTIONS)


def update(
    section: str,
    element: str | None,
    slash: bool,
    body: Any,
    overrides: Overrides | None = None,
    base: FileConfig = BASE,
) -> Overrides:
    return apply_update(base, overrides or Overrides(), section, element, slash, body, sections=SECTIONS)


def effective(overrides: Overrides) -> Config:
    return Config.build(BASE, overrides, sections=SECTIONS)


def test_set_on_a_non_list_section_wins_over_file_and_env() -> None:
    overrides = update("smtp", None, True, {"set": {"port": 587, "host": "relay", "idle-timeout": "1m"}})
    assert overrides.records == (OverrideRecord("smtp", "", {"port": 587, "host": "relay", "idle-timeout": "1m"}),)
    smtp = effective(overrides).element("smtp")
    assert smtp is not None
    assert (smtp["port"], smtp["host"], smtp["idle-timeout"]) == (587, "relay", MINUTE)


def test_set_merges_and_delete_restores_the_file_and_env_values() -> None:
    first = update("smtp", None, True, {"set": {"port": "26", "host": "relay"}})
    second = update("smtp", None, True, {"set": {"from": "me@example.com"}, "delete": ["port"]}, first)
    assert second.records == (OverrideRecord("smtp", "", {"host": "relay", "from": "me@example.com"}),)
    smtp = effective(second).element("smtp")
    assert smtp is not None
    assert (smtp["port"], smtp["host"], smtp["from"]) == (2525, "relay", "me@example.com")
    cleared = update("smtp", None, True, {"delete": ["host", "from"]}, second)
    assert cleared.records == ()
    assert effective(cleared).element("smtp") == BASE.values["smtp"][0]


def test_secret_given_to_set_is_stored() -> None:
    overrides = update("smtp", None, True, {"set": {"password": "new-password"}})
    assert effective(overrides).get("smtp", "password") == "new-password"
    restored = update("smtp", None, True, {"delete": ["password"]}, overrides)
    assert effective(restored).get("smtp", "password") == "file-password"


def test_set_on_list_elements_by_key_and_trailing_slash_for_the_empty_key() -> None:
    overrides = update("slack", "a", False, {"set": {"channel": "#a"}})
    overrides = update("slack", None, True, {"set": {"channel": "#default", "url": "https://hooks/d"}}, overrides)
    cfg = effective(overrides)
    assert [(e["workspace"], e["channel"]) for e in cfg.section("slack")] == [("", "#default"), ("a", "#a")]
    assert [r.id for r in overrides.records] == ["slack/", "slack/a"]


def test_conversions_follow_kapacitor() -> None:
    overrides = update("smtp", None, True, {"set": {"port": 587.9, "to": ["a@x"], "idle-timeout": ""}})
    smtp = effective(overrides).element("smtp")
    assert smtp is not None
    assert (smtp["port"], smtp["to"], smtp["idle-timeout"]) == (587, ["a@x"], 30 * SECOND)


def test_add_then_set_then_remove() -> None:
    added = update("slack", None, True, {"add": {"workspace": "ops", "url": "https://hooks/ops", "enabled": True}})
    assert added.records == (
        OverrideRecord("slack", "ops", {"workspace": "ops", "url": "https://hooks/ops", "enabled": True}, create=True),
    )
    changed = update("slack", "ops", False, {"set": {"channel": "#ops"}}, added)
    ops = effective(changed).element("slack", "ops")
    assert ops is not None
    assert (ops["url"], ops["enabled"], ops["channel"], ops["default"], ops["username"]) == (
        "https://hooks/ops",
        True,
        "#ops",
        False,
        "kapacitor",
    )
    assert changed.get("slack", "ops") == OverrideRecord(
        "slack",
        "ops",
        {"workspace": "ops", "url": "https://hooks/ops", "enabled": True, "channel": "#ops"},
        create=True,
    )
    removed = update("slack", None, False, {"remove": ["ops"]}, changed)
    assert removed.records == ()
    assert [e["workspace"] for e in effective(removed).section("slack")] == ["", "a"]


def test_add_works_without_trailing_slash() -> None:
    added = update("kafka", None, False, {"add": {"id": "k1", "brokers": ["b:9092"]}})
    assert [e["id"] for e in effective(added).section("kafka")] == ["k1"]


def test_remove_keeps_file_elements_and_drops_only_their_overrides() -> None:
    overrides = update("slack", "a", False, {"set": {"channel": "#a"}})
    removed = update("slack", None, False, {"remove": ["a", "never-existed"]}, overrides)
    assert removed.records == ()
    assert effective(removed).section("slack") == BASE.values["slack"]


def test_empty_or_null_body_changes_nothing() -> None:
    assert update("smtp", None, True, None).records == ()
    assert update("smtp", None, True, {"set": {}, "unrelated": 1}).records == ()


def test_body_keys_match_case_insensitively() -> None:
    assert update("smtp", None, True, {"Set": {"port": 1}}).records == (OverrideRecord("smtp", "", {"port": 1}),)


def test_inputs_are_not_mutated() -> None:
    first = update("smtp", None, True, {"set": {"port": 1}})
    before = first.to_json()
    values_before = repr(BASE.values)
    update("smtp", None, True, {"set": {"port": 2}, "delete": ["host"]}, first)
    assert first.to_json() == before
    assert repr(BASE.values) == values_before


def test_only_the_updated_section_is_validated() -> None:
    broken = Overrides((OverrideRecord("smtp", "", {"port": "bob"}),))
    result = update("slack", "a", False, {"set": {"channel": "#a"}}, broken)
    assert [r.id for r in result.records] == ["slack/a", "smtp/"]


def test_json_round_trip() -> None:
    overrides = update("slack", None, True, {"add": {"workspace": "ops"}})
    overrides = update("smtp", None, True, {"set": {"port": 1}}, overrides)
    blob = overrides.to_json()
    assert blob == {
        "overrides": [
            {"section": "slack", "element": "ops", "create": True, "options": {"workspace": "ops"}},
            {"section": "smtp", "element": "", "create": False, "options": {"port": 1}},
        ]
    }
    assert Overrides.from_json(blob) == overrides


@pytest.mark.parametrize(
    "blob", [{}, {"overrides": [{"section": "x"}]}, {"overrides": 5}], ids=["no-list", "missing-fields", "not-a-list"]
)
def test_malformed_json_blob(blob: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        Overrides.from_json(blob)


APPLY = "failed to apply update: "
INVALID = APPLY + "invalid update action: "
ERRORS: list[tuple[str, tuple[str, str | None, bool], Any, int, str]] = [
    (
        "no-trailing-slash",
        ("smtp", None, False),
        {"set": {"host": "x"}},
        400,
        INVALID + "element not specified, are you missing a trailing '/'?",
    ),
    (
        "delete-without-element",
        ("slack", None, False),
        {"delete": ["channel"]},
        400,
        INVALID + "element not specified, are you missing a trailing '/'?",
    ),
    (
        "mixed",
        ("slack", None, True),
        {"set": {"channel": "#a"}, "add": {"workspace": "b"}},
        400,
        INVALID + "cannot provide both set/delete and add/remove actions in the same update",
    ),
    (
        "mixed-delete-remove",
        ("slack", None, True),
        {"delete": ["channel"], "remove": ["a"]},
        400,
        INVALID + "cannot provide both set/delete and add/remove actions in the same update",
    ),
    (
        "add-with-element",
        ("slack", "b", False),
        {"add": {"workspace": "b"}},
        400,
        INVALID + "must not provide an element name when adding an a new override",
    ),
    (
        "remove-with-element",
        ("slack", "a", False),
        {"remove": ["a"]},
        400,
        INVALID + "must not provide element when removing an override",
    ),
    ("no-section", ("", None, False), {"set": {"a": 1}}, 400, INVALID + "must provide section name"),
    ("bad-section-name", ("sl.ack", None, True), {"set": {"a": 1}}, 400, INVALID + 'invalid section name "sl.ack"'),
    (
        "bad-element-name",
        ("slack", "a b", False),
        {"set": {"channel": "#a"}},
        400,
        INVALID + 'invalid element name "a b"',
    ),
    (
        "non-ascii-element-name",
        ("slack", "é", False),
        {"set": {"channel": "#a"}},
        400,
        INVALID + 'invalid element name "é"',
    ),
    (
        "bad-added-name",
        ("slack", None, True),
        {"add": {"workspace": "a/b"}},
        400,
        INVALID + 'invalid element name "a/b"',
    ),
    ("unknown-section", ("nope", None, True), {"set": {"a": 1}}, 404, "unknown section: nope"),
    ("core-section", ("http", None, True), {"set": {"bind-address": ":1"}}, 404, "unknown section: http"),
    (
        "add-not-list",
        ("smtp", None, True),
        {"add": {"host": "x"}},
        400,
        APPLY + 'section "smtp" is not a list, cannot add new element',
    ),
    (
        "add-missing-key",
        ("slack", None, True),
        {"add": {"url": "https://x"}},
        400,
        APPLY + 'missing key "workspace" in "add" map',
    ),
    (
        "add-key-not-string",
        ("slack", None, True),
        {"add": {"workspace": 5}},
        400,
        APPLY + 'expected "workspace" key to be a string, got float64',
    ),
    (
        "add-key-null",
        ("slack", None, True),
        {"add": {"workspace": None}},
        400,
        APPLY + 'expected "workspace" key to be a string, got <nil>',
    ),
    (
        "add-file-element",
        ("slack", None, True),
        {"add": {"workspace": "a"}},
        400,
        'failed to read sections from configuration object: section "slack" has duplicate elements: "a"',
    ),
    (
        "add-invalid",
        ("slack", None, True),
        {"add": {"workspace": "b", "enabled": True}},
        400,
        "failed to override configuration slack/b: failed validation: must specify url",
    ),
    (
        "unknown-option",
        ("smtp", None, True),
        {"set": {"bogus": 1, "also": 2}},
        400,
        "failed to override configuration smtp/: unknown options [also bogus] in section smtp",
    ),
    (
        "unknown-element",
        ("slack", "ghost", False),
        {"set": {"channel": "#g"}},
        400,
        "failed to override configuration slack/ghost: unknown options [channel] in section slack",
    ),
    (
        "element-on-non-list",
        ("smtp", "x", False),
        {"set": {"host": "h"}},
        400,
        "failed to override configuration smtp/x: unknown options [host] in section smtp",
    ),
    (
        "type-int",
        ("smtp", None, True),
        {"set": {"port": "bob"}},
        400,
        'failed to override configuration smtp/: cannot set option port: cannot convert string "bob" into int',
    ),
    (
        "type-bool-to-int",
        ("smtp", None, True),
        {"set": {"port": True}},
        400,
        "failed to override configuration smtp/: cannot set option port: cannot convert bool into int",
    ),
    (
        "type-bool",
        ("smtp", None, True),
        {"set": {"enabled": "yes"}},
        400,
        "failed to override configuration smtp/: cannot set option enabled: wrong kind string, expected value of "
        "kind bool: false",
    ),
    (
        "type-string",
        ("slack", "a", False),
        {"set": {"url": False}},
        400,
        "failed to override configuration slack/a: cannot set option url: wrong kind bool, expected value of kind "
        "string: false",
    ),
    (
        "type-list",
        ("smtp", None, True),
        {"set": {"to": "a@x"}},
        400,
        "failed to override configuration smtp/: cannot set option to: wrong kind string, expected value of kind "
        "slice: false",
    ),
    (
        "type-list-item",
        ("smtp", None, True),
        {"set": {"to": [1]}},
        400,
        "failed to override configuration smtp/: cannot set option to: failed to copy slice value: wrong kind "
        "float64, expected value of kind string: false",
    ),
    (
        "type-duration-number",
        ("smtp", None, True),
        {"set": {"idle-timeout": 5}},
        400,
        "failed to override configuration smtp/: cannot set option idle-timeout: cannot unmarshal float64 into int64",
    ),
    (
        "type-duration-text",
        ("smtp", None, True),
        {"set": {"idle-timeout": "soon"}},
        400,
        'failed to override configuration smtp/: cannot set option idle-timeout: time: invalid duration "soon"',
    ),
    (
        "type-object",
        ("httppost", "example", False),
        {"set": {"basic-auth": {"user": "x"}}},
        400,
        "failed to override configuration httppost/example: cannot set option basic-auth: failed to decode options "
        "into basic-auth: has invalid keys: user",
    ),
    (
        "type-map-value",
        ("httppost", "example", False),
        {"set": {"headers": {"A": 1}}},
        400,
        "failed to override configuration httppost/example: cannot set option headers: failed to copy map value: "
        "wrong kind float64, expected value of kind string: false",
    ),
    (
        "element-key",
        ("slack", None, True),
        {"set": {"workspace": "renamed"}},
        400,
        "failed to override configuration slack/: cannot override element key workspace",
    ),
    (
        "validation",
        ("slack", None, True),
        {"set": {"enabled": True}},
        400,
        "failed to override configuration slack/: failed validation: must specify url",
    ),
    (
        "validation-global",
        ("slack", "a", False),
        {"set": {"global": True}},
        400,
        "failed to override configuration slack/a: failed validation: only the default config may be assigned as "
        "global",
    ),
    (
        "validation-non-list",
        ("smtp", None, True),
        {"set": {"host": ""}},
        400,
        "failed to override configuration smtp/: failed validation: host cannot be empty",
    ),
    (
        "body-array",
        ("smtp", None, True),
        [],
        400,
        "failed to decode JSON:json: cannot unmarshal array into Go value of type config.updateAction",
    ),
    (
        "body-set-string",
        ("smtp", None, True),
        {"set": "x"},
        400,
        "failed to decode JSON:json: cannot unmarshal string into Go struct field updateAction.set of type "
        "map[string]interface {}",
    ),
    (
        "body-remove-object",
        ("slack", None, False),
        {"remove": {"a": 1}},
        400,
        "failed to decode JSON:json: cannot unmarshal object into Go struct field updateAction.remove of type []string",
    ),
    (
        "body-delete-number",
        ("smtp", None, True),
        {"delete": [1]},
        400,
        "failed to decode JSON:json: cannot unmarshal number into Go struct field updateAction.delete of type string",
    ),
]


@pytest.mark.parametrize(("path", "body", "status", "message"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_update_errors(path: tuple[str, str | None, bool], body: Any, status: int, message: str) -> None:
    with pytest.raises(UpdateError) as info:
        update(*path, body)
    assert (info.value.status, info.value.message, str(info.value)) == (status, message, message)


def test_add_of_an_existing_override_is_a_400() -> None:
    added = update("slack", None, True, {"add": {"workspace": "ops"}})
    with pytest.raises(UpdateError) as info:
        update("slack", None, True, {"add": {"workspace": "ops"}}, added)
    assert (info.value.status, info.value.message) == (
        400,
        "failed to apply update: cannot add new override, override already exists for slack/ops",
    )
    edited = update("slack", "a", False, {"set": {"channel": "#a"}})
    with pytest.raises(UpdateError) as info:
        update("slack", None, True, {"add": {"workspace": "a"}}, edited)
    assert info.value.message == "failed to apply update: cannot add new override, override already exists for slack/a"


def test_created_element_keeps_its_key() -> None:
    added = update("slack", None, True, {"add": {"workspace": "ops"}})
    with pytest.raises(UpdateError) as info:
        update("slack", "ops", False, {"delete": ["workspace"]}, added)
    assert info.value.message == (
        'failed to override configuration slack/ops: element key "workspace" not present in options'
    )
    with pytest.raises(UpdateError) as info:
        update("slack", "ops", False, {"set": {"workspace": "other"}}, added)
    assert info.value.message == "failed to override configuration slack/ops: cannot override element key workspace"


def test_disabled_service_is_a_403() -> None:
    with pytest.raises(UpdateError) as info:
        update("smtp", None, True, {"set": {"port": 1}}, base=DISABLED)
    assert (info.value.status, info.value.message) == (403, "config override service is not enabled")

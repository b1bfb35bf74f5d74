"""The contract every registered handler kind keeps, checked over the whole registry."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from tests.support.config import OPEN_POLICY, OPEN_POLICY_TOML
from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.config.effective import Config
from tocsin.config.loader import default_config_toml, load_text
from tocsin.config.overrides import Overrides
from tocsin.config.schema import FieldType
from tocsin.config.view import config_document, redact
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers.base import HandlerKind, OptionType
from tocsin.handlers.options import normalize
from tocsin.handlers.registry import HANDLERS, get_kind
from tocsin.handlers.requests import HttpRequest

KINDS = sorted(HANDLERS)
POLICED = ("exec", "log")  # kinds disabled until [exec] allowed-commands / [log] allowed-dirs name something
PLANTED = "PLANTEDsecret0123456789"
EXAMPLES: dict[str, dict[str, Any]] = {
    "aggregate": {"id": "agg", "interval": "1s", "topic": "other"},
    "exec": {"prog": "/bin/true"},
    "kafka": {"cluster": "default", "topic": "alerts"},
    "log": {"path": "/tmp/tocsin-contract.log"},
    "post": {"url": "http://127.0.0.1:9/x"},
    "publish": {"topics": ["other"]},
    "tcp": {"address": "127.0.0.1:9"},
}


def kind(name: str) -> HandlerKind:
    return get_kind(name)


@pytest.mark.parametrize("name", KINDS)
def test_schema_is_complete(name: str) -> None:
    k = kind(name)
    assert k.name == name
    assert k.help, f"{name}: kind has no help"
    names = [o.name for o in k.options]
    assert len(names) == len(set(names)), f"{name}: duplicate option"
    for option in k.options:
        assert option.help, f"{name}.{option.name}: no help"
        assert isinstance(option.type, OptionType)
        assert not option.choices or option.default in (*option.choices, None, "")
    if k.config is not None:
        for field in k.config.fields:
            assert field.help, f"[{k.config.name}] {field.name}: no help"
            assert not field.choices or field.zero() in field.choices
        if k.config.is_list:
            assert k.config.element_key in k.config.field_map


@pytest.mark.parametrize("name", KINDS)
def test_defaults_normalize(name: str) -> None:
    k = kind(name)
    options = normalize(k, EXAMPLES.get(name, {}), OPEN_POLICY if name in POLICED else None)
    assert set(options) == {o.name for o in k.options}


@pytest.mark.parametrize("name", [n for n in KINDS if kind(n).config is not None])
def test_secrets_are_redacted_everywhere(name: str) -> None:
    section = kind(name).config
    assert section is not None
    secrets = [f for f in section.fields if f.secret]
    lines = []
    header = f"[[{section.name}]]" if section.is_list else f"[{section.name}]"
    lines.append(header)
    if section.is_list:
        lines.append(f'{section.element_key} = "planted"')
    url = section.field_map.get("url")
    if url is not None and not url.secret:
        lines.append('url = "http://example.com"')
    for field in secrets:
        if field.type is FieldType.OBJECT:
            lines.append(f'{field.name} = {{ username = "u", password = "{PLANTED}" }}')
        elif field.type is FieldType.STRING:
            lines.append(f'{field.name} = "{PLANTED}"')
    base = load_text("\n".join(lines) + "\n", "contract.conf", environ={})
    cfg = Config.build(base, Overrides())
    document = repr(config_document(cfg))
    assert PLANTED not in document
    if secrets:
        assert redact(cfg, f"failed: {PLANTED}!") == "failed: ***!"


@pytest.mark.parametrize("name", [n for n in KINDS if kind(n).service_tests])
def test_service_tests_build_on_the_default_config(name: str) -> None:
    cfg = Config.build(load_text("", "empty.conf", environ={}), Overrides())
    for test in kind(name).service_tests:
        try:
            request = test.build(dict(test.defaults), cfg)
        except DeliveryError as err:
            assert err.retryable is False and str(err)
        else:
            assert request is not None


@pytest.mark.parametrize("name", [n for n in KINDS if kind(n).combine is None])
def test_render_is_pure_and_deterministic(name: str) -> None:
    k = kind(name)
    text = '[[slack]]\nenabled = true\nurl = "http://127.0.0.1:9/s"\n' + OPEN_POLICY_TOML
    cfg = Config.build(load_text(text, "c", environ={}), Overrides())
    options = normalize(k, EXAMPLES.get(name, {}), cfg)
    event = Event(topic="t", id="cpu", level=Level.CRITICAL, time=0, message="cpu is CRITICAL")

    def attempt() -> object:
        # A kind whose section is disabled in this config refuses with a permanent config error.
        try:
            return k.render(event, options, cfg)
        except DeliveryError as err:
            assert (err.reason, err.retryable) == (Reason.CONFIG, False)
            return str(err)

    first, second = attempt(), attempt()
    assert first == second
    if isinstance(first, HttpRequest):
        assert first.body and first.url.startswith("http")


def test_default_config_lists_every_kind_section() -> None:
    parsed = tomllib.loads(default_config_toml())
    for name in KINDS:
        section = kind(name).config
        if section is not None:
            assert section.name in parsed, section.name

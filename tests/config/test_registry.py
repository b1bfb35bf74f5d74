from __future__ import annotations

from typing import Any

import pytest

from tocsin.alert.event import Event
from tocsin.config import registry
from tocsin.config.core import CORE_SECTIONS
from tocsin.config.schema import Field, FieldType, Section
from tocsin.handlers import registry as handlers
from tocsin.handlers import slack_config
from tocsin.handlers.base import ConfigView, HandlerKind
from tocsin.handlers.requests import Request

from .sections import SMTP

CORE_NAMES = [
    "",
    "alert",
    "alertmanager",
    "config-override",
    "deadman",
    "delivery",
    "exec",
    "http",
    "load",
    "log",
    "logging",
    "sideload",
    "stats",
    "storage",
]


def test_all_sections_gathers_core_kinds_and_extras(monkeypatch: pytest.MonkeyPatch) -> None:
    kind = HandlerKind(name="smtp", options=(), render=_render, config=SMTP)
    monkeypatch.setattr(handlers, "all_kinds", lambda: [kind, HandlerKind(name="log", options=(), render=_render)])
    monkeypatch.setattr(handlers, "EXTRA_SECTIONS", {"slack": "tocsin.handlers.slack_config:SECTION"})
    sections = registry.all_sections()
    assert list(sections) == sorted([*CORE_NAMES, "influxdb", "slack", "smtp"])
    assert sections["slack"] is slack_config.SECTION
    assert sections["smtp"] is SMTP
    assert [s.overridable for s in CORE_SECTIONS] == [False] * len(CORE_SECTIONS)
    assert registry.resolve(None) == sections


def _render(event: Event, options: dict[str, Any], config: ConfigView) -> Request:
    raise NotImplementedError


def test_with_core_and_by_name() -> None:
    extra = Section(name="aaa", fields=(Field("x", FieldType.STRING),))
    assert list(registry.with_core(extra)) == ["", "aaa", *CORE_NAMES[1:]]
    given = {"aaa": extra}
    assert registry.resolve(given) is given


def test_a_name_declared_twice_is_an_error() -> None:
    one = Section(name="dup", fields=())
    other = Section(name="dup", fields=())
    assert registry.by_name([one, one]) == {"dup": one}
    with pytest.raises(ValueError, match="'dup' is declared twice"):
        registry.by_name([one, other])

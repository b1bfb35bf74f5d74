from __future__ import annotations

import pytest

from tocsin.config.effective import Config
from tocsin.config.loader import load_text
from tocsin.config.overrides import Overrides, UpdateError, apply_update
from tocsin.config.paths import ConfigPath, parse_config_path
from tocsin.config.view import config_document, element_document, get_document, section_document

from .sections import NO_ENV, SECTIONS

PATHS = [
    ("/kapacitor/v1/config", ConfigPath("", "", False, False, False)),
    ("/kapacitor/v1/config/", ConfigPath("", "", True, False, True)),
    ("/kapacitor/v1/config/smtp", ConfigPath("smtp", "", True, False, False)),
    ("/kapacitor/v1/config/smtp/", ConfigPath("smtp", "", True, True, True)),
    ("/kapacitor/v1/config/slack/ops", ConfigPath("slack", "ops", True, True, False)),
    ("/kapacitor/v1/config/slack/ops/", ConfigPath("", "", True, False, True)),
]


@pytest.mark.parametrize(("path", "expected"), PATHS, ids=[p for p, _ in PATHS])
def test_parse_config_path(path: str, expected: ConfigPath) -> None:
    assert parse_config_path(path) == expected


CFG = Config.build(load_text("", environ=NO_ENV, sections=SECTIONS), Overrides(), sections=SECTIONS)


def test_get_document_routes_like_kapacitor() -> None:
    assert get_document(CFG, "/kapacitor/v1/config") == config_document(CFG)
    assert get_document(CFG, "/kapacitor/v1/config/smtp") == section_document(CFG, "smtp")
    assert get_document(CFG, "/kapacitor/v1/config/smtp/") == element_document(CFG, "smtp", "")
    assert get_document(CFG, "/kapacitor/v1/config/slack/") == element_document(CFG, "slack", "")
    assert get_document(CFG, "/kapacitor/v1/config/httppost/example") == element_document(CFG, "httppost", "example")


@pytest.mark.parametrize("path", ["/kapacitor/v1/config/", "/kapacitor/v1/config/a/b/c"], ids=["empty", "too-deep"])
def test_get_document_without_a_section(path: str) -> None:
    with pytest.raises(UpdateError) as info:
        get_document(CFG, path)
    assert (info.value.status, info.value.message) == (400, "section not specified, do you have an extra trailing '/'?")


def test_post_paths_feed_apply_update() -> None:
    base = load_text("", environ=NO_ENV, sections=SECTIONS)
    where = parse_config_path("/kapacitor/v1/config/")
    with pytest.raises(UpdateError) as info:
        apply_update(
            base,
            Overrides(),
            where.section,
            where.element or None,
            where.trailing_slash,
            {"set": {"a": 1}},
            sections=SECTIONS,
        )
    assert info.value.message == "failed to apply update: invalid update action: must provide section name"

from __future__ import annotations

import pytest

from tocsin.config.effective import Config
from tocsin.config.loader import load_text
from tocsin.config.overrides import OverrideRecord, Overrides, UpdateError
from tocsin.handlers.base import ConfigView

from .sections import NO_ENV, SECTIONS

TWO_SLACKS = """
[[slack]]
  workspace = "a"
[[slack]]
  workspace = "b"
  default = true
  channel = "#b"
"""


def build(text: str = "", overrides: Overrides | None = None) -> Config:
    base = load_text(text, environ=NO_ENV, sections=SECTIONS)
    return Config.build(base, overrides or Overrides(), sections=SECTIONS)


def test_is_a_config_view() -> None:
    view: ConfigView = build()
    assert view.section("nope") == []
    assert view.element("nope") is None


def test_element_lookup_rules() -> None:
    cfg = build(TWO_SLACKS)
    assert [e["workspace"] for e in cfg.section("slack")] == ["a", "b"]
    default = cfg.element("slack")
    assert default is not None and default["workspace"] == "b"
    assert cfg.element("slack", "") is default
    a = cfg.element("slack", "a")
    assert a is not None and a["workspace"] == "a"
    assert cfg.element("slack", "zzz") is None
    assert cfg.get("slack", "channel") == "#b"
    smtp = cfg.element("smtp", "ignored-for-non-list")
    assert smtp is not None and smtp["port"] == 25
    assert cfg.element("kafka") is None


def test_element_without_a_default_marker() -> None:
    one = build('[[httppost]]\n  endpoint = "only"\n')
    only = one.element("httppost")
    assert only is not None and only["endpoint"] == "only"
    two = build('[[httppost]]\n  endpoint = "x"\n[[httppost]]\n  endpoint = ""\n[[httppost]]\n  endpoint = "y"\n')
    assert two.element("httppost") is None
    empty_key = two.element("httppost", "")
    assert empty_key is not None and empty_key["endpoint"] == ""


def test_convenience_properties() -> None:
    cfg = build(
        'hostname = "h"\ndata_dir = "/d"\n[http]\n  bind-address = ":1"\n[config-override]\n  enabled = false\n'
    )
    assert (cfg.hostname, cfg.data_dir, cfg.bind_address, cfg.overrides_enabled, cfg.skip_overrides) == (
        "h",
        "/d",
        ":1",
        False,
        False,
    )
    assert cfg.get("", "hostname") == "h"
    with pytest.raises(KeyError):
        cfg.get("smtp", "nope")


def test_ignored_sections_are_kept() -> None:
    assert build("[replay]\n").ignored == ["replay"]


def test_overrides_apply_in_id_order_and_do_not_touch_the_base() -> None:
    base = load_text(TWO_SLACKS, environ=NO_ENV, sections=SECTIONS)
    overrides = Overrides(
        (
            OverrideRecord("slack", "a", {"channel": "#a"}),
            OverrideRecord("slack", "c", {"workspace": "c"}, create=True),
        )
    )
    cfg = Config.build(base, overrides, sections=SECTIONS)
    assert [(e["workspace"], e["channel"]) for e in cfg.section("slack")] == [("a", "#a"), ("b", "#b"), ("c", "")]
    assert base.values["slack"][0]["channel"] == ""


def test_stale_records_fail_like_kapacitor() -> None:
    with pytest.raises(UpdateError) as info:
        build("", Overrides((OverrideRecord("gone", "", {"x": 1}),)))
    assert (info.value.status, info.value.message) == (
        400,
        "failed to override configuration gone/: unknown section gone",
    )
    with pytest.raises(UpdateError) as info:
        build("", Overrides((OverrideRecord("slack", "gone", {"channel": "#g"}),)))
    assert info.value.message == (
        "failed to override configuration slack/gone: unknown options [channel] in section slack"
    )


def test_record_without_options_for_a_missing_element_is_harmless() -> None:
    cfg = build("", Overrides((OverrideRecord("slack", "gone", {}),)))
    assert [e["workspace"] for e in cfg.section("slack")] == [""]

from __future__ import annotations

import pytest

from tocsin.config.core import CONFIG_OVERRIDE, TOP_LEVEL
from tocsin.config.generate import toml_key, toml_string
from tocsin.config.loader import default_config_toml, load_text
from tocsin.config.registry import by_name
from tocsin.config.schema import Field, FieldType, Section

from .sections import HTTPPOST, KAFKA, NO_ENV, SECTIONS


def test_default_toml_round_trips_to_the_defaults() -> None:
    text = default_config_toml(SECTIONS)
    assert (
        load_text(text, environ=NO_ENV, sections=SECTIONS).values
        == load_text("", environ=NO_ENV, sections=SECTIONS).values
    )


def test_round_trip_keeps_non_default_values_of_every_type() -> None:
    odd = Section(
        name="odd",
        element_key="name",
        default_elements=(
            {
                "name": 'quote " back \\ tab \t del \x7f',
                "tags": ["a", "b c"],
                "headers": {"X-A": "1", "needs quoting": "é"},
                "auth": {"username": "u"},
                "ratio": 1e-07,
                "wait": 1_500_000,
            },
        ),
        fields=(
            Field("name", FieldType.STRING),
            Field("tags", FieldType.STRING_LIST),
            Field("headers", FieldType.STRING_MAP),
            Field("auth", FieldType.OBJECT, fields=(Field("username", FieldType.STRING),)),
            Field("ratio", FieldType.FLOAT),
            Field("wait", FieldType.DURATION),
        ),
    )
    sections = by_name([odd])
    loaded = load_text(default_config_toml(sections), environ=NO_ENV, sections=sections)
    assert loaded.values == {"odd": odd.initial_elements()}


def test_output_has_a_help_comment_per_option() -> None:
    sections = by_name([TOP_LEVEL, CONFIG_OVERRIDE, HTTPPOST, KAFKA])
    assert (
        default_config_toml(sections)
        == """\
# The hostname of this node, shown in alert templates.
hostname = "localhost"
# Directory for the SQLite store and other state.
data_dir = "./tocsin-data"
# Ignore the overrides saved through the config API at startup.
skip-config-overrides = false
# Accepted for Kapacitor compatibility; unused.
default-retention-policy = ""

# The /kapacitor/v1/config API.
[config-override]
  # Allow changing handler sections over the HTTP API.
  enabled = true
  # Directories that file paths set over the config API (httppost alert-template-file, row-template-file) must be \
inside; empty (the default): such paths come from this file only.
  allowed-file-dirs = []

[[httppost]]
  endpoint = "example"
  url = "http://example.com"
  headers = {}
  basic-auth = {}
  alert-template = ""
  alert-template-file = ""
  row-template = ""
  row-template-file = ""

# [[kafka]]
#  enabled = false
#  id = ""
#  brokers = []
#  timeout = "0s"
#  batch-size = 100
"""
    )


@pytest.mark.parametrize(
    ("name", "text"),
    [("plain-key", "plain-key"), ("data_dir", "data_dir"), ("has space", '"has space"'), ("", '""')],
    ids=["dash", "underscore", "space", "empty"],
)
def test_toml_key(name: str, text: str) -> None:
    assert toml_key(name) == text


def test_toml_string_escapes() -> None:
    assert toml_string('a"b\\c\nd\x01\x7fé') == '"a\\"b\\\\c\\nd\\u0001\\u007Fé"'

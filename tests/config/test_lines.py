from __future__ import annotations

from tocsin.config.lines import LineIndex

TEXT = """\
hostname = "h"
# comment
[http]
  bind-address = ":1"
[[slack]]
  workspace = "a"
[[slack]]
  "workspace" = "b"
  url = "u"
[[httppost]]
  endpoint = "e"
  [httppost.basic-auth]
    username = "u"
[ 'odd name' ]   # trailing comment
  key.sub = 1
"""


def test_tables_and_keys() -> None:
    lines = LineIndex(TEXT)
    assert lines.key("", 0, "hostname") == 1
    assert (lines.table("http", 0), lines.key("http", 0, "bind-address")) == (3, 4)
    assert (lines.table("slack", 0), lines.table("slack", 1)) == (5, 7)
    assert (lines.key("slack", 0, "workspace"), lines.key("slack", 1, "workspace"), lines.key("slack", 1, "url")) == (
        6,
        8,
        9,
    )
    assert lines.key("httppost", 0, "basic-auth") == 12
    assert lines.key("httppost", 0, "username") == 10
    assert (lines.table("odd name", 0), lines.key("odd name", 0, "key")) == (14, 15)


def test_unknown_places() -> None:
    lines = LineIndex(TEXT)
    assert lines.table("", 0) is None
    assert lines.table("slack", 2) is None
    assert lines.key("slack", 1, "channel") == 7
    assert lines.key("nope", 0, "x") is None

"""Alert levels OK < INFO < WARNING < CRITICAL, with Kapacitor's parsing rules."""

from __future__ import annotations

from enum import IntEnum


class Level(IntEnum):
    OK = 0
    INFO = 1
    WARNING = 2
    CRITICAL = 3

    def __str__(self) -> str:
        return self.name


def parse_level(text: str) -> Level:
    """Exact, case-insensitive level name (`critical`, `OK`). Raises ValueError naming the bad text."""
    try:
        return Level[text.upper()]
    except KeyError:
        raise ValueError(f"unknown alert level '{text}'") from None


_ALL = "OKINFOWARNINGCRITICAL"
_STARTS = {0: Level.OK, 2: Level.INFO, 6: Level.WARNING, 13: Level.CRITICAL}


def parse_min_level(text: str) -> Level:
    """A `min-level` query value as Kapacitor reads it.

    Kapacitor finds the upper-cased text inside "OKINFOWARNINGCRITICAL" and takes the level it starts at,
    so prefixes (`WARN`, `CRIT`) and the empty string (OK) are accepted.
    """
    up = text.upper()
    idx = _ALL.find(up)
    if idx in _STARTS:
        return _STARTS[idx]
    raise ValueError(f"unknown alert level '{text}'")


def decode_level(value: object) -> Level:
    """A level as Go's encoding/json decodes alert.Level (service-test options): a number 0-3, or a name.

    A name is matched as Kapacitor's UnmarshalText does: not upper-cased, and a prefix (`CRIT`) is enough.
    Raises ValueError with Kapacitor's text.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value in (0, 1, 2, 3):
        return Level(int(value))
    if isinstance(value, str) and value == value.upper():
        return parse_min_level(value)
    raise ValueError(f"unknown alert level '{value}'")

"""Line numbers of tables and keys in TOML text, for error messages (tomllib reports none after parsing)."""

from __future__ import annotations

import re

_HEADER = re.compile(r"\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?")
_KEY = re.compile(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*(?:\.|=)""")


def _unquote(part: str) -> str:
    part = part.strip()
    if len(part) >= 2 and part[0] == part[-1] and part[0] in "\"'":
        return part[1:-1]
    return part


class LineIndex:
    """Where each table element and each of its keys starts (1-based lines); a best-effort text scan.

    Tables are identified by section name and element index (the n-th `[[slack]]`, 0 for `[slack]`), the
    top level by section "". A sub-table such as `[httppost.basic-auth]` counts as the key `basic-auth` of
    its parent element.
    """

    def __init__(self, text: str) -> None:
        self._tables: dict[tuple[str, int], int] = {}
        self._keys: dict[tuple[str, int, str], int] = {}
        counts: dict[str, int] = {}
        table: tuple[str, int] = ("", 0)
        subkey: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            header = _HEADER.fullmatch(line)
            if header is not None:
                parts = [_unquote(p) for p in header.group(2).split(".")]
                name = parts[0]
                if len(parts) == 1:
                    if header.group(1) == "[[":
                        counts[name] = counts.get(name, -1) + 1
                    table = (name, counts.get(name, 0))
                    self._tables.setdefault(table, number)
                    subkey = None
                else:
                    table = (name, counts.get(name, 0))
                    subkey = parts[1]
                    self._keys.setdefault((*table, subkey), number)
                continue
            key = _KEY.match(line)
            if key is not None and subkey is None:
                self._keys.setdefault((*table, _unquote(key.group(1))), number)

    def table(self, section: str, index: int) -> int | None:
        """The header line of element `index` of `section` (None for the top level or when not found)."""
        return self._tables.get((section, index))

    def key(self, section: str, index: int, key: str) -> int | None:
        """The line of `key` in that element, else the element's header line."""
        return self._keys.get((section, index, key), self.table(section, index))

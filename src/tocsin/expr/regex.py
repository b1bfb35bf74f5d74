"""Go regular expressions on RE2 itself (google-re2): Go's syntax, and matching in linear time.

Python's `re` backtracks: `(a+)+$` over a long tag value takes exponential time and would hold the event
loop. RE2 is the engine Go's regexp package follows, so match expressions and TICKscript lambdas behave as in
Kapacitor (`\\z`, `\\Q...\\E`, `(?<name>`, POSIX classes, `\\pL`, the `U` flag) and refuse what Go refuses
(look-around, back-references), with Go's error texts.
"""

from __future__ import annotations

from collections.abc import Iterator

import re2

ERR_PREFIX = "error parsing regexp: "
# RE2's memory budget for one compiled expression (its default is 8 MiB too; set so it is stated).
MAX_MEM = 8 << 20
# Remembered `matches` answers per expression, and the longest text remembered.
SEEN_LIMIT = 4096
SEEN_TEXT_LIMIT = 256

# RE2's error codes as Go's regexp/syntax words them.
_GO_TEXTS = {
    "missing )": "missing closing )",
    "missing ]": "missing closing ]",
    "invalid perl operator": "invalid or unsupported Perl syntax",
    "invalid repetition size": "invalid repeat count",
    "no argument for repetition operator": "missing argument to repetition operator",
    "bad repetition operator": "invalid nested repetition operator",
    "pattern too large - compile failed": "expression too large",
    "pattern too large - reverse compile failed": "expression too large",
}

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False
_OPTIONS.max_mem = MAX_MEM
_UNANCHORED = re2._Anchor.UNANCHORED
_NO_MATCH = re2._NULL_SPAN


class GoRegex:
    """A compiled Go regular expression: `pattern` is its source text; equal when the sources are."""

    __slots__ = ("_compiled", "_native", "_seen", "pattern")

    def __init__(self, pattern: str, compiled: re2._Regexp) -> None:
        self.pattern = pattern
        self._compiled = compiled
        self._native = compiled._regexp
        self._seen: dict[str, bool] = {}

    def matches(self, text: str) -> bool:
        """Whether the expression matches anywhere in `text` (`=~`): no match object is built.

        Answers are remembered per text (tag values repeat: the same few hosts in every write), which makes a
        repeated match a dict lookup; RE2 itself costs about a microsecond per call from Python."""
        found = self._seen.get(text)
        if found is None:
            data = text.encode("utf-8", "surrogatepass")
            found = bool(self._native.Match(_UNANCHORED, data, 0, len(data))[0] != _NO_MATCH)
            if len(self._seen) >= SEEN_LIMIT:
                self._seen.clear()
            if len(text) <= SEEN_TEXT_LIMIT:
                self._seen[text] = found
        return found

    def search(self, text: str) -> re2._Match | None:
        return self._compiled.search(text)

    def match(self, text: str) -> re2._Match | None:
        return self._compiled.match(text)

    def fullmatch(self, text: str) -> re2._Match | None:
        return self._compiled.fullmatch(text)

    def finditer(self, text: str) -> Iterator[re2._Match]:
        yield from self._compiled.finditer(text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GoRegex) and other.pattern == self.pattern

    def __hash__(self) -> int:
        return hash(self.pattern)

    def __repr__(self) -> str:
        return f"GoRegex({self.pattern!r})"


def compile_go_regex(source: str) -> GoRegex:
    """Compile a Go regular expression; raises ValueError (`error parsing regexp: ...`) when invalid."""
    try:
        return GoRegex(source, re2.compile(source, _OPTIONS))
    except re2.error as exc:
        raise ValueError(ERR_PREFIX + _go_text(exc)) from None


def _go_text(exc: re2.error) -> str:
    raw = exc.args[0] if exc.args else ""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    code, sep, arg = text.partition(": ")
    word = _GO_TEXTS.get(code, code)
    return f"{word}: `{arg}`" if sep else word

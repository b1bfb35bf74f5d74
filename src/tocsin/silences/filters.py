"""Alertmanager's `filter` query parameter of GET /api/v2/silences: matchers written as text
(`alertname="disk"`, `host=~"db-.*"`, `team!=ops`), and which silences a list of them shows."""

from __future__ import annotations

from tocsin.silences.matchers import OPERATORS, Matcher, MatcherError
from tocsin.silences.silence import Silence


class FilterError(ValueError):
    """A filter that is not a matcher."""


def parse_filter(text: str) -> Matcher:
    """`name op value`, op one of = != =~ !~, the value bare or in double quotes."""
    spec = text.strip().strip("{}")
    for op, (is_regex, is_equal) in OPERATORS.items():
        name, sep, value = spec.partition(op)
        if sep and name.strip() and not any(c in name for c in "=!~"):
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            try:
                return Matcher.parse(
                    {"name": name.strip(), "value": value, "isRegex": is_regex, "isEqual": is_equal}, "filter"
                )
            except MatcherError as exc:
                raise FilterError(str(exc)) from None
    raise FilterError(f'filter "{text}": expected name=value, name!=value, name=~regex or name!~regex')


def shown_by(silence: Silence, filters: list[Matcher]) -> bool:
    """Alertmanager's rule: the filters must match the labels the silence's equality matchers name."""
    labels = {m.name: m.value for m in silence.matchers if m.is_equal and not m.is_regex}
    return all(f.matches(labels) for f in filters)

"""Alertmanager's label matchers, over what Tocsin knows of an event.

A matcher named `topic` sees the event's topic, `id` its alert ID, and any other name the tag of that name; a
missing tag is the empty string, as a missing label is in Alertmanager. Regexes are RE2 (Go's syntax, linear time),
anchored at both ends as Alertmanager anchors them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tocsin.expr.regex import GoRegex, compile_go_regex

TOPIC, ALERT_ID = "topic", "id"
# The operators of the text form (`host=db3`, `team!=ops`, `alertname=~disk.*`, `env!~dev|test`): (is_regex, is_equal),
# two-character ones first so that a parser trying them in order takes `!=` before `=`.
OPERATORS = {"=~": (True, True), "!~": (True, False), "!=": (False, False), "=": (False, True)}


class MatcherError(ValueError):
    """A matcher that cannot be used: the text names the field."""


@dataclass(frozen=True, slots=True)
class Matcher:
    name: str
    value: str
    is_regex: bool = False
    is_equal: bool = True
    regex: GoRegex | None = field(default=None, compare=False, repr=False)

    @classmethod
    def parse(cls, data: Any, where: str) -> Matcher:
        """From Alertmanager's JSON (`name`, `value`, `isRegex`, `isEqual` defaulting to true)."""
        if not isinstance(data, Mapping):
            raise MatcherError(f"{where}: expected an object with name, value and isRegex")
        name, value = data.get("name"), data.get("value")
        if not isinstance(name, str) or not name:
            raise MatcherError(f"{where}.name: a non-empty string is required")
        if not isinstance(value, str):
            raise MatcherError(f"{where}.value: a string is required")
        is_regex, is_equal = data.get("isRegex", False), data.get("isEqual", True)
        if not isinstance(is_regex, bool) or not isinstance(is_equal, bool):
            raise MatcherError(f"{where}: isRegex and isEqual must be true or false")
        regex = None
        if is_regex:
            try:
                compile_go_regex(value)  # the user's own pattern in the error, not the anchored one
            except ValueError as exc:
                raise MatcherError(f"{where}.value: invalid regular expression: {exc}") from None
            regex = compile_go_regex(f"^(?:{value})$")
        return cls(name, value, is_regex, is_equal, regex)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "isRegex": self.is_regex, "isEqual": self.is_equal}

    def matches_text(self, text: str) -> bool:
        found = self.regex.matches(text) if self.regex is not None else text == self.value
        return found == self.is_equal

    def matches(self, labels: Mapping[str, str]) -> bool:
        return self.matches_text(labels.get(self.name, ""))

    def __str__(self) -> str:
        """The text form, as amtool writes it: `host="db3"`, `alertname=~"disk.*"`."""
        op = next(op for op, flags in OPERATORS.items() if flags == (self.is_regex, self.is_equal))
        return f"{self.name}{op}{json.dumps(self.value, ensure_ascii=False)}"


def labels_of(topic: str, alert_id: str, tags: Mapping[str, str]) -> dict[str, str]:
    """What matchers see of an event: its tags, then `topic` and `id` (which win over tags of those names)."""
    return {**tags, TOPIC: topic, ALERT_ID: alert_id}

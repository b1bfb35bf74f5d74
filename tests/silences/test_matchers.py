"""Matchers as Alertmanager's: equality and regex (anchored, RE2), negation, the empty string for a missing
label; the cases of Alertmanager's own matcher tests (pkg/labels/matcher_test.go) over Tocsin's labels."""

from __future__ import annotations

import pytest

from tocsin.silences.filters import FilterError, parse_filter, shown_by
from tocsin.silences.matchers import Matcher, MatcherError, labels_of
from tocsin.silences.silence import Silence


def m(name: str, op: str, value: str) -> Matcher:
    is_regex, is_equal = op in ("=~", "!~"), op in ("=", "=~")
    return Matcher.parse({"name": name, "value": value, "isRegex": is_regex, "isEqual": is_equal}, "m")


# (matcher, label value or None for a missing label, matches) as in Alertmanager's TestMatcher
CASES = [
    (("label", "=", "bar"), "bar", True),
    (("label", "=", "bar"), "foo-bar", False),
    (("label", "!=", "bar"), "bar", False),
    (("label", "!=", "bar"), "foo-bar", True),
    (("label", "=~", "bar"), "bar", True),
    (("label", "=~", "bar"), "foo-bar", False),
    (("label", "=~", ".*bar"), "foo-bar", True),
    (("label", "!~", "bar"), "bar", False),
    (("label", "!~", "bar"), "foo-bar", True),
    (("label", "!~", ".*bar"), "foo-bar", False),
    (("label", "=~", "$*bar"), "foo-bar", False),
    (("label", "=~", "bar|baz"), "baz", True),
    (("label", "=", ""), None, True),
    (("label", "!=", ""), None, False),
    (("label", "=~", ".*"), None, True),
    (("label", "=~", ".+"), None, False),
    (("label", "!~", ".+"), None, True),
    (("label", "=", "ü"), "ü", True),
]


@pytest.mark.parametrize(("spec", "value", "expected"), CASES, ids=[f"{s[1]}{s[2]!r}-{v!r}" for s, v, _ in CASES])
def test_alertmanagers_matcher_cases(spec: tuple[str, str, str], value: str | None, expected: bool) -> None:
    labels = {} if value is None else {"label": value}
    assert m(*spec).matches(labels) is expected


def test_topic_and_id_are_the_events_own() -> None:
    labels = labels_of("cpu", "web1:cpu", {"host": "web1", "topic": "tag-named-topic"})
    assert labels == {"host": "web1", "topic": "cpu", "id": "web1:cpu"}
    assert m("topic", "=", "cpu").matches(labels) and m("id", "=~", "web.*").matches(labels)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("host=web", "m: expected an object with name, value and isRegex"),
        ({"value": "x"}, "m.name: a non-empty string is required"),
        ({"name": "host", "value": 3}, "m.value: a string is required"),
        ({"name": "host", "value": "x", "isRegex": "yes"}, "m: isRegex and isEqual must be true or false"),
        (
            {"name": "host", "value": "(", "isRegex": True},
            "m.value: invalid regular expression: error parsing regexp: missing closing ): `(`",
        ),
    ],
)
def test_bad_matchers_say_what_and_where(data: object, message: str) -> None:
    with pytest.raises(MatcherError) as err:
        Matcher.parse(data, "m")
    assert str(err.value) == message


def test_filters_are_matcher_texts() -> None:
    assert parse_filter('alertname="disk"') == m("alertname", "=", "disk")
    assert parse_filter("host=~db-.*") == m("host", "=~", "db-.*")
    assert parse_filter('team!="ops"') == m("team", "!=", "ops")
    assert parse_filter("a!~b") == m("a", "!~", "b")
    with pytest.raises(FilterError) as err:
        parse_filter("nothing")
    assert str(err.value) == 'filter "nothing": expected name=value, name!=value, name=~regex or name!~regex'


def test_a_filter_shows_silences_whose_equality_matchers_it_matches() -> None:
    silence = Silence("s", (m("alertname", "=", "disk"), m("host", "=~", "db.*")), 0, 1, "", "", 0)
    assert shown_by(silence, [m("alertname", "=", "disk")])
    assert not shown_by(silence, [m("host", "=", "db1")])  # a regex matcher names no label value
    assert shown_by(silence, [])

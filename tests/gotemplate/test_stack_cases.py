"""The sixteen Kapacitor-style templates STACK.md §5 checked against Go, with Go's exact outputs."""

from __future__ import annotations

import pytest

from tocsin.gotemplate import StringMap, Template

from .alertdata import message_info

CASES = [
    ("id-is-level", "{{.ID}} is {{.Level}}", {}, "cpu:nil is CRITICAL"),
    ("index-tag", '{{ index .Tags "host" }}', {}, "server01"),
    ("if-eq-else", '{{ if eq .Level "OK" }}fine{{ else }}alarm{{ end }}', {}, "alarm"),
    ("if-eq-then", '{{ if eq .Level "OK" }}fine{{ else }}alarm{{ end }}', {"Level": "OK"}, "fine"),
    ("printf-0.2f", '{{ index .Fields "value" | printf "%0.2f" }}', {}, "97.51"),
    ("float-v-exponent", "{{ .Fields.big }}", {"Fields": {"big": 1e6}}, "1e+06"),
    ("tags-map", "{{ .Tags }}", {}, "map[host:server01 region:us-west]"),
    (
        "range-sorted",
        "{{ range $k, $v := .Tags }}{{ $k }}={{ $v }};{{ end }}",
        {"Tags": StringMap(zone="b", app="a", host="h")},
        "app=a;host=h;zone=b;",
    ),
    (
        "len-and-or-not-lt",
        "{{ $n := len .Tags }}{{ if and (lt $n 3) (not (or false (lt 5 $n))) }}few{{ end }}",
        {},
        "few",
    ),
    ("with", "{{ with .Tags.host }}host={{ . }}{{ end }}", {}, "host=server01"),
    ("no-value", "{{ .Fields.missing }}", {}, "<no value>"),
    ("trim-markers", "a  {{- .Level -}}  b", {}, "aCRITICALb"),
    (
        "printf-verbs",
        '{{ printf "%v %s %d %q" .Fields.value .Level .Fields.count .Name }}',
        {},
        '97.5123 CRITICAL 3 "cpu"',
    ),
    ("ne-printf-t", '{{ ne .Level "OK" | printf "%t" }}', {}, "true"),
    ("index-missing-tag", '[{{ index .Tags "nope" }}]', {}, "[]"),
    ("index-missing-field", '[{{ index .Fields "nope" }}]', {}, "[<no value>]"),
]


@pytest.mark.parametrize(("text", "overrides", "want"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_kapacitor_template_matches_go(text: str, overrides: dict[str, object], want: str) -> None:
    assert Template.parse("message", text).execute(message_info(**overrides)) == want

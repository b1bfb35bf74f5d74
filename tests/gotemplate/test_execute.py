"""Execution rows modelled on Go's text/template exec_test.go, with Go's outputs and error texts."""

from __future__ import annotations

from typing import Any

import pytest

from tocsin.gotemplate import Struct, Template, TemplateError


class T(Struct):
    """A struct with methods, like exec_test.go's T."""

    __slots__ = ()

    def Method0(self) -> str:
        return "M0"

    def Method1(self, a: int) -> int:
        return a

    def Method2(self, a: int, s: str) -> str:
        return f"Method2: {a} {s}"

    def MErr(self, fail: bool) -> str:
        if fail:
            raise ValueError("fail")
        return "ok"


DATA = T(
    "main.T",
    {
        "True": True,
        "I": 17,
        "X": "x",
        "U": Struct("main.U", V="v"),
        "FloatZero": 0.0,
        "SI": [3, 4, 5],
        "SIEmpty": [],
        "MSI": {"one": 1, "two": 2, "three": 3},
        "MSIEmpty": {},
        "Empty0": None,
        "Empty3": [7, 8],
        "Nested": {"a": {"b": [10, 20]}},
    },
)

ROWS = [
    # fields and chains
    ("dot-string", "<{{.}}>", "hello", "<hello>"),
    ("field", "{{.X}}", DATA, "x"),
    ("nested-field", "{{.U.V}}", DATA, "v"),
    ("map-field", "{{.MSI.one}}", DATA, "1"),
    ("map-missing", "{{.MSI.nope}}", DATA, "<no value>"),
    ("map-missing-chain", "{{.MSI.nope.deeper}}", DATA, "<no value>"),
    ("nil-field", "{{.Empty0}}", DATA, "<no value>"),
    ("slice-field", "{{.SI}}", DATA, "[3 4 5]"),
    ("map-print", "{{.MSI}}", DATA, "map[one:1 three:3 two:2]"),
    ("struct-print", "{{.U}}", DATA, "{v}"),
    ("dollar", "{{$.X}}{{with .U}}{{$.I}}{{.V}}{{end}}", DATA, "x17v"),
    ("nil-data", "{{.X}}", None, "<no value>"),
    ("paren-chain", "{{(.U).V}}", DATA, "v"),
    # methods
    ("method0", "{{.Method0}}", DATA, "M0"),
    ("method1", "{{.Method1 1234}}", DATA, "1234"),
    ("method2", '{{.Method2 16 "x"}}', DATA, "Method2: 16 x"),
    ("method-pipe-final", '{{"x" | .Method2 16}}', DATA, "Method2: 16 x"),
    ("method-in-paren", '{{(.Method1 7) | printf "%03d"}}', DATA, "007"),
    # literals
    ("int", "{{17}}", None, "17"),
    ("negative", "{{-3}}", None, "-3"),
    ("float", "{{1.5}}", None, "1.5"),
    ("float-exp", "{{1e3}}", None, "1000"),
    ("hex", "{{0x1F}}", None, "31"),
    ("octal", "{{017}}", None, "15"),
    ("underscore", "{{1_000}}", None, "1000"),
    ("char", "{{'a'}}", None, "97"),
    ("raw-string", "{{`a\\nb`}}", None, "a\\nb"),
    ("string-escapes", '{{"a\\tb\\u00e9"}}', None, "a\tbé"),
    ("bool", "{{true}} {{false}}", None, "true false"),
    ("comment", "a{{/* a comment */}}b", None, "ab"),
    ("comment-trim", "a {{- /* c */ -}} b", None, "ab"),
    ("trim-newlines", "a\n\t{{- 1 -}}\n\tb", None, "a1b"),
    ("no-trim-without-space", "{{-1}}", None, "-1"),
    # if / else if / with / range
    ("if-true", "{{if true}}T{{end}}", None, "T"),
    ("if-zero", "{{if 0}}T{{else}}F{{end}}", None, "F"),
    ("if-float-zero", "{{if .FloatZero}}T{{else}}F{{end}}", DATA, "F"),
    ("if-empty-string", '{{if ""}}T{{else}}F{{end}}', None, "F"),
    ("if-empty-slice", "{{if .SIEmpty}}T{{else}}F{{end}}", DATA, "F"),
    ("if-empty-map", "{{if .MSIEmpty}}T{{else}}F{{end}}", DATA, "F"),
    ("if-struct", "{{if .U}}T{{end}}", DATA, "T"),
    ("if-nil", "{{if .Empty0}}T{{else}}F{{end}}", DATA, "F"),
    ("else-if", "{{if eq .I 1}}one{{else if eq .I 17}}seventeen{{else}}other{{end}}", DATA, "seventeen"),
    ("else-if-fallthrough", "{{if false}}a{{else if false}}b{{else}}c{{end}}", None, "c"),
    ("with", "{{with .U}}{{.V}}{{end}}", DATA, "v"),
    ("with-else", "{{with .SIEmpty}}x{{else}}empty{{end}}", DATA, "empty"),
    ("with-decl", '{{with $x := "hello"}}{{$x}}{{.}}{{end}}', None, "hellohello"),
    ("else-with", "{{with .SIEmpty}}a{{else with .X}}{{.}}{{end}}", DATA, "x"),
    ("range-slice", "{{range .SI}}-{{.}}-{{end}}", DATA, "-3--4--5-"),
    ("range-else", "{{range .SIEmpty}}-{{.}}-{{else}}EMPTY{{end}}", DATA, "EMPTY"),
    ("range-nil-else", "{{range .Empty0}}x{{else}}none{{end}}", DATA, "none"),
    ("range-one-var", "{{range $x := .SI}}<{{$x}}>{{end}}", DATA, "<3><4><5>"),
    ("range-two-vars", "{{range $i, $e := .SI}}<{{$i}}={{$e}}>{{end}}", DATA, "<0=3><1=4><2=5>"),
    ("range-map-sorted", "{{range .MSI}}-{{.}}-{{end}}", DATA, "-1--3--2-"),
    ("range-map-kv", "{{range $k, $v := .MSI}}{{$k}}={{$v}} {{end}}", DATA, "one=1 three=3 two=2 "),
    ("range-int", "{{range 3}}{{.}}{{end}}", None, "012"),
    ("range-break", "{{range .SI}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}", DATA, "3"),
    ("range-continue", "{{range .SI}}{{if eq . 4}}{{continue}}{{end}}{{.}}{{end}}", DATA, "35"),
    ("range-outer-var", "{{$x := 1}}{{range .SI}}{{$x}}{{end}}", DATA, "111"),
    ("range-assign", "{{$i := 0}}{{$e := 0}}{{range $i, $e = .SI}}{{end}}{{$i}}{{$e}}", DATA, "25"),
    ("range-dollar", "{{range .SI}}{{$.X}}{{end}}", DATA, "xxx"),
    # variables
    ("var-assign", '{{$x := "a"}}{{$x = "b"}}{{$x}}', None, "b"),
    ("var-scope-if", "{{$x := 1}}{{if true}}{{$x = 2}}{{$y := 3}}{{end}}{{$x}}", None, "2"),
    ("var-field", "{{$u := .U}}{{$u.V}}", DATA, "v"),
    ("var-decl-prints-nothing", "{{$x := 5}}", None, ""),
    # pipelines
    ("pipe-printf", '{{.I | printf "%d-%s" 5}}', DATA, "5-%!s(int=17)"),
    ("pipe-chain", '{{"x" | printf "%s" | printf "%q"}}', None, '"x"'),
    ("paren-pipeline", '{{(printf "%d" 1)}}', None, "1"),
    # and / or
    ("and-returns-falsy", "{{and 1 0 2}}", None, "0"),
    ("and-returns-last", "{{and 1 2}}", None, "2"),
    ("or-returns-truthy", '{{or 0 "" "x" 3}}', None, "x"),
    ("or-returns-last", '{{or 0 ""}}', None, ""),
    ("and-short-circuit", "{{and false .NoSuch}}", DATA, "false"),
    ("or-short-circuit", "{{or true .NoSuch}}", DATA, "true"),
    ("and-pipe-final", "{{1 | and 2}}", None, "1"),
    ("not", "{{not 0}} {{not .SI}}", DATA, "true false"),
    # comparisons
    ("eq-multi", "{{eq 3 1 2 3}}", None, "true"),
    ("eq-multi-false", '{{eq "a" "b" "c"}}', None, "false"),
    ("eq-nil", "{{eq .Empty0 nil}}", DATA, "true"),
    ("eq-missing-string", '{{eq .MSI.nope "x"}}', DATA, "false"),
    ("ne", "{{ne 1 2}}", None, "true"),
    ("lt-float", "{{lt 1.5 2.5}}", None, "true"),
    ("lt-string", '{{lt "a" "b"}}', None, "true"),
    ("le", "{{le 2 2}} {{le 3 2}}", None, "true false"),
    ("gt-ge", "{{gt 3 2}} {{ge 2 3}}", None, "true false"),
    ("cmp-field-float", "{{gt .Fields.v 90.0}}", {"Fields": {"v": 97.5}}, "true"),
    ("cmp-field-int", "{{gt .Fields.n 2}}", {"Fields": {"n": 3}}, "true"),
    # len, index, slice
    ("len-string-bytes", '{{len "héllo"}}', None, "6"),
    ("len-slice-map", "{{len .SI}} {{len .MSI}}", DATA, "3 3"),
    ("index-slice", "{{index .SI 2}}", DATA, "5"),
    ("index-map", '{{index .MSI "two"}}', DATA, "2"),
    ("index-nested", '{{index .Nested "a" "b" 1}}', DATA, "20"),
    ("index-string-byte", '{{index "abc" 1}}', None, "98"),
    ("slice-string", '{{slice "abcde" 1 3}}', None, "bc"),
    ("slice-open", '{{slice "abcde" 2}}', None, "cde"),
    ("slice-list", "{{slice .SI 1}}", DATA, "[4 5]"),
    ("slice-none", "{{slice .SI}}", DATA, "[3 4 5]"),
    # print family
    ("print-numbers", "{{print 1 2 3}}", None, "1 2 3"),
    ("print-strings", '{{print "a" "b"}}', None, "ab"),
    ("print-mixed", '{{print 1 "a" 2}}', None, "1a2"),
    ("print-nil", "{{print nil}}", None, "<nil>"),
    ("print-missing", "{{print .MSI.nope}}", DATA, "<nil>"),
    ("println", '{{println 1 "a" 2}}', None, "1 a 2\n"),
    ("printf-width", '{{printf "%5.1f|%-4d|%04d|%x" 3.14159 7 42 255}}', None, "  3.1|7   |0042|ff"),
    # escaping functions
    (
        "html",
        '{{html "<a href=\\"x\\">O\'Neil & co</a>"}}',
        None,
        "&lt;a href=&#34;x&#34;&gt;O&#39;Neil &amp; co&lt;/a&gt;",
    ),
    ("html-missing", "{{html .MSI.nope}}", DATA, "&lt;no value&gt;"),
    ("js", '{{js "It\'d be <nice> = \\"x\\"\\n"}}', None, 'It\\\'d be \\u003Cnice\\u003E \\u003D \\"x\\"\\u000A'),
    ("urlquery", '{{urlquery "http://www.example.org/?a=b c"}}', None, "http%3A%2F%2Fwww.example.org%2F%3Fa%3Db+c"),
    ("urlquery-multi", "{{urlquery 1 2}}", None, "1+2"),
    # define / template / block
    ("define-template", '{{define "T"}}[{{.}}]{{end}}{{template "T" 5}}', None, "[5]"),
    ("template-no-pipe", '{{define "T"}}[{{.}}]{{end}}{{template "T"}}', 1, "[<no value>]"),
    ("block", '{{block "B" .X}}<{{.}}>{{end}}', DATA, "<x>"),
]


@pytest.mark.parametrize(("text", "data", "want"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_execute(text: str, data: Any, want: str) -> None:
    assert Template.parse("t", text).execute(data) == want


def test_call_builtin() -> None:
    data = {"F": lambda a, b: a * b}
    assert Template.parse("t", "{{call .F 6 7}}").execute(data) == "42"


EXEC_ERRORS = [
    (
        "missing-struct-field",
        "{{.NoSuch}}",
        DATA,
        'template: t:1:2: executing "t" at <.NoSuch>: can\'t evaluate field NoSuch in type main.T',
    ),
    (
        "missing-nested-field",
        "x\n  {{.U.W}}",
        DATA,
        'template: t:2:6: executing "t" at <.U.W>: can\'t evaluate field W in type main.U',
    ),
    (
        "field-of-int",
        "{{.I.X}}",
        DATA,
        'template: t:1:4: executing "t" at <.I.X>: can\'t evaluate field X in type int',
    ),
    (
        "field-of-map-value",
        "{{.MSI.one.X}}",
        DATA,
        'template: t:1:6: executing "t" at <.MSI.one.X>: can\'t evaluate field X in type interface {}',
    ),
    (
        "nil-pointer",
        "{{.Nested.x.y}}",
        {"Nested": {"x": None}},
        'template: t:1:9: executing "t" at <.Nested.x.y>: nil pointer evaluating interface {}.y',
    ),
    (
        "lt-int-float",
        "{{lt .I 1.5}}",
        DATA,
        'template: t:1:2: executing "t" at <lt .I 1.5>: error calling lt: incompatible types for comparison',
    ),
    (
        "eq-int-float",
        "{{eq 1 1.0}}",
        None,
        'template: t:1:2: executing "t" at <eq 1 1.0>: error calling eq: incompatible types for comparison',
    ),
    (
        "lt-bool",
        "{{lt true false}}",
        None,
        'template: t:1:2: executing "t" at <lt true false>: error calling lt: invalid type for comparison',
    ),
    (
        "lt-nil",
        "{{lt .Empty0 1}}",
        DATA,
        'template: t:1:2: executing "t" at <lt .Empty0 1>: error calling lt: invalid type for comparison',
    ),
    (
        "wrong-arg-count",
        "{{lt 1}}",
        None,
        'template: t:1:2: executing "t" at <lt>: wrong number of args for lt: want 2 got 1',
    ),
    (
        "wrong-arg-count-variadic",
        "{{and}}",
        None,
        'template: t:1:2: executing "t" at <and>: wrong number of args for and: want at least 1 got 0',
    ),
    (
        "index-out-of-range",
        "{{index .SI 10}}",
        DATA,
        'template: t:1:2: executing "t" at <index .SI 10>: error calling index: index out of range: 10',
    ),
    (
        "index-wrong-key-type",
        "{{index .MSI 1}}",
        DATA,
        'template: t:1:2: executing "t" at <index .MSI 1>: error calling index: value has type int; should be string',
    ),
    (
        "slice-bad-range",
        '{{slice "abc" 2 1}}',
        None,
        'template: t:1:2: executing "t" at <slice "abc" 2 1>: error calling slice: invalid slice index: 2 > 1',
    ),
    (
        "len-of-int",
        "{{len 3}}",
        None,
        'template: t:1:2: executing "t" at <len 3>: error calling len: len of type int',
    ),
    (
        "method-error",
        "{{.MErr true}}",
        DATA,
        'template: t:1:2: executing "t" at <.MErr>: error calling MErr: fail',
    ),
    (
        "method-arg-count",
        "{{.Method1}}",
        DATA,
        'template: t:1:2: executing "t" at <.Method1>: wrong number of args for Method1: want 1 got 0',
    ),
    (
        "field-with-args",
        "{{.X 1}}",
        DATA,
        'template: t:1:2: executing "t" at <.X>: X has arguments but cannot be invoked as function',
    ),
    (
        "map-key-with-args",
        "{{.MSI.one 1}}",
        DATA,
        'template: t:1:6: executing "t" at <.MSI.one>: one is not a method but has arguments',
    ),
    (
        "nil-command",
        "{{nil}}",
        None,
        'template: t:1:2: executing "t" at <nil>: nil is not a command',
    ),
    (
        "arg-to-non-function",
        "{{1 2}}",
        None,
        'template: t:1:2: executing "t" at <1>: can\'t give argument to non-function 1',
    ),
    (
        "range-over-string",
        '{{range "abc"}}{{end}}',
        None,
        'template: t:1:8: executing "t" at <"abc">: range can\'t iterate over abc',
    ),
    (
        "printf-format-not-string",
        "{{printf 3}}",
        None,
        'template: t:1:9: executing "t" at <3>: expected string; found 3',
    ),
    (
        "undefined-template",
        '{{template "nope"}}',
        None,
        'template: t:1:11: executing "t" at <{{template "nope"}}>: template "nope" not defined',
    ),
    (
        "error-in-parenthesized-pipeline",
        '{{printf "%d" (index .SI 99)}}',
        DATA,
        'template: t:1:15: executing "t" at <index .SI 99>: error calling index: index out of range: 99',
    ),
    (
        "long-context",
        '{{index .Nested "a" "b" "c"}}',
        DATA,
        'template: t:1:2: executing "t" at <index .Nested "a" "b...>: error calling index: '
        "cannot index slice/array with type string",
    ),
    (
        "in-defined-template",
        '{{define "inner"}}{{.Nope}}{{end}}{{template "inner" .U}}',
        DATA,
        'template: t:1:20: executing "inner" at <.Nope>: can\'t evaluate field Nope in type main.U',
    ),
    (
        "byte-column",
        "é{{.NoSuch}}",
        DATA,
        'template: t:1:4: executing "t" at <.NoSuch>: can\'t evaluate field NoSuch in type main.T',
    ),
]


@pytest.mark.parametrize(("text", "data", "want"), [r[1:] for r in EXEC_ERRORS], ids=[r[0] for r in EXEC_ERRORS])
def test_execution_error(text: str, data: Any, want: str) -> None:
    tmpl = Template.parse("t", text)
    with pytest.raises(TemplateError) as info:
        tmpl.execute(data)
    assert str(info.value) == want


def test_execution_error_position_attributes() -> None:
    with pytest.raises(TemplateError) as info:
        Template.parse("t", "ab\ncd {{.Nope}}").execute(DATA)
    assert (info.value.line, info.value.column) == (2, 6)

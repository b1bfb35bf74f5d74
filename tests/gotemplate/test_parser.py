"""Parse trees and parse errors, modelled on Go's text/template/parse parse_test.go."""

from __future__ import annotations

import pytest

from tocsin.gotemplate import Template, TemplateError
from tocsin.gotemplate.builtins import BUILTINS
from tocsin.gotemplate.parser import parse

# Each tree prints back (Go's Node.String) in a normalised form.
TREES = [
    ("empty", "", ""),
    ("text", "some text", "some text"),
    ("field", "{{.X}}", "{{.X}}"),
    ("chain-field", "{{.X.Y.Z}}", "{{.X.Y.Z}}"),
    ("spaces", "{{  .X   .Y  }}", "{{.X .Y}}"),
    ("dollar", "{{$}}", "{{$}}"),
    ("variable-field", "{{with $x := 3}}{{$x.Y}}{{end}}", "{{with $x := 3}}{{$x.Y}}{{end}}"),
    ("pipeline", '{{.X|printf "%d"|printf "%s"}}', '{{.X | printf "%d" | printf "%s"}}'),
    ("parens", "{{(.X).Y (print 1)}}", "{{(.X).Y (print 1)}}"),
    ("if-else", "{{if .X}}a{{else}}b{{end}}", "{{if .X}}a{{else}}b{{end}}"),
    ("else-if", "{{if .X}}a{{else if .Y}}b{{end}}", "{{if .X}}a{{else}}{{if .Y}}b{{end}}{{end}}"),
    ("range-decl", "{{range $i, $v := .X}}{{$v}}{{end}}", "{{range $i, $v := .X}}{{$v}}{{end}}"),
    ("assign", "{{$x := 1}}{{$x = 2}}", "{{$x := 1}}{{$x = 2}}"),
    ("comment-dropped", "a{{/* c */}}b", "ab"),
    ("trim", "a  {{- 1 -}}  b", "a{{1}}b"),
    ("raw-string", "{{`x`}}", "{{`x`}}"),
    ("template", '{{template "t" .}}', '{{template "t" .}}'),
    ("break", "{{range .X}}{{break}}{{continue}}{{end}}", "{{range .X}}{{break}}{{continue}}{{end}}"),
    ("newline-in-action", "{{.X\n|\nprint}}", "{{.X | print}}"),
    ("newline-in-assignment", "{{ $x \n := \n 1 \n }}", "{{$x := 1}}"),
    ("trailing-pipe", "{{.X | }}", "{{.X}}"),
    ("nested-pipeline", "{{.X (.Y .Z) (.A | .B .C) (.E)}}", "{{.X (.Y .Z) (.A | .B .C) (.E)}}"),
    ("else-with-chain", "{{with .X}}X{{else with .Y}}Y{{end}}", "{{with .X}}X{{else}}{{with .Y}}Y{{end}}{{end}}"),
    ("block-becomes-template", '{{block "foo" .}}hello{{end}}', '{{template "foo" .}}'),
    ("variable-arg-with-space", "{{$x:=.}}{{$x +2}}", "{{$x := .}}{{$x +2}}"),
]


@pytest.mark.parametrize(("text", "want"), [t[1:] for t in TREES], ids=[t[0] for t in TREES])
def test_tree_string(text: str, want: str) -> None:
    assert str(parse("t", text, BUILTINS.keys())["t"]) == want


def test_break_is_a_function_when_defined() -> None:
    tmpl = Template.parse("t", "{{range .}}{{break .}}{{end}}", funcs={"break": lambda x: x * 2})
    assert tmpl.execute([1, 2]) == "24"


def test_define_adds_tree() -> None:
    trees = parse("t", '{{define "a"}}A{{.}}{{end}}main', BUILTINS.keys())
    assert (str(trees["t"]), str(trees["a"])) == ("main", "A{{.}}")


PARSE_ERRORS = [
    ("unclosed-action", "hello{{range", "template: t:1: unclosed action"),
    ("unclosed-action-multiline", "{{range\n.X\n", "template: t:3: unclosed action started at t:1"),
    ("unmatched-end", "{{end}}", "template: t:1: unexpected {{end}}"),
    ("unmatched-else", "{{else}}", "template: t:1: unexpected {{else}}"),
    ("missing-end", "hello{{range .x}}", "template: t:1: unexpected EOF"),
    ("missing-end-if", "a\n{{if .X}}\nhello", "template: t:3: unexpected EOF"),
    ("double-else", "{{if .X}}1{{else}}2{{else}}3{{end}}", "template: t:1: expected end; found {{else}}"),
    ("undefined-function", "{{undefined}}", 'template: t:1: function "undefined" not defined'),
    ("undefined-variable", "{{$x}}", 'template: t:1: undefined variable "$x"'),
    ("variable-out-of-scope", "{{with $x := 4}}{{end}}{{$x}}", 'template: t:1: undefined variable "$x"'),
    ("empty-pipeline", "{{}}", "template: t:1: missing value for command"),
    ("empty-if", "{{if}}x{{end}}", "template: t:1: missing value for if"),
    ("empty-parens", "{{ ( ) }}", "template: t:1: missing value for parenthesized pipeline"),
    ("empty-parens-arg", '{{printf "%d" ( ) }}', "template: t:1: missing value for parenthesized pipeline"),
    ("non-executable-stage", '{{.X | "a"}}', "template: t:1: non executable command in pipeline stage 2"),
    ("too-many-decls", "{{$a, $b := 1}}", "template: t:1: too many declarations in command"),
    ("range-three-vars", "{{range $a, $b, $c := .}}{{end}}", "template: t:1: too many declarations in range"),
    ("range-bad-decl", "{{range $a, 3}}{{end}}", "template: t:1: range can only initialize variables"),
    ("dot-after-literal", '{{"a".X}}', 'template: t:1: unexpected . after term "\\"a\\""'),
    ("bad-character", "{{.X@}}", "template: t:1: bad character U+0040 '@'"),
    ("unrecognized-character", "{{ # }}", 'template: t:1: unexpected "#" in command'),
    ("unterminated-string", '{{"abc}}', "template: t:1: unterminated quoted string"),
    ("unterminated-raw", "{{`abc}}", "template: t:1: unterminated raw quoted string"),
    ("bad-escape", '{{"\\z"}}', "template: t:1: invalid syntax"),
    ("unclosed-comment", "{{/* x }}", "template: t:1: unclosed comment"),
    ("comment-not-at-end", "{{/* x */ 1}}", "template: t:1: comment ends before closing delimiter"),
    ("bad-number", "{{3k}}", 'template: t:1: bad number syntax: "3k"'),
    ("illegal-number", "{{1.2.3}}", 'template: t:1: unexpected ".3" in operand'),
    ("unexpected-right-paren", "{{ 1 ) }}", "template: t:1: unexpected right paren"),
    ("unclosed-paren", "{{ (1 }}", "template: t:1: unclosed left paren"),
    ("colon-without-equals", "{{$x := 1}}{{$x : 1}}", "template: t:1: expected :="),
    ("declare-with-field", "{{$x := 23}}{{with $x.y := 3}}{{end}}", 'template: t:1: unexpected ":=" in operand'),
    ("adjacent-args", "{{printf 3`x`}}", 'template: t:1: unexpected "`x`" in operand'),
    ("invalid-punctuation", "{{printf 3, 4}}", 'template: t:1: unexpected "," in operand'),
    ("unclosed-line-numbers", 'line1\n{{"x"\n"y"\n', "template: t:4: unclosed action started at t:2"),
    ("unclosed-blank-lines", "{{\n\n\n\n\n", "template: t:6: unclosed action started at t:1"),
    ("multiline-raw-string", "{{ $v := `\n` }} {{", "template: t:2: unclosed action"),
    ("range-undefined-vars", "{{range $k, $v}}{{end}}", 'template: t:1: undefined variable "$v"'),
    ("range-missing-value", "{{range $k, $v := }}{{end}}", "template: t:1: missing value for range"),
    ("range-not-variable", "{{range $k, 123 := .}}{{end}}", "template: t:1: range can only initialize variables"),
    ("bad-hex", "{{0xi}}", 'template: t:1: illegal number syntax: "0xi"'),
    ("unterminated-char", "{{'a}}", "template: t:1: unterminated character constant"),
    ("block-without-pipeline", '{{block "foo"}}hello{{end}}', "template: t:1: missing value for block clause"),
    ("break-outside-range", "{{break}}", "template: t:1: {{break}} outside {{range}}"),
    ("continue-outside-range", "{{if true}}{{continue}}{{end}}", "template: t:1: {{continue}} outside {{range}}"),
    ("template-name-not-string", "{{template .X}}", 'template: t:1: unexpected ".X" in template clause'),
    (
        "redefinition",
        '{{define "a"}}x{{end}}{{define "a"}}y{{end}}',
        'template: t:1: template: multiple definition of template "a"',
    ),
    (
        "define-not-top-level",
        '{{if true}}{{define "a"}}{{end}}{{end}}',
        "template: t:1: unexpected <define> in command",
    ),
    ("error-line", "line one\nline two {{ .X }}\n{{ .Y | nope }}", 'template: t:3: function "nope" not defined'),
]


@pytest.mark.parametrize(("text", "want"), [e[1:] for e in PARSE_ERRORS], ids=[e[0] for e in PARSE_ERRORS])
def test_parse_error(text: str, want: str) -> None:
    with pytest.raises(TemplateError) as info:
        Template.parse("t", text)
    assert str(info.value) == want


def test_parse_error_has_line_and_column() -> None:
    with pytest.raises(TemplateError) as info:
        Template.parse("alert", "ok\n  {{ nope }}")
    assert (str(info.value), info.value.line, info.value.column) == (
        'template: alert:2: function "nope" not defined',
        2,
        6,
    )


def test_template_error_is_a_parse_error() -> None:
    from tocsin.errors import ParseError

    with pytest.raises(ParseError):
        Template.parse("t", "{{")

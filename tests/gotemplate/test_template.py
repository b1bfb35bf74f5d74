"""The public Template API: custom functions, their validation and error reporting."""

from __future__ import annotations

import pytest

from tocsin.gotemplate import Template, TemplateError


def test_custom_function() -> None:
    tmpl = Template.parse("t", '{{ upper "x" }}{{ "y" | upper }}', funcs={"upper": str.upper})
    assert tmpl.execute(None) == "XY"


def test_custom_variadic_function() -> None:
    tmpl = Template.parse("t", "{{ join 1 2 3 }}", funcs={"join": lambda *a: "-".join(map(str, a))})
    assert tmpl.execute(None) == "1-2-3"


def test_custom_function_overrides_builtin() -> None:
    assert Template.parse("t", "{{ len 1 }}", funcs={"len": lambda x: 42}).execute(None) == "42"


def test_custom_function_error() -> None:
    def boom(x: object) -> str:
        raise RuntimeError("boom")

    with pytest.raises(TemplateError) as info:
        Template.parse("t", "{{ boom 1 }}", funcs={"boom": boom}).execute(None)
    assert str(info.value) == 'template: t:1:3: executing "t" at <boom 1>: error calling boom: boom'


def test_custom_function_arity() -> None:
    with pytest.raises(TemplateError) as info:
        Template.parse("t", "{{ f 1 2 }}", funcs={"f": lambda x: x}).execute(None)
    assert str(info.value) == 'template: t:1:3: executing "t" at <f>: wrong number of args for f: want 1 got 2'


@pytest.mark.parametrize(
    ("funcs", "message"),
    [
        ({"1x": len}, "function name '1x' is not a valid identifier"),
        ({"a-b": len}, "function name 'a-b' is not a valid identifier"),
        ({"f": 3}, "value for f not a function"),
    ],
    ids=["leading-digit", "dash", "not-callable"],
)
def test_bad_funcs(funcs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError) as info:
        Template.parse("t", "x", funcs=funcs)  # type: ignore[arg-type]
    assert str(info.value) == message


def test_template_is_reusable() -> None:
    tmpl = Template.parse("t", "{{ .N }}")
    assert [tmpl.execute({"N": n}) for n in (1, 2)] == ["1", "2"]


def test_recursive_template_depth_limit() -> None:
    tmpl = Template.parse("t", '{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}')
    with pytest.raises(TemplateError) as info:
        tmpl.execute(None)
    assert str(info.value) == (
        'template: t:1:25: executing "r" at <{{template "r" .}}>: exceeded maximum template depth (100)'
    )


def test_function_without_signature_accepts_any_arguments() -> None:
    assert Template.parse("t", "{{ m 3 9 4 }}", funcs={"m": max}).execute(None) == "9"


@pytest.mark.parametrize(
    ("text", "partial"),
    [
        ("a{{ .N }}b{{ .N.X }}c", "a1b"),
        ('x{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}y', "x"),
        ("{{ .N }} done", "1 done"),
    ],
    ids=["execution-error", "depth-limit", "no-error"],
)
def test_execute_partial_keeps_the_output_before_an_error(text: str, partial: str) -> None:
    assert Template.parse("t", text).execute_partial({"N": 1}) == partial

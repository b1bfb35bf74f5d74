"""A Go template cannot run away: a step budget and an output cap end it with a clear error."""

from __future__ import annotations

import pytest

from tocsin.gotemplate import TemplateError
from tocsin.gotemplate.execute import MAX_OUTPUT, MAX_STEPS
from tocsin.gotemplate.template import Template


def test_nested_ranges_stop_at_the_step_budget() -> None:
    template = Template.parse("m", "{{ range .A }}{{ range $.A }}{{ range $.A }}x{{ end }}{{ end }}{{ end }}")
    with pytest.raises(TemplateError) as err:
        template.execute({"A": list(range(150))})  # 3.4 million iterations without the budget
    assert str(err.value) == (
        f'template: m:1:39: executing "m" at <$.A>: template run stopped after {MAX_STEPS} steps '
        "(a range over too much data?)"
    )


def test_output_stops_at_the_cap() -> None:
    template = Template.parse("m", "{{ range .A }}{{ $.Big }}{{ end }}")
    with pytest.raises(TemplateError) as err:
        template.execute({"A": list(range(100)), "Big": "y" * 100_000})
    assert str(err.value).endswith(f"template output is larger than {MAX_OUTPUT} characters")


def test_ordinary_templates_are_untouched() -> None:
    template = Template.parse("m", "{{ range .A }}{{ . }},{{ end }}")
    assert template.execute({"A": list(range(1000))}) == "".join(f"{i}," for i in range(1000))

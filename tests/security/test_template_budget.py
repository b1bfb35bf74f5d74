"""A Go template cannot run away: step, output and time budgets end it with a clear error, and a render
that may wait finishes in a worker thread."""

from __future__ import annotations

import threading

import pytest

from tocsin.gotemplate import TemplateError
from tocsin.gotemplate.budget import LOOP_SECONDS, rendered
from tocsin.gotemplate.execute import MAX_OUTPUT, MAX_STEPS
from tocsin.gotemplate.template import Template


async def test_nested_ranges_stop_at_the_step_budget() -> None:
    template = Template.parse("m", "{{ range .A }}{{ range $.A }}{{ range $.A }}x{{ end }}{{ end }}{{ end }}")
    with pytest.raises(TemplateError) as err:  # in a thread, where the time budget is long enough
        await rendered(lambda: template.execute({"A": list(range(150))}))  # 3.4 million iterations unbudgeted
    assert str(err.value) == (
        f'template: m:1:39: executing "m" at <$.A>: template run stopped after {MAX_STEPS} steps '
        "(a range over too much data?)"
    )


async def test_output_stops_at_the_cap() -> None:
    template = Template.parse("m", "{{ range .A }}{{ $.Big }}{{ end }}")
    with pytest.raises(TemplateError) as err:
        await rendered(lambda: template.execute({"A": list(range(100)), "Big": "y" * 100_000}))
    assert str(err.value).endswith(f"template output is larger than {MAX_OUTPUT} characters")


def test_ordinary_templates_are_untouched() -> None:
    template = Template.parse("m", "{{ range .A }}{{ . }},{{ end }}")
    assert template.execute({"A": list(range(300))}) == "".join(f"{i}," for i in range(300))


SLOW = '{{ range .A }}{{ range $.A }}{{ $_ := printf "%v" $.M }}{{ end }}{{ end }}x'
SLOW_DATA = {"A": list(range(150)), "M": {str(i): i for i in range(50)}}  # about 0.6 s without a time budget


def test_a_slow_run_stops_at_the_loop_budget() -> None:
    with pytest.raises(TemplateError) as err:
        Template.parse("m", SLOW).execute(SLOW_DATA)
    assert str(err.value).endswith(
        f"template run stopped after {round(LOOP_SECONDS * 1000)} ms (a range over too much data?)"
    )


async def test_a_render_that_can_wait_moves_to_a_thread() -> None:
    template = Template.parse("m", '{{ range .A }}{{ range $.A }}{{ $_ := printf "%v" $.M }}{{ end }}{{ end }}x')
    threads: list[str] = []

    def render() -> str:
        threads.append(threading.current_thread().name)
        return template.execute({"A": list(range(30)), "M": SLOW_DATA["M"]})  # about 30 ms

    assert await rendered(render) == "x"
    main = threading.current_thread().name
    assert threads[0] == main and threads[1] != main and len(threads) == 2

"""Go text/template for Tocsin: Kapacitor's alert id/message/details and handler templates.

Compatible with Go's text/template: the same grammar (actions, trim markers, comments, pipelines,
variables, if/else if/range/with/else, break/continue, define/template/block), the same builtins, Go's fmt
rendering of values (`%v` floats `1e+06`, maps `map[k:v]` sorted), and Go's error texts.

`html=True` approximates html/template for Kapacitor's `.details()`: every action's output is escaped for
HTML text (`"`→`&#34;`, `'`→`&#39;`, `&`→`&amp;`, `+`→`&#43;`, `<`→`&lt;`, `>`→`&gt;`, NUL→U+FFFD) and nil
prints nothing, and HTML comments in the template text are dropped. Limitation: there is no contextual
parsing of the HTML, so values inside attributes, `<script>`, `<style>` or URLs are escaped as text too,
where Go would pick an attribute, JS, CSS or URL escaper (and filter unsafe URLs).

Other known differences from Go: no complex numbers; no `%x`/`%b` of floats or `%p`; templates may nest
at most 100 calls deep (Go: 100000); the range-over-int and `else with` forms are always accepted.
"""

from __future__ import annotations

from tocsin.gotemplate.errors import TemplateError
from tocsin.gotemplate.gofmt import format_value, sprint, sprintln
from tocsin.gotemplate.goprintf import sprintf
from tocsin.gotemplate.gotime import GoDuration, GoMonth, GoTime, GoWeekday
from tocsin.gotemplate.kapacitor import kapacitor_funcs
from tocsin.gotemplate.template import Template
from tocsin.gotemplate.values import StringMap, Struct, to_jsonable

__all__ = [
    "GoDuration",
    "GoMonth",
    "GoTime",
    "GoWeekday",
    "StringMap",
    "Struct",
    "Template",
    "TemplateError",
    "format_value",
    "kapacitor_funcs",
    "sprint",
    "sprintf",
    "sprintln",
    "to_jsonable",
]

"""The one error type of the template engine, with Go's message texts."""

from __future__ import annotations

from tocsin.errors import ParseError

# Execution errors Go's text/template raises with fixed wording (exec.go / funcs.go).
ERR_BAD_COMPARISON_TYPE = "invalid type for comparison"
ERR_BAD_COMPARISON = "incompatible types for comparison"
ERR_NO_COMPARISON = "missing argument for comparison"
NO_VALUE = "<no value>"


class TemplateError(ParseError):
    """A template failed to parse or to execute; `str()` is Go's message.

    Parse errors read `template: <name>:<line>: <what>` (Go reports no column for them, but `.column` is
    set); execution errors read `template: <name>:<line>:<byte col>: executing "<name>" at <<node>>: <what>`.
    """


class FuncError(Exception):
    """Raised by a builtin to report `error calling <func>: <message>`."""


def line_and_column(text: str, pos: int) -> tuple[int, int]:
    """1-based line and column (in characters) of offset `pos`."""
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1

"""Errors raised while parsing, compiling and evaluating TICKscript expressions."""

from __future__ import annotations

from tocsin.errors import ParseError, TocsinError


class ExprParseError(ParseError):
    """The text is not a valid expression; `line`/`column` (1-based) locate the offending token."""


class CompileError(ParseError):
    """The expression parsed but cannot be compiled (unknown function, wrong argument count, ...)."""


class EvalError(TocsinError, ValueError):
    """Evaluating a compiled expression failed (type mismatch, missing value, bad function argument)."""

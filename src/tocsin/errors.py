"""The root of Tocsin's exception tree; each subclass also inherits the stdlib type it refines."""

from __future__ import annotations


class TocsinError(Exception):
    """Base class of every error Tocsin raises on purpose."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class ConfigError(TocsinError, ValueError):
    """A configuration value or file is invalid; the message names the file, key or field."""


class ParseError(TocsinError, ValueError):
    """Text (an expression, a template, a handler file) could not be parsed.

    `line` and `column` are 1-based when known.
    """

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class StoreError(TocsinError, OSError):
    """The store could not complete a read or a write."""

"""The CLI's error types; `main` maps each to an exit code and an `Error: ...` line, never a traceback."""

from __future__ import annotations

from tocsin.errors import TocsinError

EXIT_OK = 0
EXIT_USAGE = 2
# Kapacitor's CLI exits with 3 whenever a command returns an error.
EXIT_COMMAND = 3


class CommandError(TocsinError):
    """A command failed; printed as `Error: <message>` with exit code 3."""


class ApiError(CommandError):
    """The API answered with an unexpected status; the message is the API's `error` text."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class UnreachableError(CommandError):
    """The API could not be reached at all (connection refused, DNS failure, timeout)."""


class UsageError(TocsinError, ValueError):
    """The command line is wrong; the usage of `verb` (or the main usage) follows the message, exit code 2."""

    def __init__(self, message: str, verb: str = "") -> None:
        super().__init__(message)
        self.verb = verb


class HelpRequested(TocsinError):
    """`-h`/`-help` was given; the usage of `verb` (or the main usage) goes to stdout, exit code 0."""

    def __init__(self, verb: str = "") -> None:
        super().__init__(verb)
        self.verb = verb

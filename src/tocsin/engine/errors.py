"""Errors the engine reports to its callers; the API layer maps each class to a status code."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from tocsin.errors import TocsinError


class InvalidError(TocsinError, ValueError):
    """The caller's input is invalid (HTTP 400)."""


class NotFoundError(TocsinError, LookupError):
    """The thing named does not exist (HTTP 404)."""


class ConflictError(TocsinError):
    """The request conflicts with the current state (HTTP 409)."""


class UnavailableError(TocsinError):
    """The engine cannot accept work right now, e.g. the store cannot write (HTTP 503)."""


class ForbiddenError(TocsinError):
    """The operation is switched off by configuration (HTTP 403)."""


@contextlib.contextmanager
def storing(what: str) -> Iterator[None]:
    """Turn a failed store write into 503: nothing was changed, and the caller may try again."""
    try:
        yield
    except Exception as exc:
        raise UnavailableError(f"the store cannot save the {what} right now: {exc}") from exc

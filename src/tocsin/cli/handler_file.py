"""Reading a handler file from disk for `define-topic-handler` (the format lives in tocsin.handler_files)."""

from __future__ import annotations

from typing import Any

from tocsin.cli.errors import CommandError
from tocsin.handler_files import OPEN_FAILED, parse_handler_spec


def load_handler_file(path: str) -> dict[str, Any]:
    """Read and decode a handler file; raises CommandError if unreadable, ParseError if malformed."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise CommandError(OPEN_FAILED.format(path=path, reason=reason)) from None
    return parse_handler_spec(text, path)

"""What `exec` handlers may run and where `log` handlers may write: `[exec] allowed-commands`, `[log] allowed-dirs`.

Patterns are absolute paths with glob characters (`*` and `?` stay within one path segment); an empty list allows
everything, as Kapacitor does, and startup logs a warning about it.
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Iterable
from pathlib import PurePosixPath

from tocsin.handlers.base import ConfigView

log = logging.getLogger(__name__)

COMMAND_NOT_ALLOWED = 'program "{prog}" is not allowed by [exec] allowed-commands'
PATH_NOT_ALLOWED = 'log path "{path}" is not inside a directory of [log] allowed-dirs'


def _patterns(config: ConfigView, section: str, key: str) -> list[str]:
    element = config.element(section) or {}
    return [str(p) for p in element.get(key) or ()]


def _matches(path: PurePosixPath, patterns: Iterable[str]) -> bool:
    return any(path.match(pattern) for pattern in patterns)


def command_problem(prog: str, config: ConfigView) -> str | None:
    """Why `prog` may not run, or None when `[exec] allowed-commands` is empty or a pattern matches it."""
    allowed = _patterns(config, "exec", "allowed-commands")
    if not allowed:
        return None
    clean = posixpath.normpath(prog) if prog else prog
    if not clean.startswith("/") or not _matches(PurePosixPath(clean), allowed):
        return COMMAND_NOT_ALLOWED.format(prog=prog)
    return None


def log_path_problem(path: str, config: ConfigView) -> str | None:
    """Why a log handler may not write `path`, or None when `[log] allowed-dirs` is empty or holds a parent of it."""
    allowed = _patterns(config, "log", "allowed-dirs")
    if not allowed:
        return None
    clean = PurePosixPath(posixpath.normpath(path))
    if not any(_matches(parent, allowed) for parent in clean.parents):
        return PATH_NOT_ALLOWED.format(path=path)
    return None


def warn_open_policies(config: ConfigView) -> None:
    """Log a warning for each of `[exec] allowed-commands` and `[log] allowed-dirs` that is empty."""
    if not _patterns(config, "exec", "allowed-commands"):
        log.warning("[exec] allowed-commands is empty: exec topic handlers may run any program")
    if not _patterns(config, "log", "allowed-dirs"):
        log.warning("[log] allowed-dirs is empty: log topic handlers may append to any file the server can write")

"""What `exec` handlers may run and where `log` handlers may write: `[exec] allowed-commands`, `[log] allowed-dirs`.

Patterns are absolute paths with glob characters (`*` and `?` stay within one path segment); a pattern ending in
`/**` matches everything below its directory. An empty list disables the kind: a fresh server runs no program
and writes no file the operator did not name. Paths are resolved first (`..`, and for log files symlinks), so
neither can step out of an allowed directory.
"""

from __future__ import annotations

import logging
import os.path
import posixpath
from collections.abc import Iterable
from pathlib import PurePosixPath

from tocsin.handlers.base import ConfigView

log = logging.getLogger(__name__)

EXEC_DISABLED = (
    "exec handlers are disabled: [exec] allowed-commands is empty; list the programs they may run, "
    'e.g. allowed-commands = ["/usr/bin/logger"]'
)
LOG_DISABLED = (
    "log handlers are disabled: [log] allowed-dirs is empty; list the directories they may write in, "
    'e.g. allowed-dirs = ["/var/log/tocsin"]'
)
SIDELOAD_DISABLED = (
    "sideload is disabled: [sideload] allowed-dirs is empty; list the directories sources may read, "
    'e.g. allowed-dirs = ["/etc/tocsin/sideload"]'
)
COMMAND_NOT_ALLOWED = 'program "{prog}" is not allowed by [exec] allowed-commands'
PATH_NOT_ALLOWED = 'log path "{path}" is not inside a directory of [log] allowed-dirs'
EVERYTHING_BELOW = "/**"


def allowed_patterns(config: ConfigView, section: str, key: str) -> list[str]:
    element = config.element(section) or {}
    return [str(p) for p in element.get(key) or ()]


def path_matches(path: PurePosixPath, patterns: Iterable[str]) -> bool:
    # An absolute pattern must match the whole path (PurePath.match), segment by segment.
    for pattern in patterns:
        if pattern.endswith(EVERYTHING_BELOW):
            base = pattern[: -len(EVERYTHING_BELOW)] or "/"
            if any(parent.match(base) for parent in path.parents):
                return True
        elif path.match(pattern):
            return True
    return False


def command_problem(prog: str, config: ConfigView) -> str | None:
    """Why `prog` may not run, or None when a pattern of `[exec] allowed-commands` matches it."""
    allowed = allowed_patterns(config, "exec", "allowed-commands")
    if not allowed:
        return EXEC_DISABLED
    if not prog.startswith("/") or posixpath.normpath(prog) != prog.rstrip("/") or "//" in prog:
        return COMMAND_NOT_ALLOWED.format(prog=prog)
    if not path_matches(PurePosixPath(prog), allowed):
        return COMMAND_NOT_ALLOWED.format(prog=prog)
    return None


def log_path_problem(path: str, config: ConfigView) -> str | None:
    """Why a log handler may not write `path`, or None when a directory of `[log] allowed-dirs` holds it.

    The path's directory is resolved (symlinks included), so a link inside an allowed directory that points
    outside does not pass; the file itself is opened without following a symlink."""
    allowed = allowed_patterns(config, "log", "allowed-dirs")
    if not allowed:
        return LOG_DISABLED
    clean = posixpath.normpath(path)
    resolved = PurePosixPath(os.path.realpath(posixpath.dirname(clean))) / posixpath.basename(clean)
    patterns = with_resolved(allowed)
    for candidate in (PurePosixPath(clean), resolved):
        if not any(path_matches(parent, patterns) for parent in candidate.parents):
            return PATH_NOT_ALLOWED.format(path=path)
    return None


def with_resolved(allowed: list[str]) -> list[str]:
    """The patterns and the resolved form of each that is no glob: an allowed /tmp that links to /private/tmp
    allows both."""
    return [*allowed, *(os.path.realpath(p) for p in allowed if not is_glob(p))]


def is_glob(pattern: str) -> bool:
    return any(c in pattern for c in "*?[")


def log_open_policies(config: ConfigView) -> None:
    """Say at startup which of `exec` and `log` handlers and `sideload` nodes are disabled, and how to enable them."""
    for kind, key, text in (("exec", "allowed-commands", EXEC_DISABLED), ("log", "allowed-dirs", LOG_DISABLED)):
        if not allowed_patterns(config, kind, key):
            log.info("%s (Kapacitor's kapacitor.conf has no such list: add it to keep %s handlers working)", text, kind)
    if not allowed_patterns(config, "sideload", "allowed-dirs"):
        log.info("%s", SIDELOAD_DISABLED)

"""Logging in Kapacitor's logfmt (`ts=... lvl=... msg=...`), with configured secrets scrubbed from every line."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable

# Kapacitor's level names, by Python's.
LEVEL_NAMES = {"DEBUG": "debug", "INFO": "info", "WARNING": "warn", "ERROR": "error", "CRITICAL": "error"}

Scrub = Callable[[str], str]


def logfmt_quote(value: str) -> str:
    """A logfmt value: bare when it can be, else quoted with `\\`, `"` and newlines escaped."""
    if value and not any(c in value for c in ' ="\n\t'):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def record_time(record: logging.LogRecord) -> str:
    """A record's time as Kapacitor's log writes it: UTC, milliseconds, `Z`."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"


class LogfmtFormatter(logging.Formatter):
    def __init__(self, scrub: Scrub | None = None) -> None:
        super().__init__()
        self.scrub: Scrub = scrub or (lambda s: s)

    def format(self, record: logging.LogRecord) -> str:
        ts = record_time(record)
        msg = record.getMessage()
        if record.exc_info:
            msg += "\n" + self.formatException(record.exc_info)
        if len(msg) > MAX_LINE:
            msg = msg[: MAX_LINE // 2] + f" ...[{len(msg) - MAX_LINE} characters cut]... " + msg[-MAX_LINE // 2 :]
        level = LEVEL_NAMES.get(record.levelname, "info")
        line = f"ts={ts} lvl={level} msg={logfmt_quote(msg)} service={logfmt_quote(record.name)}"
        return self.scrub(line)


LOG_FILE_MODE = 0o640
# Lines longer than this are cut (a traceback of a huge request would otherwise fill the disk).
MAX_LINE = 16 * 1024


def configure(level: str = "INFO", file: str = "STDERR", scrub: Scrub | None = None) -> LogfmtFormatter:
    """Route the root logger to `file` (STDERR, STDOUT or a path) in logfmt; returns the formatter."""
    if file.upper() == "STDERR":
        handler: logging.Handler = logging.StreamHandler(sys.stderr)
    elif file.upper() == "STDOUT":
        handler = logging.StreamHandler(sys.stdout)
    else:
        # The log names handlers, users and peers: readable by the server's user and its group only (0640),
        # whatever the umask.
        os.close(os.open(file, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, LOG_FILE_MODE))
        os.chmod(file, LOG_FILE_MODE)
        handler = logging.FileHandler(file)
    formatter = LogfmtFormatter(scrub)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel({"WARN": "WARNING"}.get(level.upper(), level.upper()))
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    return formatter

"""The `log` kind: append each event's alert JSON as one line to a local file."""

from __future__ import annotations

import os.path
from typing import Any

from tocsin.alert.event import Event, alert_json_line
from tocsin.config.allowlists import log_path_problem
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType
from tocsin.handlers.requests import FileAppend

DEFAULT_MODE = 0o600
USER_WRITE = 0o200
INVALID_MODE = "invalid file mode {mode}, must be user writable"
NOT_ABSOLUTE = "log path must be absolute: {path} is not absolute"

# os.FileMode.String(): one letter per type bit (bit 31 down to 19), "-" when none, then rwxrwxrwx.
_TYPE_LETTERS = "dalTLDpSugct?"


def go_file_mode(mode: int) -> str:
    """Go's `os.FileMode(mode).String()` (`-rw-r--r--`, `dr-x------`)."""
    kinds = "".join(c for i, c in enumerate(_TYPE_LETTERS) if mode & (1 << (31 - i)))
    perms = "".join(c if mode & (1 << (8 - i)) else "-" for i, c in enumerate("rwxrwxrwx"))
    return (kinds or "-") + perms


def validate(options: dict[str, Any], config: ConfigView) -> str | None:
    """Kapacitor's LogHandlerConfig.Validate (a user-writable mode, an absolute path), then `[log] allowed-dirs`."""
    if not options["mode"] & USER_WRITE:
        return INVALID_MODE.format(mode=go_file_mode(options["mode"]))
    if not os.path.isabs(options["path"]):
        return NOT_ABSOLUTE.format(path=options["path"])
    return log_path_problem(options["path"], config)


def render(event: Event, options: dict[str, Any], config: ConfigView) -> FileAppend:
    """The alert JSON line (Go's json.Encoder output, newline included) appended to `path`."""
    problem = log_path_problem(options["path"], config)
    if problem:
        raise DeliveryError(Reason.POLICY, problem, retryable=False)
    return FileAppend(path=options["path"], data=alert_json_line(event), mode=options["mode"] & 0o777)


KIND = HandlerKind(
    name="log",
    extras="Disk-full errors are retried; bad paths are permanent.",
    help="Append each alert event as a JSON line to a file.",
    options=(
        Option("path", OptionType.STRING, tick="log", help="Absolute path of the file to append to."),
        Option(
            "mode",
            OptionType.INT,
            default=DEFAULT_MODE,
            tick="mode",
            help="Permission bits for a newly created file (decimal in JSON: 420 is 0644).",
            go_type="fs.FileMode",
        ),
    ),
    render=render,
    validate=validate,
    go_config_type="*alert.LogHandlerConfig",
)

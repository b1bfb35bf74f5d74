"""The `exec` kind: run a program (no shell) with the event's alert JSON on stdin."""

from __future__ import annotations

from typing import Any

from tocsin.alert.event import Event, alert_json_line
from tocsin.config.allowlists import command_problem
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType
from tocsin.handlers.requests import ExecRequest


def validate(options: dict[str, Any], config: ConfigView) -> str | None:
    """`prog` must be allowed by `[exec] allowed-commands` (none is when the list is empty)."""
    return command_problem(options["prog"], config)


def render(event: Event, options: dict[str, Any], config: ConfigView) -> ExecRequest:
    """argv is `prog` then `args`; stdin is the alert JSON line (allow-list checked again: it may have changed)."""
    problem = command_problem(options["prog"], config)
    if problem:
        raise DeliveryError(Reason.POLICY, problem, retryable=False)
    return ExecRequest(argv=(options["prog"], *options["args"]), stdin=alert_json_line(event))


KIND = HandlerKind(
    name="exec",
    extras="Per-delivery timeout kills the program; non-zero exit is retried.",
    help="Run a program with each alert event as JSON on its standard input.",
    options=(
        # TICKscript `.exec('/bin/prog', 'arg1', ...)` sets both: the first argument is prog, the rest args.
        Option("prog", OptionType.STRING, tick="exec", help="Path of the program to run."),
        Option("args", OptionType.STRING_LIST, tick="exec", help="Arguments passed to the program."),
    ),
    render=render,
    validate=validate,
    go_config_type="*alert.ExecHandlerConfig",
)

"""Entry point of the `tocsin` command: global flags, verb dispatch, and the mapping of errors to exit codes."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Sequence

from tocsin.cli.context import Context, global_flags
from tocsin.cli.deliveries import run_deliveries
from tocsin.cli.errors import EXIT_COMMAND, EXIT_OK, EXIT_USAGE, HelpRequested, UsageError
from tocsin.cli.flags import FlagSet
from tocsin.cli.handlers import define_topic_handler, show_topic_handler
from tocsin.cli.listing import run_delete, run_list
from tocsin.cli.local import print_default_config, serve, show_version
from tocsin.cli.record import run_record, run_replay, run_replay_live
from tocsin.cli.server_info import backup, set_level, show_logs, show_stats, show_vars, watch_task
from tocsin.cli.service_tests import run_service_tests
from tocsin.cli.silences import run_silence
from tocsin.cli.tasks import change_status, define_task, show_task
from tocsin.cli.templates import define_template, show_template
from tocsin.cli.topics import show_topic
from tocsin.cli.usage import VERB_USAGE, main_usage, usage_for
from tocsin.cli.users import run_user
from tocsin.errors import TocsinError

MISSING_COMMAND = "must pass a command"
UNKNOWN_COMMAND = 'unknown command "{verb}"'
EXIT_INTERRUPTED = 130

Verb = Callable[[Context, list[str]], int]


def _words(ctx: Context, verb: str, args: list[str], count: int | None = None, what: str = "") -> list[str]:
    words = ctx.parse(FlagSet(verb), args).positional
    if count is not None and len(words) != count:
        raise UsageError(what, verb)
    return words


def _define_topic_handler(ctx: Context, args: list[str]) -> int:
    words = _words(ctx, "define-topic-handler", args, 1, "must provide the path of one handler file")
    return define_topic_handler(ctx, words[0])


def _show_topic(ctx: Context, args: list[str]) -> int:
    return show_topic(ctx, _words(ctx, "show-topic", args, 1, "must specify one topic ID")[0])


def _show_topic_handler(ctx: Context, args: list[str]) -> int:
    words = _words(ctx, "show-topic-handler", args, 2, "must specify both the topic ID and the handler ID")
    return show_topic_handler(ctx, words[0], words[1])


def _list(ctx: Context, args: list[str]) -> int:
    return run_list(ctx, _words(ctx, "list", args))


def _delete(ctx: Context, args: list[str]) -> int:
    return run_delete(ctx, _words(ctx, "delete", args))


def _service_tests(ctx: Context, args: list[str]) -> int:
    words = _words(ctx, "service-tests", args)
    if not words:
        raise UsageError("must provide at least one service name or pattern", "service-tests")
    return run_service_tests(ctx, words)


def _version(ctx: Context, args: list[str]) -> int:
    _words(ctx, "version", args, 0, "version takes no arguments")
    return show_version(ctx)


def _config(ctx: Context, args: list[str]) -> int:
    _words(ctx, "config", args, 0, "config takes no arguments")
    return print_default_config(ctx)


def _serve(ctx: Context, args: list[str]) -> int:
    return serve(args)


def _help(ctx: Context, args: list[str]) -> int:
    words = _words(ctx, "help", args)
    if len(words) > 1:
        raise UsageError("help takes at most one command", "help")
    if words and words[0] not in VERB_USAGE:
        raise UsageError(UNKNOWN_COMMAND.format(verb=words[0]))
    ctx.out.write(usage_for(words[0]) if words else main_usage())
    return EXIT_OK


def _status_verb(verb: str) -> Verb:
    return lambda ctx, args: change_status(ctx, verb, args)


VERBS: dict[str, Verb] = {
    "define": define_task,
    "define-template": define_template,
    "enable": _status_verb("enable"),
    "disable": _status_verb("disable"),
    "reload": _status_verb("reload"),
    "show": show_task,
    "show-template": show_template,
    "define-topic-handler": _define_topic_handler,
    "list": _list,
    "show-topic": _show_topic,
    "show-topic-handler": _show_topic_handler,
    "delete": _delete,
    "service-tests": _service_tests,
    "deliveries": run_deliveries,
    "silence": run_silence,
    "user": run_user,
    "level": lambda ctx, args: set_level(ctx, _words(ctx, "level", args)),
    "stats": lambda ctx, args: show_stats(ctx, _words(ctx, "stats", args)),
    "vars": lambda ctx, args: show_vars(ctx, _words(ctx, "vars", args)),
    "logs": lambda ctx, args: show_logs(ctx, _words(ctx, "logs", args)),
    "watch": lambda ctx, args: watch_task(ctx, _words(ctx, "watch", args)),
    "backup": lambda ctx, args: backup(ctx, _words(ctx, "backup", args)),
    "record": run_record,
    "replay": run_replay,
    "replay-live": run_replay_live,
    "serve": _serve,
    "config": _config,
    "version": _version,
    "help": _help,
}


def run(ctx: Context, args: Sequence[str]) -> int:
    """Parse the global flags (Go style: they stop at the verb) and run the verb."""
    parsed = global_flags().parse(args)
    ctx.apply(parsed)
    if not parsed.positional:
        raise UsageError(MISSING_COMMAND)
    verb, rest = parsed.positional[0], parsed.positional[1:]
    command = VERBS.get(verb)
    if command is None:
        raise UsageError(UNKNOWN_COMMAND.format(verb=verb))
    return command(ctx, rest)


def _silence_stdout() -> None:
    # After EPIPE, Python's final flush of stdout would fail again and print a traceback of its own.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with `argv` (default: the process arguments) and return the exit code."""
    ctx = Context(out=sys.stdout, err=sys.stderr)
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        return run(ctx, args)
    except HelpRequested as exc:
        ctx.out.write(usage_for(exc.verb))
        return EXIT_OK
    except UsageError as exc:
        ctx.err.write(f"Error: {exc}\n\n{usage_for(exc.verb)}")
        return EXIT_USAGE
    except TocsinError as exc:
        ctx.err.write(f"Error: {exc}\n")
        return EXIT_COMMAND
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_COMMAND
    except Exception as exc:
        # The CLI promises an `Error:` line, never a traceback, even for a bug of its own.
        ctx.err.write(f"Error: internal error: {type(exc).__name__}: {exc}\n")
        return EXIT_COMMAND


if __name__ == "__main__":
    sys.exit(main())

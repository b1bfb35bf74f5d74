"""Help text: the main usage and one usage per verb."""

from __future__ import annotations

from tocsin.cli.context import global_flags
from tocsin.cli.deliveries import delivery_flags
from tocsin.cli.silences import silence_flags
from tocsin.cli.users import user_flags

SUMMARIES: dict[str, str] = {
    "define": "Create or update a task.",
    "define-template": "Create or update a template.",
    "enable": "Enable and start tasks by ID or glob pattern.",
    "disable": "Stop tasks by ID or glob pattern.",
    "reload": "Disable then enable tasks by ID or glob pattern.",
    "show": "Show a task: its state, TICKscript, vars and DOT graph.",
    "show-template": "Show a template: its TICKscript, vars and DOT graph.",
    "define-topic-handler": "Create or replace a topic handler from a YAML or JSON file.",
    "list": "List tasks, templates, recordings, replays, topics, topic-handlers or service-tests.",
    "show-topic": "Show a topic, its handlers and its current events.",
    "show-topic-handler": "Show one handler of a topic.",
    "delete": "Delete tasks, templates, recordings, replays, topics or topic-handlers by ID or glob pattern.",
    "service-tests": "Run the test of one or more services with their default options.",
    "deliveries": "List, show or retry handler deliveries (Tocsin's durable outbox).",
    "silence": "Add, query, expire or import silences (held-back deliveries).",
    "user": "Create a user in the server's store (the first admin before auth is turned on).",
    "level": "Set the server's log level.",
    "stats": "Print summary stats (general) or points received by database and measurement (ingress).",
    "vars": "Print the server's debug vars (JSON).",
    "logs": "Follow the server's log (filters such as lvl=warn or task=cpu).",
    "watch": "Follow one task's log lines.",
    "backup": "Save a copy of the server's store to a file.",
    "record": "Record a snapshot of the stream data of a task, or the result of a task's queries or of a query.",
    "replay": "Replay a recording to a copy of a task (its alerts reach no handler).",
    "replay-live": "Replay the result of a task's queries or of a query to a copy of a task, without recording it.",
    "serve": "Run the Tocsin server.",
    "config": "Print the default configuration file (TOML).",
    "version": "Print the Tocsin version.",
    "help": "Print help for a command.",
}

VERB_USAGE: dict[str, str] = {
    "define": """Usage: tocsin define <task ID> [-tick F] [-type stream|batch] [-dbrp db.rp]... [-template ID]
                     [-vars F.json] [-file F.yaml|F.json] [-no-reload]

    Creates the task (disabled) or updates only the given fields of an existing one. An enabled task is
    reloaded (disabled, then enabled) unless -no-reload is given. -dbrp takes "db"."rp" (quotes optional)
    and may be repeated; give every dbrp you want when changing them.

        $ tocsin define cpu_alert -tick cpu_alert.tick -dbrp telegraf.autogen
""",
    "define-template": """Usage: tocsin define-template <template ID> [-tick F] [-type stream|batch]

    Creates the template or updates the given fields; updating reloads every task made from it.
""",
    "enable": """Usage: tocsin enable <task ID or pattern>...

    Enables and starts every matching task.
""",
    "disable": """Usage: tocsin disable <task ID or pattern>...

    Stops every matching task.
""",
    "reload": """Usage: tocsin reload <task ID or pattern>...

    Disables every matching task, then enables them all again.
""",
    "show": """Usage: tocsin show [-replay ID] <task ID>

    Shows a task's state, TICKscript, vars and DOT graph (in the context of a running replay with -replay).
""",
    "show-template": """Usage: tocsin show-template <template ID>

    Shows a template's TICKscript, its vars with their defaults and its DOT graph.
""",
    "define-topic-handler": """Usage: tocsin define-topic-handler <handler file>

    Creates the handler described by a YAML (.yaml, .yml) or JSON (.json) file, or replaces it
    when a handler with that ID already exists on the topic. The file holds the keys
    topic, id, kind, match and options:

        topic: cpu
        id: slack-ops
        kind: slack
        match: changed()
        options:
          channel: '#ops'
""",
    "list": """Usage: tocsin list (topics|topic-handlers|service-tests) [ID or pattern]...
       tocsin list (tasks|templates|recordings|replays) [ID or pattern]...

    Lists items with their current state. Without an ID or pattern every item is listed.
    Patterns are globs (*, ?, [...]).

    For topic-handlers the first argument selects topics and the rest select handlers:

        $ tocsin list topic-handlers cpu
        $ tocsin list topic-handlers 'main:*' 'slack*'
""",
    "show-topic": """Usage: tocsin show-topic <topic ID>

    Shows a topic's level, its handlers and its current events, oldest first.
""",
    "show-topic-handler": """Usage: tocsin show-topic-handler <topic ID> <handler ID>

    Shows one handler: its kind, match expression and options.
""",
    "delete": """Usage: tocsin delete (topics|topic-handlers) [ID or pattern]...
       tocsin delete (tasks|templates|recordings|replays) [ID or pattern]...

    Deletes every topic, or every handler of one topic, whose ID matches.
    For topic-handlers the topic ID comes first:

        $ tocsin delete topics 'main:*'
        $ tocsin delete topic-handlers cpu 'slack*'
""",
    "level": """Usage: tocsin level (debug|info|warn|error)

    Sets the logging level on the server.
""",
    "stats": """Usage: tocsin stats <general|ingress>

    Print stats about a certain aspect of the server.

    general - Display summary stats: cluster and server IDs, host, tasks, subscriptions, version.
    ingress - Display stats about the data the server is receiving by database, retention policy and measurement.
""",
    "logs": """Usage: tocsin logs [key=value]...

    Follows the server's log as it happens, one logfmt line per entry (-json: one JSON object per line).
    Each key=value keeps the entries whose tag has that value: service=tocsin.tasks, task=cpu, node=alert2;
    lvl=warn keeps warnings and errors. Ctrl-C stops.
""",
    "watch": """Usage: tocsin watch <task ID> [key=value]...

    Follows the log lines of one task as they happen (as `tocsin logs task=<task ID>`). Ctrl-C stops.
""",
    "record": """Usage: tocsin record stream -task ID -duration D [-recording-id ID] [-no-wait]
       tocsin record batch -task ID (-start T [-stop T] | -past D) [-recording-id ID] [-no-wait]
       tocsin record query -query Q -type stream|batch [-cluster NAME] [-recording-id ID] [-no-wait]

    Records the points written to a task's databases and retention policies for a duration (stream), the
    results of a batch task's queries over a time range (batch), or the result of one fully qualified query
    (query). Prints the recording ID once it is done (at once with -no-wait). Times are RFC 3339.

        $ tocsin record stream -task cpu_alert -duration 1m
        $ tocsin record batch -task cpu_batch -past 10h
        $ tocsin record query -type stream -query 'SELECT usage FROM "telegraf"."autogen"."cpu" WHERE time > now() - 1h'
""",
    "replay": """Usage: tocsin replay -recording ID -task ID [-rec-time] [-real-clock] [-replay-id ID] [-no-wait]

    Replays a recording to a copy of the task; prints the replay ID. Times are shifted to now unless
    -rec-time is set; -real-clock waits as long as the recorded times are apart. The copy's alerts reach no
    handler: see them with GET /kapacitor/v1/replays/<ID>/result.
""",
    "replay-live": """Usage: tocsin replay-live batch -task ID (-start T [-stop T] | -past D) [-rec-time] [-real-clock]
                          [-replay-id ID] [-no-wait]
       tocsin replay-live query -task ID -query Q [-cluster NAME] [-rec-time] [-real-clock] [-replay-id ID] [-no-wait]

    Replays the results of the task's queries over a range, or of one query, to a copy of the task without
    keeping a recording (record batch|query, then replay).
""",
    "backup": """Usage: tocsin backup <file>

    Saves a consistent copy of the server's SQLite store (tasks, topics, handlers, overrides, users, the
    delivery log) to the file, readable by you only. It holds secrets: admins only when auth is on. A
    PostgreSQL store is backed up with pg_dump instead.
""",
    "vars": """Usage: tocsin vars

    Print debug vars in JSON format.
""",
    "service-tests": """Usage: tocsin service-tests <service name or pattern>...

    Runs each matching service's test with its default options and prints the result.
""",
    "deliveries": """Usage: tocsin deliveries [list] [-topic T] [-handler H] [-status S] [-since D] [-limit N]
       tocsin deliveries show <delivery ID>
       tocsin deliveries retry <delivery ID>...

    Every alert event sent to a handler is a delivery, kept until it is delivered or dead.
    list shows the newest first; -since takes a duration (1h, 30m) or an RFC 3339 time.
    retry queues dead deliveries again.

Options:
"""
    + delivery_flags().describe()
    + "\n",
    "silence": """Usage: tocsin silence [query] [-expired] [filter...]
       tocsin silence add [-duration D | -end T] [-start T] [-author A] [-comment C] <matcher>...
       tocsin silence expire <silence ID>...
       tocsin silence import [file|-]

    A silence holds back the deliveries of the events its matchers all match: `topic`, `id` (the alert ID)
    or a tag, written as amtool writes them: host=db3, alertname=~"disk.*", team!=ops.
    import creates anew each pending or active silence of a JSON array (as `silence query -json` prints).

Options:
"""
    + silence_flags().describe()
    + "\n",
    "user": """Usage: tocsin user add [-config F] [-type admin|normal] [-permissions P,...] [-password-stdin] <name>

    Creates the user in the store the configuration names (no server needed; stop a server that uses
    SQLite first, or restart it after). It asks for the password twice, or reads one line with
    -password-stdin.

        $ tocsin user add -config /etc/tocsin/kapacitor.conf -type admin root

Options:
"""
    + user_flags().describe()
    + "\n",
    "serve": """Usage: tocsin serve [options]

    Runs the Tocsin server in the foreground; see 'tocsin serve -h' for its options.
""",
    "config": """Usage: tocsin config

    Prints the default configuration as TOML, ready to be edited.
""",
    "version": """Usage: tocsin version

    Prints the Tocsin version and the Kapacitor API version it implements.
""",
    "help": """Usage: tocsin help [command]

    Prints the usage of a command, or the list of commands.
""",
}


def main_usage() -> str:
    """The list of commands and the global options."""
    width = max(len(verb) for verb in SUMMARIES) + 2
    commands = "\n".join(f"    {verb.ljust(width)}{text}" for verb, text in SUMMARIES.items())
    return (
        "Usage: tocsin [options] <command> [args]\n\n"
        f"Commands:\n\n{commands}\n\n"
        "Options (also accepted after the command):\n"
        f"{global_flags().describe()}\n"
    )


def usage_for(verb: str) -> str:
    """The usage of `verb`, or the main usage for an unknown or empty verb."""
    return VERB_USAGE.get(verb) or main_usage()

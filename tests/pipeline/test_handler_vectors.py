"""Every handler vector with a TICKscript, compiled: the handler calls equal the options the per-kind tests send.

The per-kind tests (tests/handlers/test_<kind>.py) hold, for each `stream/*` vector, the handler options its
TICKscript sets, checked there against what Kapacitor delivered. Here the same scripts go through the TICKscript
compiler and must give those very options, after `normalize`.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.handlers import (
    test_alerta,
    test_bigpanda,
    test_discord,
    test_hipchat,
    test_kafka,
    test_opsgenie,
    test_opsgenie2,
    test_pagerduty,
    test_pagerduty2,
    test_pushover,
    test_sensu,
    test_servicenow,
    test_slack,
    test_smtp,
    test_snmptrap,
    test_teams,
    test_telegram,
    test_vectors,
    test_victorops,
    test_zenoss,
)
from tests.support.config import OPEN_POLICY_VALUES, StaticConfig
from tests.support.vectors import handler_cases, substitute
from tocsin.config.registry import all_sections
from tocsin.handlers.options import normalize
from tocsin.handlers.registry import get_kind
from tocsin.pipeline.compile import compile_program
from tocsin.pipeline.spec import NodeSpec
from tocsin.tick.parser import parse_program

SERVER = "http://127.0.0.1:9/"
TCP = "127.0.0.1:9"
TEMPDIR = "/tmp/vectors"
# Placeholders of the scripts and of the per-kind tables, given the same values on both sides.
PLACEHOLDERS = {
    "<server>": SERVER,
    "<url>": SERVER,
    "<tcp server>": TCP,
    "<addr>": TCP,
    "<tempdir>": TEMPDIR,
    "<normal.log>": f"{TEMPDIR}/normal.log",
    "<mode.log>": f"{TEMPDIR}/mode.log",
    "<udp server>": "127.0.0.1:9",
    "<community>": "public",
    "<host>": "127.0.0.1",
}


# case id -> the options the per-kind test sends for it (imported, so both places stay one table).
TABLES: dict[str, list[Any]] = {
    "stream/sensu": [test_sensu.STREAM_OPTIONS],
    "stream/slack": list(test_slack.STREAM_OPTIONS),
    "stream/kafka": [test_kafka.STREAM_OPTIONS],
    "stream/telegram": list(test_telegram.STREAM_OPTIONS),
    "stream/hipchat": list(test_hipchat.STREAM_OPTIONS),
    "stream/alerta": list(test_alerta.STREAM_OPTIONS),
    "stream/discord": list(test_discord.STREAM_OPTIONS),
    "stream/bigpanda": list(test_bigpanda.STREAM_OPTIONS),
    "stream/pushover": list(test_pushover.STREAM_OPTIONS),
    "stream/opsgenie": list(test_opsgenie.STREAM_OPTIONS),
    "stream/opsgenie2": test_opsgenie2.STREAM_OPTIONS["stream/opsgenie2"],
    "stream/opsgenie2-recovery": test_opsgenie2.STREAM_OPTIONS["stream/opsgenie2-recovery"],
    "stream/pagerduty": list(test_pagerduty.STREAM_OPTIONS),
    "stream/pagerduty2-routingKey": test_pagerduty2.STREAM_OPTIONS["stream/pagerduty2-routingKey"],
    "stream/pagerduty2-serviceKey": test_pagerduty2.STREAM_OPTIONS["stream/pagerduty2-serviceKey"],
    "stream/victorops": test_victorops.STREAM_OPTIONS["stream/victorops"],
    "stream/victorops-json-data": test_victorops.STREAM_OPTIONS["stream/victorops-json-data"],
    "stream/talk": [None],  # test_talk sends the vector's options (null): talk has none
    "stream/teams": list(test_teams.STREAM_OPTIONS),
    "stream/servicenow": list(test_servicenow.STREAM_OPTIONS),
    "stream/zenoss": [test_zenoss.STREAM_OPTIONS["stream/zenoss"]],
    "stream/zenoss-custom": [test_zenoss.STREAM_OPTIONS["stream/zenoss-custom"]],
    "stream/email-direct": test_smtp.STREAM_OPTIONS["stream/email-direct"],
    "stream/email-toTemplates-field": test_smtp.STREAM_OPTIONS["stream/email-toTemplates-field"],
    "stream/email-toTemplates-tag": test_smtp.STREAM_OPTIONS["stream/email-toTemplates-tag"],
    "stream/snmptrap": list(test_snmptrap.STREAM_OPTIONS),
    **{case_id: list(raws) for case_id, raws in test_vectors.TICK_OPTIONS.items()},
    # Topic-handler cases: the script only publishes to a topic; the handlers are the topic's.
    "server/aggregate": [],
    "server/publish": [],
}
KIND_OF = {"email": "smtp"}

# The stream/email-* scripts are given in the vectors as fragments of TestStream_AlertEmail; this is its script.
EMAIL_BASE = """stream
    |from()
        .measurement('cpu')
        .where(lambda: "host" == 'serverA')
        .groupBy('host')
    |window()
        .period(10s)
        .every(10s)
    |count('value')
"""
EMAIL_ALERT = """    |alert()
        .id('kapacitor.{{ .Name }}.{{ index .Tags "host" }}')
        .info(lambda: "count" > 6.0)
        .warn(lambda: "count" > 7.0)
        .crit(lambda: "count" > 8.0)
"""
EMAIL_SCRIPTS = {
    "stream/email-direct": EMAIL_BASE + EMAIL_ALERT + "        .email('user1@example.com', 'user2@example.com')\n"
    "        .email().to('user1@example.com', 'user2@example.com')\n",
    "stream/email-toTemplates-field": EMAIL_BASE
    + "    |default().field('extraemail', 'bob@example.com').tag('tagemail', 'bob2@example.com')\n"
    + EMAIL_ALERT
    + "        .email().to('user1@example.com', 'user2@example.com')"
    ".toTemplates('{{ index .Fields \"extraemail\" }}')\n",
    "stream/email-toTemplates-tag": EMAIL_BASE
    + "    |default().field('extraemail', 'bob@example.com').tag('tagemail', 'bob2@example.com')\n"
    + EMAIL_ALERT
    + "        .email().to('user1@example.com', 'user2@example.com')"
    ".toTemplates('{{ index .Tags \"tagemail\" }}')\n",
}
TOPICS = {"server/aggregate": "agg", "server/publish": "publish"}
# Kapacitor's `.zenoss()` starts with summary '{{ .Message }}' (handlers.md, zenoss); Tocsin's compiler leaves it
# empty, which the zenoss handler renders as the message all the same. The table spells the TICKscript default.
TICK_DEFAULTS: dict[str, dict[str, Any]] = {"zenoss": {"summary": "{{ .Message }}"}}
# The servicenow table follows the vector's request list, which Kapacitor's test compares ignoring order (its
# handlers run concurrently); the script's handler order is `.serviceNow()` then `.serviceNow().node(...)...`.
ORDER_FREE = {"stream/servicenow"}

TICK_CASES = sorted(i for i, c in handler_cases().items() if "tickscript" in c)


def _config(vector: dict[str, Any]) -> StaticConfig:
    values = {**OPEN_POLICY_VALUES, **substitute(vector.get("config") or {}, PLACEHOLDERS)}
    if "zenoss" in values:
        values["zenoss"] = test_zenoss.from_toml_names(values["zenoss"])
    return StaticConfig(values, sections=all_sections().values())


def _alert_node(script: str, config: StaticConfig) -> NodeSpec:
    pipeline = compile_program(parse_program(script), None, config)
    (alert,) = [n for n in pipeline.nodes if n.desc == "alert"]
    return alert


def test_every_tick_vector_has_a_table() -> None:
    assert sorted(TABLES) == TICK_CASES
    assert len(TICK_CASES) == 33


@pytest.mark.parametrize("case_id", TICK_CASES, ids=TICK_CASES)
def test_compiled_handlers_equal_the_per_kind_options(case_id: str) -> None:
    vector = handler_cases()[case_id]
    config = _config(vector)
    script = EMAIL_SCRIPTS.get(case_id) or substitute(vector["tickscript"], PLACEHOLDERS)
    alert = _alert_node(script, config)
    kind_name = KIND_OF.get(vector["handler"], vector["handler"])
    expected = [
        (kind_name, normalize(get_kind(kind_name), substitute(raw, PLACEHOLDERS), config)) for raw in TABLES[case_id]
    ]
    got = [
        (h.kind, normalize(get_kind(h.kind), {**TICK_DEFAULTS.get(h.kind, {}), **h.options}, config))
        for h in alert.handlers
    ]
    if case_id in ORDER_FREE:
        assert sorted(got, key=repr) == sorted(expected, key=repr)
        assert alert.handlers[0].options == {}
    else:
        assert got == expected
    if case_id in TOPICS:
        assert alert.last("topic") == TOPICS[case_id]

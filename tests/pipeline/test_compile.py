"""Scripts compiled to exact NodeSpecs: the seed script, Chronograf's threshold rule, vars and handlers."""

from __future__ import annotations

from tests.pipeline.support import FakeConfig, build, nodes
from tests.support.scripts import chronograf_rule
from tocsin.expr.values import Duration
from tocsin.pipeline.spec import STAR, EdgeType
from tocsin.pipeline.vars import TaskVar

S = ("stream", "stream")

CHRONOGRAF = chronograf_rule()


def test_seed_script() -> None:
    assert nodes("stream|from().measurement('cpu')") == [
        {"name": "stream0", "args": (), "properties": {}, "parents": [], "children": [1], "handlers": [], "edges": S},
        {
            "name": "from1",
            "args": (),
            "properties": {"measurement": [("cpu",)]},
            "parents": [0],
            "children": [],
            "handlers": [],
            "edges": S,
        },
    ]


def test_chronograf_threshold_rule() -> None:
    pipeline = build(CHRONOGRAF)
    assert pipeline.type is EdgeType.STREAM
    assert [n.name for n in pipeline.nodes] == [
        "stream0",
        "from1",
        "window2",
        "mean3",
        "alert4",
        "eval5",
        "influxdb_out6",
        "http_out7",
    ]
    flat = nodes(CHRONOGRAF)
    assert flat[1]["properties"] == {
        "database": [("telegraf",)],
        "retentionPolicy": [("autogen",)],
        "measurement": [("cpu",)],
        "groupBy": [("host", "cluster_id")],
        "where": [("lambda: (\"cpu\" == 'cpu_total') AND (\"host\" == 'a' OR \"host\" == 'b')",)],
    }
    assert flat[2] == {
        "name": "window2",
        "args": (),
        "parents": [1],
        "children": [3],
        "handlers": [],
        "edges": ("stream", "batch"),
        "properties": {"period": [(Duration(600_000_000_000),)], "every": [(Duration(30_000_000_000),)], "align": [()]},
    }
    assert flat[3] == {
        "name": "mean3",
        "args": ("usage_user",),
        "properties": {"as": [("value",)]},
        "parents": [2],
        "children": [4],
        "handlers": [],
        "edges": ("batch", "stream"),
    }
    assert flat[4] == {
        "name": "alert4",
        "args": (),
        "properties": {
            "crit": [('lambda: "value" > 90',)],
            "stateChangesOnly": [()],
            "message": [("message",)],
            "id": [("name-{{.Group}}",)],
            "idTag": [("alertID",)],
            "levelTag": [("level",)],
            "messageField": [("message",)],
            "durationField": [("duration",)],
        },
        "parents": [3],
        "children": [5, 7],
        "handlers": [("smtp", "email", {}), ("victorops", "victorOps", {}), ("slack", "slack", {})],
        "edges": S,
    }
    assert flat[5] == {
        "name": "eval5",
        "args": ('lambda: float("value")',),
        "properties": {"as": [("value",)], "keep": [()]},
        "parents": [4],
        "children": [6],
        "handlers": [],
        "edges": S,
    }
    assert flat[6] == {
        "name": "influxdb_out6",
        "args": (),
        "properties": {
            "create": [()],
            "database": [("chronograf",)],
            "retentionPolicy": [("autogen",)],
            "measurement": [("alerts",)],
            "tag": [("alertName", "name"), ("triggerType", "threshold")],
        },
        "parents": [5],
        "children": [],
        "handlers": [],
        "edges": S,
    }
    assert flat[7] == {
        "name": "http_out7",
        "args": ("output",),
        "properties": {},
        "parents": [4],
        "children": [],
        "handlers": [],
        "edges": S,
    }


def test_chronograf_vars_listed_with_defaults() -> None:
    listed = build(CHRONOGRAF).vars
    assert {
        name: (v.type, v.value)
        for name, v in listed.items()
        if name in ("groupBy", "whereFilter", "every", "crit", "idVar")
    } == {
        "groupBy": (
            "list",
            [
                {"type": "string", "value": "host", "description": ""},
                {"type": "string", "value": "cluster_id", "description": ""},
            ],
        ),
        "whereFilter": ("lambda", "(\"cpu\" == 'cpu_total') AND (\"host\" == 'a' OR \"host\" == 'b')"),
        "every": ("duration", 30_000_000_000),
        "crit": ("int", 90),
        "idVar": ("string", "name-{{.Group}}"),
    }
    assert "data" not in listed and "trigger" not in listed


def test_task_vars_override_literals_and_close_lambdas() -> None:
    task_vars = {
        "crit": TaskVar("int", 75),
        "groupBy": TaskVar("list", None, "", [TaskVar("string", "dc"), TaskVar("star")]),
        "period": TaskVar("duration", 60_000_000_000),
    }
    flat = nodes(CHRONOGRAF, task_vars=task_vars)
    assert flat[1]["properties"]["groupBy"] == [("dc", STAR)]
    assert flat[2]["properties"]["period"] == [(Duration(60_000_000_000),)]
    assert flat[4]["properties"]["crit"] == [('lambda: "value" > 75',)]


def test_string_concatenation_and_chained_vars() -> None:
    flat = nodes("var a = 'x'\nvar b = a + '-' + a\nvar s = stream|from()\ns.measurement(b)")
    assert flat[1]["properties"] == {"measurement": [("x-x",)]}


def test_typed_var_supplied() -> None:
    flat = nodes("var m string\nstream|from().measurement(m)", task_vars={"m": TaskVar("string", "mem")})
    assert flat[1]["properties"] == {"measurement": [("mem",)]}


def test_handler_positional_arguments_and_properties() -> None:
    script = """stream|from()|alert()
        .post('http://a/x').header('X-A', '1').timeout(5s).captureResponse()
        .tcp('h:1')
        .email('a@b', 'c@d').to('e@f')
        .exec('/bin/x', '-v', 'y')
        .log('/tmp/a.log').mode(0644)
        .mqtt('t/1').qos(1).retained(TRUE).topic('t/2')
        .snmpTrap('1.2.3').data('1.1', 's', '{{ .ID }}')
        .pagerDuty2().serviceKey('k').link('http://l', 'L').link('http://m')
        .sensu().metadata('k', 5)
        .pushover().URL('http://u')
        .opsGenie2().details().teams('a', 'b')
    """
    assert [(h.kind, h.method, h.options) for h in build(script).nodes[2].handlers] == [
        (
            "post",
            "post",
            {"url": "http://a/x", "headers": {"X-A": "1"}, "timeout": 5_000_000_000, "capture-response": True},
        ),
        ("tcp", "tcp", {"address": "h:1"}),
        ("smtp", "email", {"to": ["a@b", "c@d", "e@f"]}),
        ("exec", "exec", {"prog": "/bin/x", "args": ["-v", "y"]}),
        ("log", "log", {"path": "/tmp/a.log", "mode": 420}),
        ("mqtt", "mqtt", {"topic": "t/2", "qos": 1, "retained": True}),
        (
            "snmptrap",
            "snmpTrap",
            {"trap-oid": "1.2.3", "data-list": [{"oid": "1.1", "type": "s", "value": "{{ .ID }}"}]},
        ),
        (
            "pagerduty2",
            "pagerDuty2",
            {"routing-key": "k", "links": [{"href": "http://l", "text": "L"}, {"href": "http://m"}]},
        ),
        ("sensu", "sensu", {"metadata": {"k": 5}}),
        ("pushover", "pushover", {"url": "http://u"}),
        ("opsgenie2", "opsGenie2", {"teams-list": ["a", "b"]}),
    ]


def test_handler_property_falls_back_to_alert() -> None:
    flat = nodes("stream|from()|alert().slack().channel('#a').crit(lambda: TRUE).message('m')")
    assert flat[2]["handlers"] == [("slack", "slack", {"channel": "#a"})]
    assert flat[2]["properties"] == {"crit": [("lambda: TRUE",)], "message": [("m",)]}


def test_zenoss_message_is_the_handler_property() -> None:
    flat = nodes("stream|from()|alert().zenoss().message('z')")
    assert flat[2]["handlers"] == [("zenoss", "zenoss", {"message": "z"})]
    assert flat[2]["properties"] == {}


def test_chain_after_handler_continues_on_alert() -> None:
    flat = nodes("var t = stream|from()|alert().slack()\nt|httpOut('o')\nt|log()")
    assert [(n["name"], n["parents"]) for n in flat[3:]] == [("http_out3", [2]), ("log4", [2])]


def test_where_calls_accumulate_and_list_expands() -> None:
    flat = nodes("var g = ['a', 'b']\nstream|from().where(lambda: TRUE).where(lambda: FALSE).groupBy(g)|groupBy(*)")
    assert flat[1]["properties"] == {"where": [("lambda: TRUE",), ("lambda: FALSE",)], "groupBy": [("a", "b")]}
    assert flat[2]["args"] == (STAR,)


def test_aggregate_edges() -> None:
    flat = nodes("stream|from()|window()|top(3, 'v', 'host')|difference('v')|count('v')")
    assert [(n["name"], n["args"], n["edges"]) for n in flat[3:]] == [
        ("top3", (3, "v", "host"), ("batch", "batch")),
        ("difference4", ("v",), ("batch", "batch")),
        ("count5", ("v",), ("batch", "stream")),
    ]


def test_global_handlers_added_for_unused_kinds() -> None:
    config = FakeConfig(
        {
            "slack": {"global": True, "enabled": True},
            "smtp": {"global": True, "enabled": True},
            "victorops": {"global": False, "enabled": True},
        }
    )
    pipeline = build("stream|from()|alert().email('x@y')", config=config)
    assert [(h.kind, h.options) for h in pipeline.nodes[2].handlers] == [("smtp", {"to": ["x@y"]}), ("slack", {})]


def test_batch_type_and_dbrps() -> None:
    pipeline = build('dbrp "db"."rp"\ndbrp "db"."rp"\ndbrp "b"."c"\nstream|from()')
    assert pipeline.dbrps == [("db", "rp"), ("b", "c")]

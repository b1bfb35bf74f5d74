"""Issue #5 end to end: TICKscript tasks created over the HTTP API, fed with line protocol, alerting real sinks."""

from __future__ import annotations

import asyncio
import json
import quopri
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.server.conftest import FAST_RETRY, stop_api
from tests.server.test_tasks_api import StartTasks, call, start_tasks
from tests.support.client import Client
from tests.support.influxd import Influxd
from tests.support.scripts import chronograf_rule
from tests.support.sink import HttpSink, TcpSink
from tests.tick.test_errors import MALFORMED
from tests.transports.test_smtp import PeerFactory, smtp_peer
from tocsin.engine.identity import Identity
from tocsin.server.keys import ENGINE

__all__ = ["smtp_peer", "start_tasks"]  # fixtures

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS", "ignore:Session.login_data")

TASKS = "/kapacitor/v1/tasks"
DBRPS = [{"db": "db", "rp": "rp"}]
ALERT_DATA_KEYS = ["id", "message", "details", "time", "duration", "level", "data", "previousLevel", "recoverable"]
SECOND = 1_000_000_000
CHRONOGRAF_SCRIPT = chronograf_rule("""'{{.ID}} is {{.Level}} value: {{ index .Fields "value" }}'""")


@pytest.fixture
async def tcp_sink() -> AsyncIterator[TcpSink]:
    sink = await TcpSink().start()
    yield sink
    await sink.close()


@pytest.fixture
async def http_sink() -> AsyncIterator[HttpSink]:
    sink = await HttpSink().start()
    yield sink
    await sink.close()


async def write(api: Client, body: str, db: str = "db", rp: str = "rp", precision: str = "s") -> None:
    response = await api.post("/write", params={"db": db, "rp": rp, "precision": precision}, data=body)
    assert (response.status, await response.text()) == (204, "")


async def create_task(api: Client, task_id: str, script: str, **body: Any) -> dict[str, Any]:
    status, answer = await call(
        api, "POST", TASKS, {"id": task_id, "script": script, "status": "enabled", "dbrps": DBRPS, **body}
    )
    assert status == 200, answer
    assert (answer["status"], answer["executing"], answer["error"]) == ("enabled", True, "")
    return dict(answer)


def received(payloads: list[bytes]) -> list[dict[str, Any]]:
    """TCP alert payloads: AlertData JSON, a newline from the encoder and one more from the tcp handler."""
    for payload in payloads:
        assert payload.endswith(b"}\n\n")
        assert list(json.loads(payload)) == ALERT_DATA_KEYS
    return [json.loads(p) for p in payloads]


def default_details(
    identity: Identity,
    task: str,
    alert_id: str,
    name: str,
    group: str,
    fields: dict[str, Any],
    level: str,
    time: str,
    duration: int,
    tags: dict[str, str] | None = None,
) -> str:
    """`{{ json . }}` in html/template: Kapacitor's default details, HTML-escaped."""
    data = {
        "Name": name,
        "TaskName": task,
        "Group": group,
        "Tags": tags or {},
        "ServerInfo": {"Hostname": "localhost", "ClusterID": identity.cluster_id, "ServerID": identity.server_id},
        "ID": alert_id,
        "Fields": fields,
        "Level": level,
        "Time": time,
        "Duration": duration,
        "Message": f"{alert_id} is {level}",
    }
    return (json.dumps(data, separators=(",", ":")) + "\n").replace('"', "&#34;")


# -- a. the reset example of api.md §2.2 -------------------------------------------------------------

RESET_SCRIPT = (
    'stream|from().measurement(\'m\')|alert().info(lambda: "value" > 60).infoReset(lambda: "value" < 50)'
    '.warn(lambda: "value" > 70).warnReset(lambda: "value" < 60).crit(lambda: "value" > 80)'
    ".critReset(lambda: \"value\" < 70).tcp('{address}')"
)
RESET_LEVELS = [
    (61, "INFO", "OK"),
    (73, "WARNING", "INFO"),
    (64, "WARNING", "WARNING"),
    (85, "CRITICAL", "WARNING"),
    (62, "INFO", "CRITICAL"),
    (56, "INFO", "INFO"),
    (47, "OK", "INFO"),
]


async def test_reset_example_gives_the_documented_levels(start_tasks: StartTasks, tcp_sink: TcpSink) -> None:
    api = await start_tasks()
    await create_task(api, "reset", RESET_SCRIPT.format(address=tcp_sink.address))
    for second, (value, _, _) in enumerate(RESET_LEVELS):
        await write(api, f"m value={value} {second}")
    got = received(await tcp_sink.wait_for(len(RESET_LEVELS)))
    identity = api.app[ENGINE].identity
    assert len(identity.cluster_id) == len(identity.server_id) == 36  # UUIDs, as Kapacitor's
    expected = []
    for second, (value, level, previous) in enumerate(RESET_LEVELS):
        time = f"1970-01-01T00:00:0{second}Z"
        expected.append(
            {
                "id": "m:nil",
                "message": f"m:nil is {level}",
                "details": default_details(
                    identity, "reset", "m:nil", "m", "nil", {"value": value}, level, time, second * SECOND
                ),
                "time": time,
                "duration": second * SECOND,
                "level": level,
                "data": {"series": [{"name": "m", "columns": ["time", "value"], "values": [[time, value]]}]},
                "previousLevel": previous,
                "recoverable": True,
            }
        )
    assert got == expected
    _, task = await call(api, "GET", f"{TASKS}/reset")
    stats = task["stats"]["node-stats"]["alert2"]
    assert {
        k: stats[k]
        for k in ("alerts_triggered", "oks_triggered", "infos_triggered", "warns_triggered", "crits_triggered")
    } == {"alerts_triggered": 7, "oks_triggered": 1, "infos_triggered": 3, "warns_triggered": 2, "crits_triggered": 1}


# -- b. Chronograf's threshold rule (api.md §4.4) ----------------------------------------------------


def chronograf_conf(smtp_port: int, sink: HttpSink, influxd: Influxd) -> str:
    return FAST_RETRY + (
        f'[[influxdb]]\nname = "local"\nurls = ["{influxd.url}"]\ndisable-subscriptions = true\n'
        f'[smtp]\nenabled = true\nhost = "127.0.0.1"\nport = {smtp_port}\nfrom = "kapacitor@example.com"\n'
        'to = ["oncall@example.com"]\n'
        f'[victorops]\nenabled = true\nurl = "{sink.url}/victorops"\napi-key = "KEY"\nrouting-key = "rk"\n'
        f'[slack]\nenabled = true\nurl = "{sink.url}/slack"\n'
    )


BASE = 1_700_000_000  # 2023-11-14T22:13:20Z
ALERT_ID = "name-cluster_id=c1,host=a"
CRIT_MESSAGE = f"{ALERT_ID} is CRITICAL value: 95"
OK_MESSAGE = f"{ALERT_ID} is OK value: 79.0625"


def cpu_line(host: str, cpu: str, usage: float, seconds: int) -> str:
    return f"cpu,host={host},cluster_id=c1,cpu={cpu} usage_user={usage} {BASE + seconds}"


async def test_chronograf_threshold_rule(
    start_tasks: StartTasks, smtp_peer: PeerFactory, http_sink: HttpSink, influxd: Influxd
) -> None:
    peer = await smtp_peer()
    api = await start_tasks(chronograf_conf(peer.port, http_sink, influxd))
    task = await create_task(api, "chronograf", CHRONOGRAF_SCRIPT, dbrps=[{"db": "telegraf", "rp": "autogen"}])
    assert task["type"] == "stream"
    assert await call(api, "GET", f"{TASKS}/chronograf/output") == (200, {"series": None})
    # 13 points above the threshold (22:13:20 .. 22:15:20), then 7 below; filtered-out points on the side.
    lines = [cpu_line("a", "cpu_total", 95, 10 * i) for i in range(13)]
    lines += [cpu_line("a", "cpu_total", 10, 10 * i) for i in range(13, 20)]
    for i, line in enumerate(lines):
        await write(api, line, "telegraf", "autogen")
        await write(api, cpu_line("c", "cpu_total", 99, 10 * i), "telegraf", "autogen")  # host not in the filter
        await write(api, cpu_line("a", "cpu0", 99, 10 * i), "telegraf", "autogen")  # cpu not in the filter
    await write(api, cpu_line("a", "cpu_total", 99, 0), "other", "autogen")  # another database
    # Windows close at 22:13:30 (mean 95: CRITICAL), 22:14:00 ... 22:15:30 (still 95, not sent again with
    # stateChangesOnly), 22:16:00 (13 x 95 and 3 x 10: 79.0625, OK), 22:16:30 (OK, unchanged).
    mails = await peer.wait_for(2)
    posts = await http_sink.wait_for(4)
    await asyncio.sleep(0.2)
    assert (len(peer.messages), len(http_sink.requests)) == (2, 4)
    subjects = [_header(m.content, "Subject") for m in mails]
    assert subjects == [CRIT_MESSAGE, OK_MESSAGE]
    assert [m.rcpt_tos for m in mails] == [("oncall@example.com",)] * 2
    assert b"&#34;Duration&#34;:150000000000" in quopri.decodestring(mails[1].content)
    by_path = {p: [r.json() for r in posts if r.path == p] for p in ("/victorops/KEY/rk", "/slack")}
    assert [
        (b["message_type"], b["entity_id"], b["state_message"], b["timestamp"]) for b in by_path["/victorops/KEY/rk"]
    ] == [("CRITICAL", ALERT_ID, CRIT_MESSAGE, BASE + 10), ("RECOVERY", ALERT_ID, OK_MESSAGE, BASE + 160)]
    assert [(a["color"], a["text"]) for b in by_path["/slack"] for a in b["attachments"]] == [
        ("danger", CRIT_MESSAGE),
        ("good", OK_MESSAGE),
    ]
    response = await api.get(f"{TASKS}/chronograf/output")
    assert await response.text() == json.dumps(
        {
            "series": [
                {
                    "name": "cpu",
                    "tags": {"alertID": ALERT_ID, "cluster_id": "c1", "host": "a", "level": "OK"},
                    "columns": ["time", "duration", "message", "value"],
                    "values": [["2023-11-14T22:16:00Z", 150 * SECOND, OK_MESSAGE, 79.0625]],
                }
            ]
        },
        separators=(",", ":"),
    )
    _, task = await call(api, "GET", f"{TASKS}/chronograf")
    nodes = task["stats"]["node-stats"]
    assert sorted(nodes) == ["alert4", "eval5", "from1", "http_out7", "influxdb_out6", "mean3", "stream0", "window2"]
    assert (
        nodes["window2"]["emitted"],
        nodes["alert4"]["alerts_triggered"],
        nodes["alert4"]["crits_triggered"],
        nodes["alert4"]["oks_triggered"],
        nodes["influxdb_out6"]["points_written"],
    ) == (7, 2, 1, 1, 0)  # influxDBOut writes every 10s (its default flushInterval) or when the task stops
    # Chronograf's Alert History reads chronograf.autogen.alerts: stopping the task writes what is buffered
    status, _ = await call(api, "PATCH", f"{TASKS}/chronograf", {"status": "disabled"})
    assert status == 200
    assert influxd.query('SELECT * FROM "chronograf"."autogen"."alerts"') == {
        "results": [
            {
                "statement_id": 0,
                "series": [
                    {
                        "name": "alerts",
                        "columns": [
                            "time",
                            "alertID",
                            "alertName",
                            "cluster_id",
                            "duration",
                            "host",
                            "level",
                            "message",
                            "triggerType",
                            "value",
                        ],
                        "values": [
                            [
                                "2023-11-14T22:13:30Z",
                                ALERT_ID,
                                "name",
                                "c1",
                                0,
                                "a",
                                "CRITICAL",
                                CRIT_MESSAGE,
                                "threshold",
                                95,
                            ],
                            [
                                "2023-11-14T22:16:00Z",
                                ALERT_ID,
                                "name",
                                "c1",
                                150 * SECOND,
                                "a",
                                "OK",
                                OK_MESSAGE,
                                "threshold",
                                79.0625,
                            ],
                        ],
                    }
                ],
            }
        ]
    }


def _header(message: bytes, name: str) -> str:
    head = message.split(b"\r\n\r\n", 1)[0].decode("ascii").replace("\r\n ", " ")
    return dict(line.split(": ", 1) for line in head.split("\r\n"))[name]


# -- c. malformed scripts and compile errors ---------------------------------------------------------


def api_error(message: str) -> dict[str, str]:
    return {"error": message, "message": message}


async def task_ids(api: Client) -> list[str]:
    status, body = await call(api, "GET", TASKS, fields="id")
    assert status == 200
    return [t["id"] for t in body["tasks"]]


@pytest.mark.parametrize(("script", "line", "column", "message"), MALFORMED)
async def test_malformed_scripts_are_400(api: Client, script: str, line: int, column: int, message: str) -> None:
    await create_task(api, "existing", "stream|from()")
    assert f"line {line} char {column}" in message
    for status in ("enabled", "disabled"):
        body = {"id": "bad", "script": script, "dbrps": DBRPS, "status": status}
        assert await call(api, "POST", TASKS, body) == (400, api_error(f"invalid TICKscript: {message}"))
        assert await task_ids(api) == ["existing"]
    patch = await call(api, "PATCH", f"{TASKS}/existing", {"script": script})
    assert patch == (400, api_error(f"invalid TICKscript: {message}"))


COMPILE_ERRORS = [
    (
        "stream|from().measurement('m').nosuch(1)",
        None,
        'line 1 char 32: no method or property "nosuch" on *pipeline.FromNode',
    ),
    (
        "stream|from()|alert().slack().nosuch()",
        None,
        'line 1 char 31: no method or property "nosuch" on *pipeline.SlackHandler',
    ),
    ("var x = 1\nvar x = 2\nstream|from()", None, "attempted to redefine x, vars are immutable"),
    ("var x foo\nstream|from()", None, 'invalid var type "foo"'),
    ("var x int\nstream|from().measurement('m')|alert().crit(lambda: \"v\" > x)", None, 'missing value for var "x".'),
    (
        'var crit = 90\nstream|from()|alert().crit(lambda: "v" > crit)',
        {"crit": {"type": "float", "value": 1.5}},
        "invalid type supplied for crit, got float exp int",
    ),
]


@pytest.mark.parametrize(
    ("script", "task_vars", "message"),
    COMPILE_ERRORS,
    ids=["unknown-property", "unknown-handler-property", "redefined", "bad-var-type", "missing-var", "wrong-var-type"],
)
async def test_compile_errors_are_400(api: Client, script: str, task_vars: dict[str, Any] | None, message: str) -> None:
    body: dict[str, Any] = {"id": "bad", "script": script, "dbrps": DBRPS, "status": "enabled"}
    if task_vars:
        body["vars"] = task_vars
    assert await call(api, "POST", TASKS, body) == (400, api_error(f"invalid TICKscript: {message}"))
    assert await task_ids(api) == []


@pytest.fixture
async def api(start_tasks: StartTasks) -> Client:
    return await start_tasks()


# -- d. restart keeps the alert state (api.md §2.7) --------------------------------------------------


async def test_restart_keeps_state(start_tasks: StartTasks, tcp_sink: TcpSink) -> None:
    script = (
        f"stream|from().measurement('m')|alert().crit(lambda: \"value\" > 80).stateChangesOnly()"
        f".tcp('{tcp_sink.address}')"
    )
    api = await start_tasks()
    await create_task(api, "sco", script)
    await write(api, "m value=90 10")
    (crit,) = received(await tcp_sink.wait_for(1))
    assert (crit["level"], crit["time"], crit["duration"]) == ("CRITICAL", "1970-01-01T00:00:10Z", 0)
    await stop_api(api)
    api = await start_tasks()
    _, task = await call(api, "GET", f"{TASKS}/sco")
    assert (task["status"], task["executing"], task["error"]) == ("enabled", True, "")
    await write(api, "m value=95 20")  # still CRITICAL: not sent again
    await write(api, "m value=10 25")
    got = received(await tcp_sink.wait_for(2))
    await asyncio.sleep(0.2)
    assert len(tcp_sink.payloads) == 2
    assert {k: got[1][k] for k in ("id", "message", "time", "duration", "level", "previousLevel")} == {
        "id": "m:nil",
        "message": "m:nil is OK",
        "time": "1970-01-01T00:00:25Z",
        "duration": 15 * SECOND,
        "level": "OK",
        "previousLevel": "CRITICAL",
    }
    _, task = await call(api, "GET", f"{TASKS}/sco")
    stats = task["stats"]["node-stats"]["alert2"]
    assert (stats["alerts_triggered"], stats["crits_triggered"], stats["oks_triggered"]) == (1, 0, 1)


# -- e. deadman ----------------------------------------------------------------------------------------

INTERVAL = 0.5
DEADMAN_ID = "nil:from1 for task 'dm'"


async def test_deadman_fires_when_points_stop_and_recovers(start_tasks: StartTasks, tcp_sink: TcpSink) -> None:
    api = await start_tasks()
    await create_task(api, "dm", f"stream|from().measurement('m')|deadman(1.0, 500ms).tcp('{tcp_sink.address}')")

    async def feed(seconds: float) -> None:
        for _ in range(int(seconds / 0.05)):
            await write(api, "m value=1", precision="n")  # no timestamp: the server's time
            await asyncio.sleep(0.05)

    await feed(3 * INTERVAL)  # alive: about 10 points per interval, nothing sent
    assert tcp_sink.payloads == []
    (dead,) = received(await tcp_sink.wait_for(1, within=4 * INTERVAL))
    await feed(2.5 * INTERVAL)
    got = received(list(tcp_sink.payloads))
    assert [a["level"] for a in got][-1] == "OK"
    assert {a["level"] for a in got[:-1]} == {"CRITICAL"}
    for alert in got:
        (series,) = alert["data"]["series"]
        assert (series["name"], series["columns"]) == ("stats", ["time", "emitted"])
        emitted = series["values"][0][1]
        state = "dead" if alert["level"] == "CRITICAL" else "alive"
        assert alert["id"] == DEADMAN_ID
        assert alert["message"] == f"{DEADMAN_ID} is {state}: {emitted:.3f} points/500ms."
        assert (emitted <= 1.0) == (alert["level"] == "CRITICAL")
    assert dead == got[0]

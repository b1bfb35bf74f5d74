"""The tasks API (/kapacitor/v1/tasks) against a real engine and task service: every rule of api.md §1.4."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.server.conftest import FAST_RETRY, engine_of, stop_api
from tests.support.client import Client
from tests.support.vectors import SPEC_DIR
from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.alert.topics import Derive
from tocsin.config.loader import load_text
from tocsin.points import Point
from tocsin.server.app import build_app
from tocsin.store.sqlite import SqliteStore
from tocsin.tasks.service import TaskService
from tocsin.tick.parser import parse_program
from tocsin.wiring import assemble

StartTasks = Callable[..., Awaitable[Client]]
TASKS = "/kapacitor/v1/tasks"
TEMPLATES = "/kapacitor/v1/templates"
SCRIPT = "stream|from().measurement('cpu')"
FORMATTED = "stream\n    |from()\n        .measurement('cpu')\n"
DOT = "digraph {id} {{\nstream0 -> from1;\n}}"
EXECUTING_DOT = (
    "digraph {id} {{\n"
    'graph [throughput="0.00 points/s"];\n'
    "\n"
    'stream0 [avg_exec_time_ns="0s" errors="0" working_cardinality="0" ];\n'
    'stream0 -> from1 [processed="0"];\n'
    "\n"
    'from1 [avg_exec_time_ns="0s" errors="0" working_cardinality="0" ];\n'
    "}}"
)
TASK_KEYS = [
    "link",
    "id",
    "template-id",
    "type",
    "dbrps",
    "script",
    "vars",
    "dot",
    "status",
    "executing",
    "error",
    "stats",
    "created",
    "modified",
    "last-enabled",
]
RFC3339NANO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")
ZERO_TIME = "0001-01-01T00:00:00Z"


@pytest.fixture
async def start_tasks(tmp_path: Path) -> AsyncIterator[StartTasks]:
    """Start a server with the task service wired in (a second start on the same directory is a restart)."""
    clients: list[Client] = []

    async def start(conf: str = FAST_RETRY) -> Client:
        base = load_text(f'data_dir = "{tmp_path}"\nhostname = "localhost"\n{conf}', "test.conf", environ={})
        engine = assemble(base, SqliteStore(str(tmp_path / "tocsin.db")))
        await engine.start()
        app = build_app(engine)
        client = TestClient(TestServer(app))
        await client.start_server()
        clients.append(client)
        return client

    yield start
    for client in clients:
        await stop_api(client)


@pytest.fixture
async def api(start_tasks: StartTasks) -> Client:
    return await start_tasks()


def service_of(client: Client) -> TaskService:
    points = engine_of(client).points
    assert isinstance(points, TaskService)
    return points


async def call(api: Client, method: str, path: str, body: Any = None, **query: Any) -> tuple[int, Any]:
    kwargs: dict[str, Any] = {"params": query} if query else {}
    if body is not None:
        kwargs["data"] = body if isinstance(body, str) else json.dumps(body)
    r = await api.request(method, path, **kwargs)
    text = await r.text()
    return r.status, (json.loads(text) if text.strip() else None)


async def create(api: Client, **body: Any) -> dict[str, Any]:
    body.setdefault("script", SCRIPT)
    if "dbrps" not in body and "dbrp " not in body["script"] and "template-id" not in body:
        body["dbrps"] = [{"db": "db", "rp": "rp"}]
    status, answer = await call(api, "POST", TASKS, body)
    assert status == 200, answer
    assert isinstance(answer, dict)
    return answer


def error(message: str) -> dict[str, str]:
    return {"error": message, "message": message}


def timeless(task: dict[str, Any]) -> dict[str, Any]:
    """The task without its times (checked for format separately)."""
    for key in ("created", "modified", "last-enabled"):
        assert RFC3339NANO.match(task[key]), task[key]
    return {k: v for k, v in task.items() if k not in ("created", "modified", "last-enabled")}


# -- the Go client's requests (api-vectors.json) -----------------------------------------------------


def vector(name: str) -> dict[str, Any]:
    vectors = json.loads((SPEC_DIR / "api-vectors.json").read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = [v for v in vectors if v["name"] == name]
    assert len(found) == 1, name
    return found[0]


async def send_vector(api: Client, name: str) -> tuple[int, Any]:
    request: dict[str, Any] = vector(name)["request"]
    return await call(api, request["method"], request["path"], request["body"], **request["query"])


@pytest.mark.parametrize(
    ("name", "script", "dot"),
    [
        ("client.get_task", FORMATTED, EXECUTING_DOT),
        ("client.get_task_labels", FORMATTED, None),
        ("client.get_task_raw", SCRIPT, EXECUTING_DOT),
    ],
    ids=["attributes", "labels", "raw"],
)
async def test_get_task_vectors(api: Client, name: str, script: str, dot: str | None) -> None:
    await create(api, id="t1", status="enabled")
    status, body = await send_vector(api, name)
    assert status == 200
    assert list(body) == TASK_KEYS
    expected = vector(name)["response"]["body"]
    assert {k: body[k] for k in ("link", "id", "type", "dbrps", "status")} == {
        k: expected[k] for k in ("link", "id", "type", "dbrps", "status")
    }
    assert (body["script"], body["executing"], body["error"]) == (script, True, "")
    if dot is not None:
        assert body["dot"] == dot.format(id="t1")
    else:
        assert body["dot"].startswith('digraph t1 {\ngraph [label="Throughput: 0.00 points/s" forcelabels=true')


async def test_create_task_vector_returns_the_full_task(api: Client) -> None:
    status, body = await send_vector(api, "client.create_task")
    assert status == 200
    assert timeless(body) == {
        "link": {"rel": "self", "href": "/kapacitor/v1/tasks/taskname"},
        "id": "taskname",
        "template-id": "",
        "type": "stream",
        "dbrps": [{"db": "dbname", "rp": "rpname"}],
        "script": FORMATTED,
        "vars": {"var1": {"type": "bool", "value": True, "description": ""}},
        "dot": DOT.format(id="taskname"),
        "status": "disabled",
        "executing": False,
        "error": "",
        "stats": {},
    }
    assert body["last-enabled"] == ZERO_TIME
    assert body["created"] == body["modified"]


async def test_update_enable_disable_delete_vectors(api: Client) -> None:
    await send_vector(api, "client.create_task")
    status, body = await send_vector(api, "client.update_task_dbrps_vars")
    assert status == 200
    assert body["dbrps"] == [{"db": "newdb", "rp": "rpname"}]
    assert body["vars"] == {
        "var1": {"type": "int", "value": 42, "description": ""},
        "var2": {"type": "float", "value": 42, "description": ""},
    }
    status, body = await send_vector(api, "client.enable_task")
    assert (status, body["status"], body["executing"]) == (200, "enabled", True)
    assert RFC3339NANO.match(body["last-enabled"]) and body["last-enabled"] != ZERO_TIME
    status, body = await send_vector(api, "client.disable_task")
    assert (status, body["status"], body["executing"], body["stats"]) == (200, "disabled", False, {})
    assert await send_vector(api, "client.delete_task") == (204, None)
    assert await call(api, "GET", f"{TASKS}/taskname") == (404, error("no task exists"))


async def test_list_tasks_vectors(api: Client) -> None:
    status, _ = await call(api, "POST", TEMPLATES, {"id": "myTemplate", "script": SCRIPT})
    assert status == 200
    await create(api, id="t1", **{"template-id": "myTemplate"}, dbrps=[{"db": "db", "rp": "rp"}])
    await create(api, id="t2", status="enabled")
    status, body = await send_vector(api, "client.list_tasks_defaults")
    assert status == 200
    first, second = body["tasks"]
    assert sorted(first) == sorted([*TASK_KEYS])
    assert sorted(second) == sorted(k for k in TASK_KEYS if k != "template-id")
    assert list(first) == sorted(first)  # a Go map: keys sorted
    assert (first["id"], first["template-id"], first["status"], first["executing"], first["stats"]) == (
        "t1",
        "myTemplate",
        "disabled",
        False,
        None,
    )
    assert (second["id"], second["status"], second["executing"]) == ("t2", "enabled", True)
    assert second["stats"]["task-stats"] == {"throughput": 0}
    assert sorted(second["stats"]["node-stats"]) == ["from1", "stream0"]
    assert await send_vector(api, "client.list_tasks_fields") == (200, {"tasks": []})


async def test_list_fields_keep_only_the_requested_ones(api: Client) -> None:
    await create(api, id="t1", status="enabled")
    await create(api, id="t2")
    status, body = await call(api, "GET", TASKS, fields=["status", "error", "executing"], pattern="t*")
    assert status == 200
    assert body == {
        "tasks": [
            {
                "error": "",
                "executing": True,
                "id": "t1",
                "link": {"rel": "self", "href": f"{TASKS}/t1"},
                "status": "enabled",
            },
            {
                "error": "",
                "executing": False,
                "id": "t2",
                "link": {"rel": "self", "href": f"{TASKS}/t2"},
                "status": "disabled",
            },
        ]
    }


async def test_error_shape_vector_is_the_real_404(api: Client) -> None:
    assert await send_vector(api, "client.error_shape") == (404, error("no task exists"))


# -- create ------------------------------------------------------------------------------------------


async def test_type_comes_from_the_script(api: Client) -> None:
    body = await create(api, id="t", type="batch")
    assert body["type"] == "stream"


async def test_empty_id_gets_a_uuid(api: Client) -> None:
    body = await create(api)
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", body["id"])


async def test_implicit_dbrps_are_stored(api: Client) -> None:
    body = await create(api, id="t", script='dbrp "telegraf"."autogen"\n' + SCRIPT)
    assert body["dbrps"] == [{"db": "telegraf", "rp": "autogen"}]


def parse_error(script: str) -> str:
    try:
        parse_program(script)
    except Exception as exc:
        return f"invalid TICKscript: {exc}"
    raise AssertionError("script parsed")


CREATE_ERRORS = [
    ("{", "invalid JSON"),
    ("[]", "invalid JSON"),
    ({"id": "a b", "script": SCRIPT}, "task ID must contain only letters, numbers, '-', '.' and '_'. \"a b\""),
    ({"id": "dup", "script": SCRIPT}, "task dup already exists"),
    ({"id": "t", "template-id": "nope"}, "unknown template nope: err: no template exists"),
    ({"id": "t", "dbrps": [{"db": "d", "rp": "r"}]}, "must provide TICKscript"),
    ({"id": "t", "script": "stream|from(", "dbrps": [{"db": "d", "rp": "r"}]}, parse_error("stream|from(")),
    ({"id": "t", "script": "var x = 5", "dbrps": [{"db": "d", "rp": "r"}]}, "invalid task type: invalid"),
    (
        {"id": "t", "script": "stream|from()\nbatch|query('q')", "dbrps": [{"db": "d", "rp": "r"}]},
        "invalid task type: invalid",
    ),
    (
        {"id": "t", "script": "stream|from().nosuch()", "dbrps": [{"db": "d", "rp": "r"}]},
        'invalid TICKscript: line 1 char 15: no method or property "nosuch" on *pipeline.FromNode',
    ),
    (
        {"id": "t", "script": SCRIPT, "dbrps": [{"db": "d", "rp": "r"}], "vars": {"x": {"type": "bool", "value": "y"}}},
        "invalid var x: unexpected var type bool, value is a string",
    ),
    (
        {
            "id": "t",
            "script": "var x = 5\n" + SCRIPT,
            "dbrps": [{"db": "d", "rp": "r"}],
            "vars": {"x": {"type": "string", "value": "y"}},
        },
        "invalid TICKscript: invalid type supplied for x, got string exp int",
    ),
    ({"id": "t", "script": SCRIPT}, "must specify dbrp"),
    (
        {"id": "t", "script": 'dbrp "a"."b"\n' + SCRIPT, "dbrps": [{"db": "d", "rp": "r"}]},
        "cannot specify dbrp in both implicitly and explicitly",
    ),
]


@pytest.mark.parametrize(
    ("body", "message"),
    CREATE_ERRORS,
    ids=[
        "invalid-json",
        "not-object",
        "bad-id",
        "exists",
        "unknown-template",
        "no-script",
        "parse",
        "no-type",
        "both-types",
        "compile",
        "var-value",
        "var-type",
        "no-dbrp",
        "both-dbrps",
    ],
)
async def test_create_errors(api: Client, body: Any, message: str) -> None:
    await create(api, id="dup")
    assert await call(api, "POST", TASKS, body) == (400, error(message))
    assert sorted(service_of(api).tasks) == ["dup"]


# -- get ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"script-format": "pretty"}, 'invalid script-format parameter "pretty"'),
        ({"dot-view": "graph"}, 'invalid dot-view parameter "graph"'),
        ({"replay-id": "r1"}, "no running replay with ID: r1"),
    ],
    ids=["script-format", "dot-view", "replay"],
)
async def test_get_parameter_errors(api: Client, query: dict[str, str], message: str) -> None:
    await create(api, id="t")
    assert await call(api, "GET", f"{TASKS}/t", **query) == (400, error(message))


async def test_get_disabled_task(api: Client) -> None:
    await create(api, id="t")
    status, body = await call(api, "GET", f"{TASKS}/t")
    assert status == 200
    assert (body["dot"], body["stats"], body["executing"], body["last-enabled"]) == (
        DOT.format(id="t"),
        {},
        False,
        ZERO_TIME,
    )


async def test_missing_id_on_path(api: Client) -> None:
    assert await call(api, "GET", f"{TASKS}/") == (400, error("must specify task id on path"))


# -- list --------------------------------------------------------------------------------------------


async def test_list_orders_by_id_then_pattern_offset_limit(api: Client) -> None:
    for task_id in ("t3", "a", "t1", "t2", "t10"):
        await create(api, id=task_id)

    async def ids(**query: Any) -> list[str]:
        status, body = await call(api, "GET", TASKS, fields="id", **query)
        assert status == 200
        return [t["id"] for t in body["tasks"]]

    assert await ids() == ["a", "t1", "t10", "t2", "t3"]
    assert await ids(pattern="t*", offset="1", limit="2") == ["t10", "t2"]
    assert await ids(limit="-1", offset="3") == ["t2", "t3"]
    assert await ids(pattern="[") == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"fields": "color"}, 'unsupported field "color"'),
        (
            {"offset": "x"},
            'invalid offset parameter "x" must be an integer: strconv.ParseInt: parsing "x": invalid syntax',
        ),
        (
            {"limit": "ten"},
            'invalid limit parameter "ten" must be an integer: strconv.ParseInt: parsing "ten": invalid syntax',
        ),
        ({"script-format": "x"}, 'invalid script-format parameter "x"'),
        ({"dot-view": "x"}, 'invalid dot-view parameter "x"'),
    ],
    ids=["field", "offset", "limit", "script-format", "dot-view"],
)
async def test_list_errors(api: Client, query: dict[str, str], message: str) -> None:
    await create(api, id="t")
    assert await call(api, "GET", TASKS, **query) == (400, error(message))


async def test_list_raw_scripts_and_vars_field(api: Client) -> None:
    await create(api, id="t", vars={"x": {"type": "duration", "value": "1m"}})
    status, body = await call(api, "GET", TASKS, fields=["script", "vars"], **{"script-format": "raw"})
    assert status == 200
    assert body["tasks"][0]["script"] == SCRIPT
    assert body["tasks"][0]["vars"] == {"x": {"type": "duration", "value": 60_000_000_000, "description": ""}}


# -- update ------------------------------------------------------------------------------------------


async def test_update_unknown_task(api: Client) -> None:
    assert await call(api, "PATCH", f"{TASKS}/nope", {"status": "enabled"}) == (
        404,
        error("task does not exist, cannot update"),
    )


@pytest.mark.parametrize(
    ("script", "patch", "message"),
    [
        (SCRIPT, "{", "invalid JSON"),
        (
            SCRIPT,
            {"script": 'dbrp "a"."b"\n' + SCRIPT, "dbrps": [{"db": "d", "rp": "r"}]},
            "cannot specify dbrp in implicitly and explicitly",
        ),
        ('dbrp "a"."b"\n' + SCRIPT, {"script": SCRIPT}, "must specify dbrp"),
        (SCRIPT, {"script": "stream|from("}, parse_error("stream|from(")),
        (SCRIPT, {"script": "var x = 1"}, "invalid task type: invalid"),
    ],
    ids=["invalid-json", "both-dbrps", "implicit-removed", "parse", "no-type"],
)
async def test_update_errors(api: Client, script: str, patch: Any, message: str) -> None:
    await create(api, id="t", script=script)
    assert await call(api, "PATCH", f"{TASKS}/t", patch) == (400, error(message))


async def test_a_patch_without_status_change_does_not_reload(api: Client) -> None:
    await create(api, id="t", status="enabled")
    running = service_of(api).runtime.running["t"]
    status, body = await call(api, "PATCH", f"{TASKS}/t", {"script": "stream|from().measurement('mem')"})
    assert (status, body["executing"]) == (200, True)
    assert service_of(api).runtime.running["t"] is running
    status, _ = await call(api, "PATCH", f"{TASKS}/t", {"status": "disabled"})
    status, _ = await call(api, "PATCH", f"{TASKS}/t", {"status": "enabled"})
    assert status == 200
    reloaded = service_of(api).runtime.running["t"]
    assert reloaded is not running
    assert reloaded.pipeline.nodes[1].properties["measurement"] == [("mem",)]


async def test_enabling_sets_last_enabled_and_other_patches_keep_it(api: Client) -> None:
    await create(api, id="t")
    _, enabled = await call(api, "PATCH", f"{TASKS}/t", {"status": "enabled"})
    _, patched = await call(api, "PATCH", f"{TASKS}/t", {"dbrps": [{"db": "x", "rp": "y"}]})
    assert enabled["last-enabled"] != ZERO_TIME
    assert patched["last-enabled"] == enabled["last-enabled"]
    assert patched["modified"] >= enabled["modified"]
    assert patched["dbrps"] == [{"db": "x", "rp": "y"}]


async def test_vars_are_replaced_only_by_a_non_empty_object(api: Client) -> None:
    await create(api, id="t", vars={"a": {"type": "int", "value": 1}, "b": {"type": "string", "value": "x"}})
    _, body = await call(api, "PATCH", f"{TASKS}/t", {"vars": {}})
    assert sorted(body["vars"]) == ["a", "b"]
    _, body = await call(api, "PATCH", f"{TASKS}/t", {"vars": {"c": {"type": "bool", "value": False}}})
    assert body["vars"] == {"c": {"type": "bool", "value": False, "description": ""}}


async def test_rename_restarts_an_enabled_task(api: Client) -> None:
    await create(api, id="t1", status="enabled")
    status, body = await call(api, "PATCH", f"{TASKS}/t1", {"id": "t2"})
    assert (status, body["id"], body["executing"]) == (200, "t2", True)
    assert await call(api, "GET", f"{TASKS}/t1") == (404, error("no task exists"))
    assert sorted(service_of(api).runtime.running) == ["t2"]


async def test_rename_onto_an_existing_task_is_400_not_kapacitors_500(api: Client) -> None:
    await create(api, id="t1")
    await create(api, id="t2")
    assert await call(api, "PATCH", f"{TASKS}/t1", {"id": "t2"}) == (
        400,
        error("failed to create new task during ID change: task already exists"),
    )
    assert sorted(service_of(api).tasks) == ["t1", "t2"]


async def test_implicit_dbrps_follow_the_script(api: Client) -> None:
    await create(api, id="t")
    _, body = await call(api, "PATCH", f"{TASKS}/t", {"script": 'dbrp "a"."b"\ndbrp "c"."d"\n' + SCRIPT})
    assert body["dbrps"] == [{"db": "a", "rp": "b"}, {"db": "c", "rp": "d"}]


# -- delete ------------------------------------------------------------------------------------------


async def test_delete_is_204_even_for_an_unknown_task(api: Client) -> None:
    assert await call(api, "DELETE", f"{TASKS}/nope") == (204, None)


async def _seed_topic(api: Client, topic: str) -> None:
    event = Event(topic=topic, id="cpu", level=Level.CRITICAL, time=1, message="m")
    await engine_of(api).collect([(event, Derive())])


@pytest.mark.parametrize(("status", "remains"), [("enabled", False), ("disabled", True)], ids=["enabled", "disabled"])
async def test_delete_drops_anonymous_topics_only_of_an_enabled_task(api: Client, status: str, remains: bool) -> None:
    await create(api, id="t", status=status)
    await _seed_topic(api, "main:t:alert2")
    await _seed_topic(api, "main:other:alert2")
    assert await call(api, "DELETE", f"{TASKS}/t") == (204, None)
    topics = engine_of(api).topics
    assert (topics.get("main:t:alert2") is not None, topics.get("main:other:alert2") is not None) == (remains, True)
    assert "t" not in service_of(api).runtime.running


# -- persistence -------------------------------------------------------------------------------------


async def test_tasks_survive_a_restart(start_tasks: StartTasks) -> None:
    api = await start_tasks()
    on = await create(api, id="on", status="enabled", vars={"x": {"type": "int", "value": 3}})
    off = await create(api, id="off")
    await stop_api(api)
    api = await start_tasks()
    _, again_on = await call(api, "GET", f"{TASKS}/on")
    _, again_off = await call(api, "GET", f"{TASKS}/off")
    assert (again_on["status"], again_on["executing"], again_on["vars"]) == ("enabled", True, on["vars"])
    assert {k: again_on[k] for k in ("created", "modified", "last-enabled", "dbrps", "script")} == {
        k: on[k] for k in ("created", "modified", "last-enabled", "dbrps", "script")
    }
    assert timeless(again_off) == timeless(off)
    assert sorted(service_of(api).runtime.running) == ["on"]


# -- httpOut -----------------------------------------------------------------------------------------


async def test_http_output_vector(api: Client) -> None:
    await create(api, id="taskname", status="enabled", script=SCRIPT + "|httpOut('cpu')")
    assert await send_vector(api, "client.task_http_output") == (200, {"series": None})
    cpu = Point(
        name="cpu",
        tags={},
        fields={"value": 55.0},
        time=1_422_568_543_702_900_257,
        database="db",
        retention_policy="rp",
    )
    await engine_of(api).write_points([cpu])
    status, body = await send_vector(api, "client.task_http_output")
    assert (status, body) == (
        200,
        {"series": [{"name": "cpu", "columns": ["time", "value"], "values": [["2015-01-29T21:55:43.702900257Z", 55]]}]},
    )


@pytest.mark.parametrize(
    "path",
    [f"{TASKS}/taskname/other", f"{TASKS}/stopped/cpu", f"{TASKS}/nope/cpu"],
    ids=["unknown-endpoint", "disabled-task", "unknown-task"],
)
async def test_http_output_not_found(api: Client, path: str) -> None:
    await create(api, id="taskname", status="enabled", script=SCRIPT + "|httpOut('cpu')")
    await create(api, id="stopped", script=SCRIPT + "|httpOut('cpu')")
    assert await call(api, "GET", path) == (404, error("no task exists"))


@pytest.mark.parametrize(
    ("method", "answer"),
    [
        ("GET", (404, error("no task exists"))),
        ("PATCH", (404, error("task does not exist, cannot update"))),
        ("DELETE", (204, None)),
    ],
    ids=["get", "patch", "delete"],
)
async def test_an_id_with_a_slash_is_just_unknown(api: Client, method: str, answer: tuple[int, Any]) -> None:
    assert await call(api, method, f"{TASKS}/a/b", {} if method == "PATCH" else None) == answer

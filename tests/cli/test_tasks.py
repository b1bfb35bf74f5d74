"""Task and template verbs against a recording aiohttp server that answers like Kapacitor."""

from __future__ import annotations

import asyncio
import fnmatch
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from tocsin.cli.main import main

TASKS = "/kapacitor/v1/tasks"
TEMPLATES = "/kapacitor/v1/templates"
GET_TASK_QUERY = "dot-view=attributes&replay-id=&script-format=formatted"


def task(task_id: str, status: str = "disabled", **extra: Any) -> dict[str, Any]:
    return {
        "link": {"rel": "self", "href": f"{TASKS}/{task_id}"},
        "id": task_id,
        "template-id": "",
        "type": "stream",
        "dbrps": [{"db": "telegraf", "rp": "autogen"}],
        "script": "stream\n    |from()\n",
        "vars": {},
        "dot": f"digraph {task_id} {{\n}}",
        "status": status,
        "executing": status == "enabled",
        "error": "",
        "stats": {},
        "created": "2016-12-01T10:00:00.123456789Z",
        "modified": "2016-12-02T11:30:00Z",
        "last-enabled": "0001-01-01T00:00:00Z",
        **extra,
    }


class Kapacitor:
    """Tasks and templates kept in dicts; every request is recorded as `METHOD path?query` plus its JSON body."""

    def __init__(self) -> None:
        self.tasks: dict[str, dict[str, Any]] = {}
        self.templates: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, Any]] = []

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._record])
        app.router.add_route("*", TASKS, self._collection)
        app.router.add_route("*", TASKS + "/{id}", self._item)
        app.router.add_route("*", TEMPLATES, self._collection)
        app.router.add_route("*", TEMPLATES + "/{id}", self._item)
        return app

    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        raw = await request.read()
        self.requests.append((f"{request.method} {request.path_qs}", json.loads(raw) if raw else None))
        response: web.StreamResponse = await handler(request)
        return response

    def _store(self, request: web.Request) -> tuple[dict[str, dict[str, Any]], str]:
        return (self.tasks, "tasks") if request.path.startswith(TASKS) else (self.templates, "templates")

    async def _collection(self, request: web.Request) -> web.Response:
        store, key = self._store(request)
        if request.method == "POST":
            body = await request.json()
            made = task(body["id"], body.get("status", "disabled"))
            made.update({k: v for k, v in body.items() if k != "status"})
            store[body["id"]] = made
            return web.json_response(made)
        q = request.query
        ids = sorted(i for i in store if not q.get("pattern") or fnmatch.fnmatchcase(i, q["pattern"]))
        offset, limit = int(q.get("offset", "0")), int(q.get("limit", "100"))
        fields = q.getall("fields", [])
        page = [{k: v for k, v in store[i].items() if k in ("id", "link", *fields)} for i in ids][offset:][:limit]
        return web.json_response({key: page})

    async def _item(self, request: web.Request) -> web.Response:
        store, key = self._store(request)
        found = store.get(request.match_info["id"])
        if request.method == "DELETE":
            store.pop(request.match_info["id"], None)
            return web.Response(status=204)
        if found is None:
            message = "no task exists" if key == "tasks" else "no template exists"
            return web.json_response({"error": message, "message": message}, status=404)
        if request.method == "PATCH":
            found.update(await request.json())
        return web.json_response(found)


@pytest.fixture
async def kapacitor(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Kapacitor]:
    fake = Kapacitor()
    server = TestServer(fake.app())
    await server.start_server()
    monkeypatch.setenv("TOCSIN_URL", str(server.make_url("")).rstrip("/"))
    monkeypatch.delenv("KAPACITOR_URL", raising=False)
    yield fake
    await server.close()


async def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = await asyncio.to_thread(main, list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


async def test_define_creates_a_disabled_task(kapacitor: Kapacitor, capsys: Any, tmp_path: Path) -> None:
    tick = tmp_path / "cpu.tick"
    tick.write_text("stream|from().measurement('cpu')\n")
    variables = tmp_path / "vars.json"
    variables.write_text('{"x": {"type": "duration", "value": "1m"}, "y": {"type": "float", "value": 42}}')
    result = await cli(
        capsys,
        "define",
        "cpu",
        "-tick",
        str(tick),
        "-type",
        "stream",
        "-dbrp",
        "telegraf.autogen",
        "-dbrp",
        '"my.db"."rp \\"1\\""',
        "-vars",
        str(variables),
    )
    assert result == (0, "", "")
    assert kapacitor.requests == [
        (f"GET {TASKS}/cpu?{GET_TASK_QUERY}", None),
        (
            f"POST {TASKS}",
            {
                "id": "cpu",
                "type": "stream",
                "dbrps": [{"db": "telegraf", "rp": "autogen"}, {"db": "my.db", "rp": 'rp "1"'}],
                "script": "stream|from().measurement('cpu')\n",
                "status": "disabled",
                "vars": {
                    "x": {"type": "duration", "value": 60_000_000_000, "description": ""},
                    "y": {"type": "float", "value": 42, "description": ""},
                },
            },
        ),
    ]


async def test_define_patches_only_given_fields_then_reloads_enabled_task(kapacitor: Kapacitor, capsys: Any) -> None:
    kapacitor.tasks["cpu"] = task("cpu", "enabled")
    assert await cli(capsys, "define", "cpu", "-dbrp", "db.rp") == (0, "", "")
    assert kapacitor.requests == [
        (f"GET {TASKS}/cpu?{GET_TASK_QUERY}", None),
        (f"PATCH {TASKS}/cpu", {"dbrps": [{"db": "db", "rp": "rp"}]}),
        (f"PATCH {TASKS}/cpu", {"status": "disabled"}),
        (f"PATCH {TASKS}/cpu", {"status": "enabled"}),
    ]


async def test_define_no_reload_and_disabled_task(kapacitor: Kapacitor, capsys: Any, tmp_path: Path) -> None:
    kapacitor.tasks["a"] = task("a", "enabled")
    kapacitor.tasks["b"] = task("b")
    assert (await cli(capsys, "define", "a", "-template", "t1", "-no-reload"))[0] == 0
    assert (await cli(capsys, "define", "b", "-template", "t1"))[0] == 0
    assert [r for r in kapacitor.requests if not r[0].startswith("GET")] == [
        (f"PATCH {TASKS}/a", {"template-id": "t1"}),
        (f"PATCH {TASKS}/b", {"template-id": "t1"}),
    ]


async def test_define_from_task_file(kapacitor: Kapacitor, capsys: Any, tmp_path: Path) -> None:
    spec = tmp_path / "task.yaml"
    spec.write_text(
        "id: cpu\ntemplate-id: generic\ndbrps:\n  - db: telegraf\n    rp: autogen\nvars:\n"
        "  crit:\n    type: lambda\n    value: '\"value\" > 90'\n"
    )
    assert await cli(capsys, "define", "cpu", "-file", str(spec)) == (0, "", "")
    assert kapacitor.requests[1] == (
        f"POST {TASKS}",
        {
            "id": "cpu",
            "template-id": "generic",
            "dbrps": [{"db": "telegraf", "rp": "autogen"}],
            "vars": {"crit": {"type": "lambda", "value": '"value" > 90', "description": ""}},
        },
    )
    assert await cli(capsys, "define", "other", "-file", str(spec)) == (
        3,
        "",
        f"Error: Task id given on command line does not match id in {spec}\n",
    )


@pytest.mark.parametrize(
    ("argv", "code", "err"),
    [
        (("define",), 2, "Error: must provide a task ID\n"),
        (("define", "t", "-dbrp", "nodot"), 2, "Error: does not contain a '.', it must be in the form"),
        (("define", "t", "-dbrp", '"db"rp'), 2, "Error: dbrp must specify retention policy"),
        (("define", "t", "-tick", "/no.tick"), 3, "Error: open /no.tick: no such file or directory\n"),
        (("define", "t", "-file", "x.txt"), 3, "Error: bad file extension. Must be YAML or JSON\n"),
        (("enable",), 2, "Error: must pass at least one task ID\n"),
        (("show",), 2, "Error: must specify one task ID\n"),
        (("show", "missing"), 3, "Error: no task exists\n"),
        (("show-template", "missing"), 3, "Error: no template exists\n"),
        (("define", "t", "-vars", "no.json"), 3, "Error: failed to open file no.json: open no.json: no such file"),
    ],
    ids=[
        "no-id",
        "dbrp-no-dot",
        "dbrp-no-rp",
        "tick-missing",
        "file-ext",
        "enable-none",
        "show-none",
        "show-404",
        "show-template-404",
        "vars-missing",
    ],
)
async def test_errors(
    kapacitor: Kapacitor,
    capsys: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    argv: tuple[str, ...],
    code: int,
    err: str,
) -> None:
    if argv[-1] == "x.txt":
        monkeypatch.chdir(tmp_path)
        (tmp_path / "x.txt").write_text("id: t\n")
    result = await cli(capsys, *argv)
    assert (result[0], result[1]) == (code, "")
    assert result[2].startswith(err)


async def test_enable_disable_reload_by_glob_with_paging(kapacitor: Kapacitor, capsys: Any) -> None:
    for i in range(101):
        kapacitor.tasks[f"t{i:03d}"] = task(f"t{i:03d}")
    kapacitor.tasks["other"] = task("other")
    assert await cli(capsys, "enable", "t*") == (0, "", "")
    lines = [r[0] for r in kapacitor.requests]
    list_query = "dot-view=attributes&fields=link&limit=100&offset={}&pattern=t%2A&replay-id=&script-format=formatted"
    assert lines[0] == f"GET {TASKS}?{list_query.format(0)}"
    assert lines[101] == f"GET {TASKS}?{list_query.format(100)}"
    assert lines[1:3] == [f"PATCH {TASKS}/t000", f"PATCH {TASKS}/t001"]
    assert kapacitor.requests[1][1] == {"status": "enabled"}
    assert len(lines) == 103
    assert {t["status"] for i, t in kapacitor.tasks.items() if i != "other"} == {"enabled"}
    kapacitor.requests.clear()
    assert await cli(capsys, "reload", "other") == (0, "", "")
    assert kapacitor.requests == [
        (f"GET {TASKS}?{list_query.format(0).replace('t%2A', 'other')}", None),
        (f"PATCH {TASKS}/other", {"status": "disabled"}),
        (f"GET {TASKS}?{list_query.format(0).replace('t%2A', 'other')}", None),
        (f"PATCH {TASKS}/other", {"status": "enabled"}),
    ]
    assert (await cli(capsys, "disable", "other", "--json"))[1].startswith("[\n")


CRIT = '"value" > 90'
SHOWN = (
    "ID: cpu\n"
    "Error: \n"
    "Template: generic\n"
    "Type: stream\n"
    "Status: enabled\n"
    "Executing: true\n"
    "Created: 01 Dec 16 10:00 UTC\n"
    "Modified: 02 Dec 16 11:30 UTC\n"
    "LastEnabled: 01 Jan 01 00:00 UTC\n"
    'Databases Retention Policies: ["telegraf"."autogen" "db2"."rp2"]\n'
    "TICKscript:\nstream\n    |from()\n\n"
    "Vars:\n"
    f"{'Name':<30}{'Type':<10}{'Value':<40}\n"
    f"{'crit':<30}{'lambda':<10}{CRIT:<40}\n"
    f"{'every':<30}{'duration':<10}{'1m0s':<40}\n"
    f"{'fields':<30}{'list':<10}{'[usage_idle, *]':<40}\n"
    f"{'ratio':<30}{'float':<10}{'1e+06':<40}\n"
    "DOT:\ndigraph cpu {\n}\n"
)


async def test_show_layout(kapacitor: Kapacitor, capsys: Any) -> None:
    variables = {
        "every": {"type": "duration", "value": 60_000_000_000, "description": ""},
        "crit": {"type": "lambda", "value": '"value" > 90', "description": ""},
        "ratio": {"type": "float", "value": 1000000, "description": ""},
        "fields": {"type": "list", "value": [{"type": "string", "value": "usage_idle"}, {"type": "star"}]},
    }
    dbrps = [{"db": "telegraf", "rp": "autogen"}, {"db": "db2", "rp": "rp2"}]
    kapacitor.tasks["cpu"] = task("cpu", "enabled", vars=variables, dbrps=dbrps, **{"template-id": "generic"})
    assert await cli(capsys, "show", "-replay", "r1", "cpu") == (0, SHOWN, "")
    assert kapacitor.requests == [(f"GET {TASKS}/cpu?dot-view=attributes&replay-id=r1&script-format=formatted", None)]
    code, out, _ = await cli(capsys, "show", "cpu", "--json")
    assert (code, json.loads(out)["id"]) == (0, "cpu")


async def test_list_tasks_table_sorted(kapacitor: Kapacitor, capsys: Any) -> None:
    kapacitor.tasks["zeta_long_name"] = task("zeta_long_name", "enabled")
    kapacitor.tasks["alpha"] = task("alpha", dbrps=[])
    assert await cli(capsys, "list", "tasks", "z*", "a*") == (
        0,
        "ID             Type      Status    Executing Databases and Retention Policies\n"
        "alpha          stream    disabled  false     []\n"
        'zeta_long_name stream    enabled   true      ["telegraf"."autogen"]\n',
        "",
    )
    query = "dot-view=attributes&fields=type&fields=status&fields=executing&fields=dbrps&limit=100&offset=0"
    assert [r[0] for r in kapacitor.requests] == [
        f"GET {TASKS}?{query}&pattern=z%2A&replay-id=&script-format=formatted",
        f"GET {TASKS}?{query}&pattern=a%2A&replay-id=&script-format=formatted",
    ]


async def test_delete_tasks_lists_then_deletes(kapacitor: Kapacitor, capsys: Any) -> None:
    kapacitor.tasks["a1"] = task("a1")
    kapacitor.tasks["a2"] = task("a2")
    kapacitor.tasks["b"] = task("b")
    assert await cli(capsys, "delete", "tasks", "a*") == (0, "", "")
    query = "dot-view=attributes&fields=link&limit=100&offset=0&pattern=a%2A&replay-id=&script-format=formatted"
    assert [r[0] for r in kapacitor.requests] == [
        f"GET {TASKS}?{query}",
        f"DELETE {TASKS}/a1",
        f"DELETE {TASKS}/a2",
    ]
    assert list(kapacitor.tasks) == ["b"]


def template(template_id: str, **extra: Any) -> dict[str, Any]:
    made = task(template_id, **extra)
    made["link"] = {"rel": "self", "href": f"{TEMPLATES}/{template_id}"}
    for key in ("template-id", "dbrps", "status", "executing", "stats", "last-enabled"):
        made.pop(key)
    return made


async def test_define_template_create_then_update(kapacitor: Kapacitor, capsys: Any, tmp_path: Path) -> None:
    tick = tmp_path / "t.tick"
    tick.write_text("var x = 5\nstream|from()\n")
    assert await cli(capsys, "define-template", "generic", "-tick", str(tick), "-type", "stream") == (0, "", "")
    assert await cli(capsys, "define-template", "generic", "-type", "batch") == (0, "", "")
    assert kapacitor.requests == [
        (f"GET {TEMPLATES}/generic?script-format=formatted", None),
        (f"POST {TEMPLATES}", {"id": "generic", "type": "stream", "script": "var x = 5\nstream|from()\n"}),
        (f"GET {TEMPLATES}/generic?script-format=formatted", None),
        (f"PATCH {TEMPLATES}/generic", {"type": "batch"}),
    ]


async def test_show_template_layout(kapacitor: Kapacitor, capsys: Any) -> None:
    variables = {
        "crit": {"type": "lambda", "value": None, "description": "the critical expression"},
        "x": {"type": "int", "value": 5, "description": ""},
    }
    kapacitor.templates["generic"] = template("generic", vars=variables)
    code, out, err = await cli(capsys, "show-template", "generic")
    assert (code, err) == (0, "")
    assert out == (
        "ID: generic\nError: \nType: stream\nCreated: 01 Dec 16 10:00 UTC\nModified: 02 Dec 16 11:30 UTC\n"
        "TICKscript:\nstream\n    |from()\n\nVars:\n"
        f"{'Name':<30}{'Type':<10}{'Default Value':<40}{'Description':<40}\n"
        f"{'crit':<30}{'lambda':<10}{'<required>':<40}{'the critical expression':<40}\n"
        f"{'x':<30}{'int':<10}{'5':<40}{'':<40}\n"
        "DOT:\ndigraph generic {\n}\n"
    )


async def test_list_and_delete_templates(kapacitor: Kapacitor, capsys: Any) -> None:
    kapacitor.templates["b"] = template("b", vars={"z": {}, "a": {}})
    kapacitor.templates["a"] = template("a", type="batch")
    assert await cli(capsys, "list", "templates") == (
        0,
        f"ID Type      {'Vars':<40}\na  batch     {'':<40}\nb  stream    {'a,z':<40}\n",
        "",
    )
    assert kapacitor.requests[0][0] == (
        f"GET {TEMPLATES}?fields=type&fields=vars&limit=100&offset=0&pattern=&script-format=formatted"
    )
    kapacitor.requests.clear()
    assert await cli(capsys, "delete", "templates", "*") == (0, "", "")
    assert [r[0] for r in kapacitor.requests] == [
        f"GET {TEMPLATES}?fields=link&limit=100&offset=0&pattern=%2A&script-format=formatted",
        f"DELETE {TEMPLATES}/a",
        f"DELETE {TEMPLATES}/b",
    ]

"""The templates API (/kapacitor/v1/templates) and tasks made from templates: api.md §1.5."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.test_tasks_api import (
    DOT,
    FORMATTED,
    RFC3339NANO,
    SCRIPT,
    TASKS,
    TEMPLATES,
    StartTasks,
    api,
    call,
    create,
    error,
    send_vector,
    service_of,
    start_tasks,
    vector,
)
from tests.support.client import Client

__all__ = ["api", "start_tasks"]  # fixtures shared with the tasks API tests

TEMPLATE_KEYS = ["link", "id", "type", "script", "vars", "dot", "error", "created", "modified"]
GENERIC = """// Which measurement to consume
var measurement string
// Critical threshold
var crit = 10
var period = 1m

stream
    |from()
        .measurement(measurement)
    |alert()
        .crit(lambda: "value" > crit)
"""


async def make_template(api: Client, template_id: str, script: str = SCRIPT) -> dict[str, Any]:
    status, body = await call(api, "POST", TEMPLATES, {"id": template_id, "script": script})
    assert status == 200, body
    assert isinstance(body, dict)
    return body


# -- the Go client's requests ------------------------------------------------------------------------


async def test_create_template_vector(api: Client) -> None:
    status, body = await send_vector(api, "client.create_template")
    assert status == 200
    assert list(body) == TEMPLATE_KEYS
    assert {k: v for k, v in body.items() if k not in ("created", "modified")} == {
        "link": {"rel": "self", "href": "/kapacitor/v1/templates/templatename"},
        "id": "templatename",
        "type": "stream",
        "script": FORMATTED,
        "vars": {},
        "dot": DOT.format(id="templatename"),
        "error": "",
    }
    assert RFC3339NANO.match(body["created"]) and body["created"] == body["modified"]


@pytest.mark.parametrize(
    ("name", "script"),
    [("client.get_template", FORMATTED), ("client.get_template_raw", SCRIPT)],
    ids=["formatted", "raw"],
)
async def test_get_template_vectors(api: Client, name: str, script: str) -> None:
    await make_template(api, "t1")
    status, body = await send_vector(api, name)
    assert status == 200
    assert list(body) == TEMPLATE_KEYS
    assert (body["link"], body["type"], body["script"]) == (vector(name)["response"]["body"]["link"], "stream", script)


async def test_update_and_delete_template_vectors(api: Client) -> None:
    await make_template(api, "templatename")
    status, body = await send_vector(api, "client.update_template")
    assert (status, body["id"], body["type"]) == (200, "templatename", "stream")  # the type follows the script
    assert await send_vector(api, "client.delete_template") == (204, None)
    assert await call(api, "GET", f"{TEMPLATES}/templatename") == (404, error("no template exists"))


async def test_list_templates_vectors(api: Client) -> None:
    await make_template(api, "t1")
    await make_template(api, "t2", GENERIC)
    status, body = await send_vector(api, "client.list_templates")
    assert status == 200
    assert [sorted(t) for t in body["templates"]] == [sorted(k for k in TEMPLATE_KEYS if k != "vars")] * 2
    assert [t["id"] for t in body["templates"]] == ["t1", "t2"]
    assert await send_vector(api, "client.list_templates_fields") == (200, {"templates": []})


async def test_list_vars_only_when_asked(api: Client) -> None:
    await make_template(api, "t2", GENERIC)
    status, body = await call(api, "GET", TEMPLATES, fields=["vars", "type"], pattern="t*")
    assert status == 200
    assert body == {
        "templates": [
            {
                "id": "t2",
                "link": {"rel": "self", "href": f"{TEMPLATES}/t2"},
                "type": "stream",
                "vars": {
                    "crit": {"value": 10, "type": "int", "description": "Critical threshold"},
                    "measurement": {"value": None, "type": "string", "description": "Which measurement to consume"},
                    "period": {"value": 60_000_000_000, "type": "duration", "description": ""},
                },
            }
        ]
    }


# -- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{", "invalid JSON"),
        ({"id": "a/b", "script": SCRIPT}, "template ID must contain only letters, numbers, '-', '.' and '_'. \"a/b\""),
        ({"id": "dup", "script": SCRIPT}, "template dup already exists"),
        ({"id": "t"}, "invalid task type: invalid"),
        ({"id": "t", "script": "var x = 1"}, "invalid task type: invalid"),
    ],
    ids=["invalid-json", "bad-id", "exists", "no-script", "no-type"],
)
async def test_create_errors(api: Client, body: Any, message: str) -> None:
    await make_template(api, "dup")
    assert await call(api, "POST", TEMPLATES, body) == (400, error(message))


async def test_update_unknown_template(api: Client) -> None:
    assert await call(api, "PATCH", f"{TEMPLATES}/nope", {"script": SCRIPT}) == (
        404,
        error("template does not exist, cannot update"),
    )


async def test_get_bad_script_format(api: Client) -> None:
    await make_template(api, "t")
    assert await call(api, "GET", f"{TEMPLATES}/t", **{"script-format": "x"}) == (
        400,
        error('invalid script-format parameter "x"'),
    )


async def test_delete_is_204_always(api: Client) -> None:
    assert await call(api, "DELETE", f"{TEMPLATES}/nope") == (204, None)


# -- tasks from templates ----------------------------------------------------------------------------

DBRPS = [{"db": "db", "rp": "rp"}]


@pytest.mark.parametrize(
    ("task_vars", "message"),
    [
        ({}, 'invalid TICKscript: missing value for var "measurement".'),
        (
            {"measurement": {"type": "string", "value": "cpu"}, "crit": {"type": "string", "value": "x"}},
            "invalid TICKscript: invalid type supplied for crit, got string exp int",
        ),
    ],
    ids=["missing", "wrong-type"],
)
async def test_task_var_errors(api: Client, task_vars: dict[str, Any], message: str) -> None:
    await make_template(api, "generic", GENERIC)
    body = {"id": "t", "template-id": "generic", "dbrps": DBRPS, "vars": task_vars}
    assert await call(api, "POST", TASKS, body) == (400, error(message))


async def test_task_from_template_uses_its_script_and_vars(api: Client) -> None:
    await make_template(api, "generic", GENERIC)
    task = await create(
        api,
        id="t",
        status="enabled",
        dbrps=DBRPS,
        vars={"measurement": {"type": "string", "value": "mem"}},
        **{"template-id": "generic"},
    )
    assert (task["template-id"], task["type"], task["executing"], task["error"]) == ("generic", "stream", True, "")
    running = service_of(api).runtime.running["t"]
    assert running.pipeline.nodes[1].properties["measurement"] == [("mem",)]


async def test_template_update_reloads_its_tasks(api: Client) -> None:
    await make_template(api, "generic", GENERIC)
    await create(
        api,
        id="t",
        status="enabled",
        dbrps=DBRPS,
        vars={"measurement": {"type": "string", "value": "mem"}},
        **{"template-id": "generic"},
    )
    before = service_of(api).runtime.running["t"]
    new_script = GENERIC.replace("var crit = 10", "var crit = 20")
    status, body = await call(api, "PATCH", f"{TEMPLATES}/generic", {"script": new_script})
    assert status == 200
    assert body["vars"]["crit"]["value"] == 20
    after = service_of(api).runtime.running["t"]
    assert after is not before
    _, task = await call(api, "GET", f"{TASKS}/t", **{"script-format": "raw"})
    assert (task["script"], task["executing"]) == (new_script, True)


async def test_a_failed_reload_rolls_every_task_back(api: Client) -> None:
    await make_template(api, "generic", GENERIC)
    for task_id in ("a", "b"):
        await create(
            api,
            id=task_id,
            status="enabled",
            dbrps=DBRPS,
            vars={"measurement": {"type": "string", "value": "mem"}},
            **{"template-id": "generic"},
        )
    broken = GENERIC.replace("var period = 1m", "var period = 1m\nvar extra int")
    status, body = await call(api, "PATCH", f"{TEMPLATES}/generic", {"script": broken})
    assert (status, body) == (500, error('error reloading associated task a: missing value for var "extra".'))
    for task_id in ("a", "b"):
        _, task = await call(api, "GET", f"{TASKS}/{task_id}", **{"script-format": "raw"})
        assert (task["script"], task["executing"], task["error"]) == (GENERIC, True, "")


async def test_deleting_a_template_orphans_its_tasks(api: Client) -> None:
    await make_template(api, "tp")
    await create(api, id="t", status="enabled", dbrps=DBRPS, **{"template-id": "tp"})
    assert await call(api, "DELETE", f"{TEMPLATES}/tp") == (204, None)
    status, task = await call(api, "GET", f"{TASKS}/t")
    assert (status, task["template-id"], task["executing"], task["script"]) == (200, "tp", True, FORMATTED)


async def test_templates_survive_a_restart(start_tasks: StartTasks) -> None:
    from tests.server.conftest import stop_api

    api = await start_tasks()
    created = await make_template(api, "generic", GENERIC)
    await stop_api(api)
    api = await start_tasks()
    assert await call(api, "GET", f"{TEMPLATES}/generic") == (200, created)


async def test_patching_a_task_of_a_deleted_template_names_the_requested_template(api: Client) -> None:
    await make_template(api, "tp")
    await create(api, id="t", dbrps=DBRPS, **{"template-id": "tp"})
    await call(api, "DELETE", f"{TEMPLATES}/tp")
    # As Kapacitor: the message names the template of the request, empty here.
    assert await call(api, "PATCH", f"{TASKS}/t", {"status": "enabled"}) == (
        400,
        error("unknown template : err: no template exists"),
    )


async def test_renaming_a_template_moves_its_tasks(api: Client) -> None:
    await make_template(api, "old")
    await create(api, id="t", status="enabled", dbrps=DBRPS, **{"template-id": "old"})
    status, body = await call(api, "PATCH", f"{TEMPLATES}/old", {"id": "new"})
    assert (status, body["id"], body["link"]["href"]) == (200, "new", f"{TEMPLATES}/new")
    assert await call(api, "GET", f"{TEMPLATES}/old") == (404, error("no template exists"))
    _, task = await call(api, "GET", f"{TASKS}/t")
    assert (task["template-id"], task["executing"]) == ("new", True)


async def test_template_dbrps_are_given_to_its_tasks(api: Client) -> None:
    await make_template(api, "tp", 'dbrp "a"."b"\n' + SCRIPT)
    task = await create(api, id="t", **{"template-id": "tp"})
    assert task["dbrps"] == [{"db": "a", "rp": "b"}]
    await call(api, "PATCH", f"{TEMPLATES}/tp", {"script": 'dbrp "c"."d"\n' + SCRIPT})
    _, task = await call(api, "GET", f"{TASKS}/t")
    assert task["dbrps"] == [{"db": "c", "rp": "d"}]


async def test_a_bad_alert_template_is_refused_before_any_task_reloads(api: Client) -> None:
    await make_template(api, "generic", GENERIC)
    await create(
        api,
        id="a",
        status="enabled",
        dbrps=DBRPS,
        vars={"measurement": {"type": "string", "value": "m"}},
        **{"template-id": "generic"},
    )
    bad = "stream|from().measurement(measurement)|alert().message('{{ .ID }} is {{Level }}').log('/dev/null')"
    message = 'invalid TICKscript: alert2: template: message:1: function "Level" not defined'
    assert await call(api, "PATCH", f"{TEMPLATES}/generic", {"script": "var measurement string\n" + bad}) == (
        400,
        error(message),
    )
    assert await call(
        api, "POST", TASKS, {"id": "b", "dbrps": DBRPS, "script": bad.replace("(measurement)", "('m')")}
    ) == (400, error(message))
    _, task = await call(api, "GET", f"{TASKS}/a", **{"script-format": "raw"})
    assert (task["script"], task["executing"], task["error"]) == (GENERIC, True, "")

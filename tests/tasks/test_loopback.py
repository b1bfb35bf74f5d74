"""kapacitorLoopback: points written back into the stream reach the tasks that read them; a loop is refused."""

from __future__ import annotations

from typing import Any

from tests.server.test_tasks_api import StartTasks, call, error, start_tasks
from tests.support.client import Client
from tests.support.polling import eventually

__all__ = ["start_tasks"]

TASKS = "/kapacitor/v1/tasks"
T = 1_700_000_000  # 2023-11-14T22:13:20Z


async def define(api: Client, task_id: str, script: str, db: str, rp: str) -> tuple[int, Any]:
    body = {"id": task_id, "script": script, "status": "enabled", "dbrps": [{"db": db, "rp": rp}]}
    return await call(api, "POST", TASKS, body)


async def test_points_written_back_reach_the_task_that_reads_them(start_tasks: StartTasks) -> None:
    api = await start_tasks()
    status, _ = await define(
        api,
        "copy",
        "stream|from().measurement('cpu')\n    |eval(lambda: \"v\" * 2.0).as('double')\n"
        "    |kapacitorLoopback().database('derived').retentionPolicy('autogen').measurement('cpu2')"
        ".tag('source', 'loop')\n",
        "telegraf",
        "autogen",
    )
    assert status == 200
    status, _ = await define(
        api, "read", "stream|from().measurement('cpu2')\n    |httpOut('out')\n", "derived", "autogen"
    )
    assert status == 200
    r = await api.post(
        "/write", params={"db": "telegraf", "rp": "autogen", "precision": "s"}, data=f"cpu,host=a v=1.5 {T}"
    )
    assert r.status == 204

    async def arrived() -> Any:
        _, out = await call(api, "GET", f"{TASKS}/read/out")
        return out if out["series"] else None

    assert await eventually(arrived) == {
        "series": [
            {
                "name": "cpu2",
                "tags": {"host": "a", "source": "loop"},
                "columns": ["time", "double"],  # eval without .keep() keeps only what it made
                "values": [["2023-11-14T22:13:20Z", 3.0]],
            }
        ]
    }
    _, task = await call(api, "GET", f"{TASKS}/copy")
    assert task["stats"]["node-stats"]["kapacitor_loopback3"]["points_written"] == 1


async def test_writing_back_into_the_task_s_own_dbrp_is_a_loop(start_tasks: StartTasks) -> None:
    api = await start_tasks()
    script = "stream|from()\n    |kapacitorLoopback().database('telegraf').retentionPolicy('autogen')\n"
    assert await define(api, "loop", script, "telegraf", "autogen") == (
        500,
        error('failed to create kapacitor_loopback2 node: loop detected on dbrp: "telegraf"."autogen"'),
    )
    missing = "stream|from()\n    |kapacitorLoopback().database('derived')\n"
    assert await define(api, "half", missing, "telegraf", "autogen") == (
        500,
        error("failed to create kapacitor_loopback2 node: must specify a retention policy"),
    )

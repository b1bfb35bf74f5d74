"""Costly templates cannot freeze the server: ping is answered within 50 ms while they render.

A template run on the event loop stops after LOOP_SECONDS from its first loop iteration; a write hands the
loop back between points; a delivery or dry run whose template needs longer finishes it in a worker thread."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Awaitable

from tests.hardening.conftest import Start
from tests.support.client import Client
from tocsin.gotemplate.budget import LOOP_SECONDS

# Two ranges over 60 fields with a printf of two maps per iteration: about 350 ms per render unbudgeted.
HEAVY = '{{ range .Fields }}{{ range $.Fields }}{{ printf "%v %v" $.Tags $.Fields }}{{ end }}{{ end }}'
FIELDS = ",".join(f"f{i}={i}" for i in range(60))
TAGS = ",".join(f"t{i}=v{i}" for i in range(40))
TOO_SLOW = f"template run stopped after {round(LOOP_SECONDS * 1000)} ms (a range over too much data?)"


async def _pings_while(client: Client, work: Awaitable[object]) -> list[float]:
    """Round trips of GET /ping, one after another, for as long as `work` runs.

    The heap the earlier tests of a whole run left behind is frozen first: a full collection of it (400 ms
    seen) would be measured as the server's, which holds far less."""
    gc.collect()
    gc.freeze()
    try:
        return await _pings(client, work)
    finally:
        gc.unfreeze()


async def _pings(client: Client, work: Awaitable[object]) -> list[float]:
    job = asyncio.ensure_future(work)
    await asyncio.sleep(0)
    times = []
    while not job.done():
        began = time.perf_counter()
        assert (await client.get("/kapacitor/v1/ping")).status == 204
        times.append(time.perf_counter() - began)
    await job
    return times


async def test_a_write_through_a_costly_alert_template_leaves_ping_free(start: Start) -> None:
    client = await start()
    script = (
        f"stream\n    |from()\n        .measurement('m')\n    |alert()\n"
        f"        .crit(lambda: TRUE)\n        .message('{HEAVY}')\n"
    )
    task = {"id": "heavy", "type": "stream", "dbrps": [{"db": "db", "rp": "rp"}], "script": script, "status": "enabled"}
    assert (await client.post("/kapacitor/v1/tasks", json=task)).status == 200
    body = "\n".join(f"m,{TAGS} {FIELDS} {i + 1}000000000" for i in range(20))

    async def write() -> None:
        resp = await client.post("/write", params={"db": "db", "rp": "rp"}, data=body)
        assert resp.status == 204

    times = await _pings_while(client, write())
    assert len(times) >= 5, times  # 20 points at 10 ms each: the write lasted long enough to be probed
    assert max(times) < 0.05, times
    task = await (await client.get("/kapacitor/v1/tasks/heavy")).json()
    assert task["executing"] is True
    alert_node = next(line for line in task["dot"].splitlines() if line.startswith("alert2 ["))
    assert 'alerts_triggered="0"' in alert_node and 'errors="20"' in alert_node, alert_node


async def test_a_dry_run_whose_templates_need_long_finishes_them_off_the_loop(start: Start) -> None:
    client = await start()
    # 64 iterations, each formatting all the series: about 120 ms per render, done in a worker thread
    url = (
        "http://127.0.0.1:9/{{ range .Data.Series }}{{ range $.Data.Series }}"
        '{{ $_ := printf "%v" $.Data }}x{{ end }}{{ end }}'
    )
    for i in range(3):
        handler = {"id": f"h{i}", "kind": "post", "options": {"url": url}}
        assert (await client.post("/kapacitor/v1/alerts/topics/t/handlers", json=handler)).status == 200
    series = [{"name": "m", "columns": ["time", "v"], "values": [[0, j] for j in range(20)]} for _ in range(8)]
    event = {"topic": "t", "id": "a", "level": "CRITICAL", "data": {"series": series}}
    answers: list[dict[str, object]] = []

    async def dry_run() -> None:
        resp = await client.post("/tocsin/v1/dry-run", json=event)
        assert resp.status == 200
        answers.append(await resp.json())

    times = await _pings_while(client, dry_run())
    assert len(times) >= 5, times
    assert max(times) < 0.05, times
    handlers = answers[0]["results"][0]["handlers"]  # type: ignore[index]
    assert [(h["id"], h["request"]["url"]) for h in handlers] == [
        (f"h{i}", "http://127.0.0.1:9/" + "x" * 64) for i in range(3)
    ]

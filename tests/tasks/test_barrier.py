"""BarrierNode: Kapacitor's TestStream_Barrier_* cases on a fake wall clock, dropping late points, `.delete()`."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.server.test_tasks_api import StartTasks, call, start_tasks
from tests.tasks.kit import T0, S, batch, captured, chain, context, dur, executor, lam, node, pt, push
from tests.tasks.test_acceptance import TASKS, create_task, write
from tocsin.pipeline.spec import EdgeType
from tocsin.points import Batch, Point
from tocsin.tasks.executor import TaskExecutor, TaskStartError
from tocsin.tasks.nodes import barrier as barrier_module
from tocsin.tasks.nodes.barrier import BarrierNode

__all__ = ["start_tasks"]  # fixture

WALL = 1_700_000_000 * S  # the fake wall clock when the points are written


def with_barrier(*after: Any, groupby: bool = False, **barrier: Any) -> tuple[TaskExecutor, BarrierNode]:
    """`stream[|groupBy('host')]|barrier(...)|<after>|capture`, its barrier node on a clock stopped at WALL."""
    specs = [node("groupby", "host")] if groupby else []
    ex = executor(chain(*specs, node("barrier", **barrier), *after, node("capture")))
    bar = ex.node(f"barrier{len(specs) + 1}")
    assert isinstance(bar, BarrierNode)
    bar.clock = lambda: WALL
    return ex, bar


def window(period: float, every: float) -> Any:
    return node("window", period=dur(period), every=dur(every))


def seconds(batches: list[Any], zero: int) -> list[tuple[float, list[float]]]:
    """(batch time, row times) in seconds from `zero`."""
    out = []
    for item in batches:
        assert isinstance(item, Batch)
        out.append(((item.time - zero) / S, [(row.time - zero) / S for row in item.points]))
    return out


def write_seconds(ex: TaskExecutor, zero: int, secs: range, host: str = "a") -> None:
    for sec in secs:
        ex.write(pt(tags={"host": host}, fields={"value": float(sec)}, t=zero + sec * S))


def test_idle_emits_the_last_window() -> None:
    """TestStream_Barrier_Idle: 21 points a second apart, idle 10s, window 14s every 10s."""
    ex, bar = with_barrier(window(14, 10), idle=dur(10))
    write_seconds(ex, T0, range(21))
    before = list(range(10)), list(range(6, 20))
    assert seconds(captured(ex, "capture3"), T0) == [(10, before[0]), (20, before[1])]
    bar.tick(WALL + 9 * S)
    assert len(captured(ex, "capture3")) == 2  # TestStream_Barrier_Idle_No_Idle: not idle yet, no third batch
    bar.tick(WALL + 10 * S)
    # timed by the last point + idle, not by the wall clock
    assert seconds(captured(ex, "capture3"), T0)[2:] == [(30, list(range(16, 21)))]


def test_idle_repeats_while_idle() -> None:
    """TestStream_Barrier_Idle_No_Data: one point, idle 2s, window 14s every 2s, 5s: two batches."""
    ex, bar = with_barrier(window(14, 2), idle=dur(2))
    write_seconds(ex, T0, range(1))
    for at in (1, 2, 3, 4, 5):
        bar.tick(WALL + at * S)
    assert seconds(captured(ex, "capture3"), T0) == [(2, [0]), (4, [0])]


def test_a_point_resets_the_idle_timer() -> None:
    ex, bar = with_barrier(window(14, 10), idle=dur(10))
    write_seconds(ex, T0, range(1))
    bar.clock = lambda: WALL + 8 * S
    write_seconds(ex, T0, range(1, 2))
    bar.tick(WALL + 10 * S)
    assert captured(ex, "capture3") == []
    bar.tick(WALL + 18 * S)
    assert seconds(captured(ex, "capture3"), T0) == [(10, [0, 1])]


def test_period_emits_on_the_wall_clock() -> None:
    """TestStream_Barrier_Period: points up to 2s before now, period 10s: the last window comes at now + 10s."""
    zero = WALL - 22 * S
    ex, bar = with_barrier(window(14, 10), period=dur(10))
    write_seconds(ex, zero, range(21))
    bar.tick(WALL + 9 * S)
    assert len(captured(ex, "capture3")) == 2
    bar.tick(WALL + 10 * S)
    assert seconds(captured(ex, "capture3"), zero)[2:] == [(30, list(range(16, 21)))]


def test_points_older_than_the_last_barrier_are_dropped() -> None:
    ex, bar = with_barrier(idle=dur(10))
    write_seconds(ex, T0, range(1))
    bar.tick(WALL + 10 * S)  # a barrier at T0 + 10s
    write_seconds(ex, T0, range(9, 12))
    assert [p.fields["value"] for p in captured(ex, "capture2")] == [0.0, 10.0, 11.0]


def test_batch_rows_older_than_the_last_barrier_are_dropped() -> None:
    ex = executor(chain(node("barrier", period=dur(1)), node("capture"), kind=EdgeType.BATCH))
    bar = ex.node("barrier1")
    assert isinstance(bar, BarrierNode)
    bar.clock = lambda: T0
    push(ex, batch([(T0 - S, {"value": 1})]))
    bar.tick(T0 + S)  # a barrier at T0 + 1s, the wall clock
    push(ex, batch([(T0, {"value": 2}), (T0 + 2 * S, {"value": 3})]))
    assert [[row.fields["value"] for row in b.points] for b in captured(ex, "capture2")] == [[1], [3]]


def test_a_late_ticker_skips_the_ticks_it_missed() -> None:
    ex, bar = with_barrier(window(1, 0), period=dur(10))
    write_seconds(ex, WALL, range(1))
    bar.tick(WALL + 35 * S)
    bar.tick(WALL + 39 * S)
    bar.tick(WALL + 40 * S)
    assert [t for t, _ in seconds(captured(ex, "capture3"), WALL)] == [0, 35, 40]


def test_delete_drops_the_group_below_once() -> None:
    alert = node("alert", crit=(lam('"value" > 100'),))
    ex, bar = with_barrier(window(10, 10), alert, groupby=True, idle=dur(1), delete=True)
    write_seconds(ex, T0, range(3), host="a")
    write_seconds(ex, T0, range(1), host="b")

    def cardinality() -> list[int]:
        stats = ex.stats()["node-stats"]
        return [stats[name]["working_cardinality"] for name in ("barrier2", "window3", "alert4")]

    assert cardinality() == [2, 2, 0]
    bar.tick(WALL + S)
    assert cardinality() == [0, 0, 0]
    bar.tick(WALL + 2 * S)
    # one barrier each, at last point + idle: it did not make a window due, so nothing reached the alert
    assert captured(ex, "capture5") == []
    write_seconds(ex, T0, range(1), host="a")  # a new group: its old time is no longer refused
    assert cardinality() == [1, 1, 0]


def test_delete_drops_alert_state() -> None:
    alert = node("alert", crit=(lam('"value" > 0'),), stateChangesOnly=())
    ex, bar = with_barrier(alert, groupby=True, idle=dur(1), delete=True)
    write_seconds(ex, T0, range(1, 2), host="a")
    assert ex.stats()["node-stats"]["alert3"]["working_cardinality"] == 1
    bar.tick(WALL + S)
    assert ex.stats()["node-stats"]["alert3"]["working_cardinality"] == 0
    write_seconds(ex, T0, range(2, 3), host="a")
    # the group starts over at OK, so its CRITICAL is a change again
    assert [p.fields["value"] for p in captured(ex, "capture4")] == [1.0, 2.0]


def test_barrier_from_a_barrier_above_resets_the_idle_timer() -> None:
    bar = BarrierNode(node("barrier", idle=dur(10)), context())
    bar.clock = lambda: WALL
    sent: list[tuple[str, int, bool]] = []
    bar.attach_barrier(lambda group, at, delete: sent.append((group, at, delete)))
    assert bar.point(pt(t=T0)) != []
    bar.clock = lambda: WALL + 5 * S
    assert bar.barrier("", T0 + 3 * S, delete=False) == []
    bar.tick(WALL + 10 * S)
    assert sent == []
    bar.tick(WALL + 15 * S)
    assert sent == [("", T0 + 13 * S, False)]
    assert bar.point(Point("cpu", {}, {"value": 1.0}, T0 + 12 * S)) == []
    bar.barrier("", T0, delete=True)
    assert bar.cardinality() == 0


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"idle": dur(1), "period": dur(1)}, barrier_module.ERR_BOTH),
        ({}, barrier_module.ERR_IDLE),
        ({"idle": dur(-1)}, barrier_module.ERR_IDLE),
        ({"period": dur(-1)}, barrier_module.ERR_PERIOD),
    ],
    ids=["both", "neither", "negative-idle", "negative-period"],
)
def test_property_checks(props: dict[str, Any], message: str) -> None:
    with pytest.raises(TaskStartError) as info:
        executor(chain(node("barrier", **props)))
    assert str(info.value) == f"failed to create barrier1 node: {message}"


@pytest.mark.parametrize(
    ("duration", "interval"),
    [(0.005, 0.005), (0.1, 0.01), (5, 0.25), (3600, 1)],
    ids=["below-min", "min", "fraction", "max"],
)
def test_timer_interval(duration: float, interval: float) -> None:
    bar = BarrierNode(node("barrier", idle=dur(duration)), context())
    assert bar.timer_interval() == int(interval * S)


async def test_idle_delete_through_the_task_api(start_tasks: StartTasks) -> None:
    api = await start_tasks()
    script = "stream|from().measurement('m').groupBy('host')|barrier().idle(300ms).delete(TRUE)|window().period(1h)"
    await create_task(api, "idle", script)
    await write(api, "m,host=a value=1\nm,host=b value=2", precision="n")

    async def cardinality() -> list[int]:
        status, task = await call(api, "GET", f"{TASKS}/idle")
        assert status == 200, task
        stats = task["stats"]["node-stats"]
        return [stats[name]["working_cardinality"] for name in ("barrier2", "window3")]

    assert await cardinality() == [2, 2]
    deadline = asyncio.get_running_loop().time() + 5
    while await cardinality() != [0, 0]:
        assert asyncio.get_running_loop().time() < deadline, "the idle barrier did not delete the groups"
        await asyncio.sleep(0.05)

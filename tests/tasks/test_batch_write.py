"""Writes processed list by list (`TaskExecutor.write_all`, `TaskRuntime.write`) give exactly what point by point
processing gives: node outputs, events in order, stats; branching, inhibiting and topic-sharing tasks stay on
the per-point path."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.tasks.kit import T0, S, captured, chain, dur, executor, lam, link, node
from tocsin.alert.event import Event
from tocsin.alert.topics import Derive
from tocsin.loopslice import Slicer
from tocsin.pipeline.spec import STAR, HandlerCall, NodeSpec, Pipeline
from tocsin.points import Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.executor import TaskExecutor
from tocsin.tasks.inhibit import Inhibitors
from tocsin.tasks.runtime import RunningTask, TaskRuntime
from tocsin.tasks.slots import MovingAverage


class NoConfig:
    def section(self, name: str) -> list[dict[str, Any]]:
        return []

    def element(self, name: str, key: str | None = None) -> dict[str, Any] | None:
        return None


@dataclass
class Emitted:
    events: list[tuple[Event, Derive]] = field(default_factory=list)

    def emit(self, event: Event, derive: Derive) -> None:
        self.events.append((event, derive))


def ctx(
    emit: Callable[[Event, Derive], None], task_id: str = "task1", inhibitors: Inhibitors | None = None
) -> TaskContext:
    return TaskContext(
        task_id=task_id,
        hostname="host",
        config=NoConfig(),
        emit=emit,
        last_event=lambda topic, alert_id: None,
        inhibitors=inhibitors or Inhibitors(),
        log=logging.getLogger("tests.batch_write"),
    )


def alert(handlers: bool = True, **props: Any) -> NodeSpec:
    spec = node("alert", **props)
    if handlers:
        spec.handlers = [HandlerCall("log", "log", {"path": "/tmp/alerts.log"})]
    return spec


HOSTS = ("web-1", "web-2", "db-1", "test-1")


def points(count: int, seed: int = 7) -> list[Point]:
    """cpu and mem points of four hosts; some lack `value`, some carry `fail`, times 10 s apart per round."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        fields: dict[str, Any] = {"value": rng.choice([rng.uniform(0, 100), 95.0, 75.0, 10.0])}
        if i % 17 == 5:
            fields = {"other": 1.0}
        if i % 23 == 7:
            fields["fail"] = True
        if i % 29 == 3:
            fields["n"] = rng.randint(-5, 5)
        name = "mem" if i % 11 == 4 else "cpu"
        tags = {"host": HOSTS[i % len(HOSTS)], "cpu": f"cpu{i % 2}"}
        out.append(Point(name, tags, fields, T0 + (i // 4) * 10 * S + (i % 4) * S // 3, "db", "rp"))
    return out


# Chains: a new pipeline per call (executors must not share specs' state).
CHAINS: dict[str, Callable[[], Pipeline]] = {
    "from-where-alert": lambda: chain(
        node("from", measurement="cpu", groupBy=("host", "cpu")),
        node("where", lam('"host" !~ /^test-/')),
        alert(crit=lam('"value" > 90'), warn=lam('"value" > 70')),
        node("capture"),
    ),
    "alert-topic-annotations": lambda: chain(
        node("from", groupBy=("host",)),
        alert(
            handlers=False,
            crit=lam('"value" > 90'),
            warn=lam('"value" > 70'),
            topic="cpu",
            levelTag="level",
            idField="id",
            durationField="duration",
            messageField="msg",
            message='{{ .ID }} {{ .Level }} {{ index .Fields "value" }}',
            details="{{ .Message }}",
        ),
        node("capture"),
    ),
    "alert-state-changes-only-flapping": lambda: chain(
        node("from", groupBy=("host",)),
        alert(
            crit=lam('"value" > 90'),
            warn=lam('"value" > 70'),
            critReset=lam('"value" < 50'),
            stateChangesOnly=(),
            flapping=(0.2, 0.5),
            history=5,
        ),
        node("capture"),
    ),
    "alert-no-recoveries": lambda: chain(
        node("from"), alert(crit=lam('"value" > 50'), noRecoveries=()), node("capture")
    ),
    "failing-node": lambda: chain(node("from"), node("failing"), node("capture")),
    "where-errors": lambda: chain(node("from", groupBy=("host",)), node("where", lam('"value" > 50')), node("capture")),
    "where-not-boolean": lambda: chain(node("from"), node("where", lam('"value"')), node("capture")),
    "where-stateful": lambda: chain(
        node("from", groupBy=("host",)), node("where", lam("count() > 2")), node("capture")
    ),
    "from-where-truncate": lambda: chain(
        node("from", where=lam('"value" > 20'), truncate=dur(10), groupBy=("host",)), node("capture")
    ),
    "from-group-star-by-name": lambda: chain(node("from", groupBy=(STAR,), groupByMeasurement=()), node("capture")),
    "from-plain-filters": lambda: chain(
        node("from", database="db", retentionPolicy="rp", measurement="cpu"), node("capture")
    ),
    "from-other-database": lambda: chain(node("from", database="other"), node("capture")),
    "eval-then-alert": lambda: chain(
        node("from", groupBy=("host",)),
        node("eval", lam('"value" * 2.0'), as_=("double",)),
        alert(crit=lam('"double" > 180')),
        node("capture"),
    ),
    "window-then-alert": lambda: chain(
        node("from", groupBy=("host",)),
        node("window", period=dur(30), every=dur(30)),
        alert(crit=lam('"value" > 90')),
        node("capture"),
    ),
    "alert-last": lambda: chain(node("from", groupBy=("host",)), alert(crit=lam('"value" > 90'))),
}


def _per_point(pipeline: Pipeline, data: list[Point]) -> tuple[TaskExecutor, Emitted]:
    emitted = Emitted()
    ex = executor(pipeline, ctx(emitted.emit))
    for point in data:
        ex.write(point)
    return ex, emitted


def _by_lists(pipeline: Pipeline, writes: list[list[Point]]) -> tuple[TaskExecutor, Emitted]:
    emitted = Emitted()
    ex = executor(pipeline, ctx(emitted.emit))
    assert ex.takes_lists
    for data in writes:
        ex.write_all(data)
    return ex, emitted


def _stats(ex: TaskExecutor) -> dict[str, Any]:
    stats = ex.stats()
    for values in stats["node-stats"].values():
        del values["avg_exec_time_ns"]
    return stats


def _sampling(ex: TaskExecutor) -> list[int]:
    """Per node: calls until the next timed one (a timed call that fails adds nothing to the average point by
    point, and its list's average time by lists: `avg_exec_time_ns` is a timing, not a count)."""
    return [slot.until_sample for slot in ex._slots]


@pytest.mark.parametrize("name", list(CHAINS), ids=list(CHAINS))
@pytest.mark.parametrize("size", [1, 7, 64, 500], ids=["lists-of-1", "lists-of-7", "lists-of-64", "one-list"])
def test_a_chain_by_lists_matches_point_by_point(name: str, size: int) -> None:
    data = points(500)
    one, one_events = _per_point(CHAINS[name](), data)
    many, many_events = _by_lists(CHAINS[name](), [data[i : i + size] for i in range(0, len(data), size)])
    sink = one._slots[-1].name
    if sink.startswith("capture"):
        assert captured(many, sink) == captured(one, sink)
    assert many_events.events == one_events.events
    assert _stats(many) == _stats(one)
    assert many.edge_counts() == one.edge_counts()
    assert _sampling(many) == _sampling(one)


def test_the_chains_exercise_outputs_events_and_errors() -> None:
    """The comparisons above are not vacuous: these chains produce items, events and errors."""
    data = points(500)
    _, events = _per_point(CHAINS["from-where-alert"](), data)
    assert len(events.events) > 10
    ex, _ = _per_point(CHAINS["failing-node"](), data)
    assert _stats(ex)["node-stats"]["failing2"]["errors"] == 22
    ex, _ = _per_point(CHAINS["where-errors"](), data)
    assert _stats(ex)["node-stats"]["where2"]["errors"] == 30
    ex, _ = _per_point(CHAINS["where-not-boolean"](), data)
    assert _stats(ex)["node-stats"]["where2"]["errors"] == 500
    ex, _ = _per_point(CHAINS["window-then-alert"](), data)
    assert captured(ex, "capture4") != []


def test_node_errors_are_logged_as_point_by_point(caplog: pytest.LogCaptureFixture) -> None:
    data = points(60)
    with caplog.at_level(logging.ERROR, "tests.batch_write"):
        _per_point(CHAINS["where-errors"](), data)
        one = [(r.getMessage(), r.exc_info is not None) for r in caplog.records]
        caplog.clear()
        _by_lists(CHAINS["where-errors"](), [data])
        many = [(r.getMessage(), r.exc_info is not None) for r in caplog.records]
    assert many == one
    assert one[0] == (
        "task=task1 node=where2 error: error while evaluating expression: "
        'left reference value "value" is missing value',
        True,
    )


GRAPHS: dict[str, Callable[[], Pipeline]] = {
    "branching": lambda: link(
        [NodeSpec(0, "stream"), node("from"), node("capture"), node("capture")], [(0, 1), (1, 2), (1, 3)]
    ),
    "joining": lambda: link(
        [NodeSpec(0, "stream"), node("from"), node("capture"), node("capture"), node("capture")],
        [(0, 1), (1, 2), (1, 3), (2, 4), (3, 4)],
    ),
    "two-publishing-alerts": lambda: chain(
        node("from"), alert(crit=lam('"value" > 90')), alert(crit=lam('"value" > 95'))
    ),
    "timer-node": lambda: link(
        [NodeSpec(0, "stream"), node("capture"), node("stats", dur(1)), node("capture")], [(0, 1), (2, 3)]
    ),
    "http-post": lambda: chain(node("from"), node("http_post", "http://127.0.0.1:1/x")),
}


@pytest.mark.parametrize("name", list(GRAPHS), ids=list(GRAPHS))
def test_other_graphs_go_point_by_point(name: str) -> None:
    assert not executor(GRAPHS[name]()).takes_lists


def test_write_all_of_a_branching_graph_is_write_of_each_point() -> None:
    data = points(100)
    one, one_events = _per_point(GRAPHS["two-publishing-alerts"](), data)
    emitted = Emitted()
    many = executor(GRAPHS["two-publishing-alerts"](), ctx(emitted.emit))
    many.write_all(data)
    assert emitted.events == one_events.events != []
    assert _stats(many) == _stats(one)


def test_a_chain_with_one_publishing_alert_and_a_silent_one_takes_lists() -> None:
    pipeline = chain(node("from"), alert(handlers=False, crit=lam('"value" > 90')), alert(crit=lam('"value" > 95')))
    assert executor(pipeline).takes_lists


# -- the runtime: tasks of one write --------------------------------------------------------------------------


class FakeEngine:
    """What TaskRuntime.write needs of the engine: collect (and no cluster: one instance)."""

    cluster = None

    def __init__(self) -> None:
        self.collected: list[tuple[Event, Derive]] = []

    async def collect(self, items: list[tuple[Event, Derive]]) -> int:
        self.collected.extend(items)
        return len(items)


def _runtime(tasks: dict[str, Pipeline]) -> tuple[TaskRuntime, FakeEngine]:
    engine = FakeEngine()
    runtime = TaskRuntime(engine)  # type: ignore[arg-type]
    for task_id, pipeline in tasks.items():
        context = ctx(runtime._emit, task_id, runtime.inhibitors)
        running = RunningTask(
            task_id, pipeline, context, executor(pipeline, context), frozenset({("db", "rp"), ("db2", "rp")})
        )
        runtime.running[task_id] = running
    runtime._reroute()
    return runtime, engine


def _alerting(topic: str = "", **props: Any) -> Pipeline:
    extra: dict[str, Any] = {"topic": topic} if topic else {}
    return chain(
        node("from", groupBy=("host",)), alert(crit=lam('"value" > 90'), warn=lam('"value" > 70'), **extra, **props)
    )


TASK_SETS: dict[str, tuple[Callable[[], dict[str, Pipeline]], bool]] = {
    "independent": (lambda: {"a": _alerting(), "b": _alerting(topic="b"), "c": CHAINS["failing-node"]()}, True),
    "independent-with-branching": (lambda: {"a": _alerting(), "b": GRAPHS["branching"]()}, True),
    "shared-topic": (lambda: {"a": _alerting(topic="shared"), "b": _alerting(topic="shared")}, False),
    "inhibiting": (lambda: {"a": _alerting(inhibit=("cpu", "host")), "b": _alerting(category="cpu")}, False),
    "category-alone": (lambda: {"a": _alerting(category="cpu")}, False),
}


@pytest.mark.parametrize("name", list(TASK_SETS), ids=list(TASK_SETS))
@pytest.mark.parametrize("mixed", [False, True], ids=["one-dbrp", "two-dbrps"])
async def test_runtime_write_matches_interleaved_processing(name: str, mixed: bool) -> None:
    build, independent = TASK_SETS[name]
    data = points(400)
    if mixed:
        data = [
            Point(p.name, p.tags, p.fields, p.time, "db2" if i % 3 else "db", p.retention_policy)
            for i, p in enumerate(data)
        ]
    writes = [data[i : i + 50] for i in range(0, len(data), 50)]
    interleaved, interleaved_engine = _runtime(build())
    for write in writes:
        async with interleaved._lock:
            await interleaved._interleave(write, Slicer())
            await interleaved._collect()
    runtime, engine = _runtime(build())
    assert (runtime._plan(writes[0]) is not None) == independent
    for write in writes:
        await runtime.write(write)
    assert engine.collected != []
    if independent:
        # every task's events in the same order; tasks one after the other within a write
        for task_id in runtime.running:
            assert [e for e, _ in engine.collected if e.task_name == task_id] == [
                e for e, _ in interleaved_engine.collected if e.task_name == task_id
            ]
    else:
        assert engine.collected == interleaved_engine.collected
    for task_id in runtime.running:
        assert _stats(runtime.running[task_id].executor) == _stats(interleaved.running[task_id].executor)


async def test_runtime_hands_each_task_its_own_points_in_order() -> None:
    runtime, _ = _runtime({"a": chain(node("capture")), "b": chain(node("capture"))})
    runtime.running["b"].dbrps = frozenset({("db2", "rp")})
    runtime._reroute()
    data = [Point("cpu", {}, {"value": float(i)}, T0 + i, "db2" if i % 2 else "db", "rp") for i in range(6)]
    await runtime.write(data)
    assert captured(runtime.running["a"].executor, "capture1") == data
    assert captured(runtime.running["b"].executor, "capture1") == data[1::2]
    await runtime.write([])
    assert captured(runtime.running["a"].executor, "capture1") == data


# -- moving average of timed calls ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 5, 1000], ids=["size-2", "size-5", "size-1000"])
def test_update_many_is_update_repeated(size: int) -> None:
    rng = random.Random(size)
    one, many = MovingAverage(size), MovingAverage(size)
    for step in range(60):
        value, times = rng.uniform(0, 1000), rng.randint(0, 2 * size if step % 5 == 0 else size // 2 + 1)
        for _ in range(times):
            one.update(value)
        many.update_many(value, times)
        assert (many.count, many.index, many.history) == (one.count, one.index, one.history)
        assert many.avg == pytest.approx(one.avg, rel=1e-9)

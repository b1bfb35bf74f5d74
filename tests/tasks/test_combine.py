"""CombineNode: Kapacitor's TestStream_Combine_* cases, tolerance, `.max()` and the `.as()` checks."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.test_tasks_api import StartTasks, call, start_tasks
from tests.tasks.kit import T0, S, batch, captured, chain, context, dur, executor, lam, node, pt, push, run
from tests.tasks.test_acceptance import TASKS, create_task, write
from tocsin.expr.ast import LambdaNode
from tocsin.pipeline.spec import EdgeType
from tocsin.tasks.executor import TaskStartError
from tocsin.tasks.nodes import combine as combine_module
from tocsin.tasks.nodes.combine import CombineNode, combination_count

__all__ = ["start_tasks"]  # fixture

DC_A = [("auth", 700.0), ("log", 600.0), ("cart", 800.0)]


def latency(service: str, value: float, t: int = T0, dc: str = "A") -> Any:
    return pt("request_latency", {"service": service, "dc": dc}, {"value": value}, t)


def flush(t: int = T0 + 10 * S, dc: str = "A") -> Any:
    """A point of a later time: it makes the buffered time combine."""
    return latency("flush", 0.0, t, dc)


def combined(lambdas: list[LambdaNode], points: list[Any], **props: Any) -> tuple[Any, list[Any]]:
    """Run `groupBy('dc')|combine(...)`; the emitted points as (time, tags, fields)."""
    spec = node("combine", *lambdas, **props)
    ex, out = run(chain(node("groupby", "dc"), spec, node("capture")), points)
    return ex, [(p.time, p.tags, p.fields) for p in out]


def pair(
    first: tuple[str, float], second: tuple[str, float], t: int = T0
) -> tuple[int, dict[str, str], dict[str, float]]:
    return (
        t,
        {"dc": "A", "first.service": first[0], "second.service": second[0]},
        {"first.value": first[1], "second.value": second[1]},
    )


CASES = [
    (
        "all-pairs",
        [lam("TRUE"), lam("TRUE")],
        {"as_": ("first", "second")},
        [pair(DC_A[0], DC_A[1]), pair(DC_A[0], DC_A[2]), pair(DC_A[1], DC_A[2])],
    ),
    (
        "filtered",
        [lam("\"service\" == 'auth'"), lam("TRUE")],
        {"as_": ("first", "second")},
        [pair(DC_A[0], DC_A[1]), pair(DC_A[0], DC_A[2])],
    ),
    (
        # the second lambda takes the first point the first lambda left, whatever the points' order
        "second-lambda-matches-earlier-point",
        [lam("\"service\" == 'cart'"), lam("TRUE")],
        {"as_": ("first", "second")},
        [pair(DC_A[2], DC_A[0]), pair(DC_A[2], DC_A[1])],
    ),
    (
        "triples",
        [lam("TRUE"), lam("TRUE"), lam("TRUE")],
        {"as_": ("first", "second", "third")},
        [
            (
                T0,
                {"dc": "A", "first.service": "auth", "second.service": "log", "third.service": "cart"},
                {"first.value": 700.0, "second.value": 600.0, "third.value": 800.0},
            )
        ],
    ),
    (
        "delimiter",
        [lam("\"service\" == 'auth'"), lam("\"service\" == 'log'")],
        {"as_": ("a", "b"), "delimiter": "_"},
        [(T0, {"dc": "A", "a_service": "auth", "b_service": "log"}, {"a_value": 700.0, "b_value": 600.0})],
    ),
    ("no-match", [lam("\"service\" == 'nope'"), lam("TRUE")], {"as_": ("first", "second")}, []),
    ("more-lambdas-than-points", [lam("TRUE")] * 4, {"as_": ("a", "b", "c", "d")}, []),
]


@pytest.mark.parametrize(
    ("lambdas", "props", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_combinations(lambdas: list[LambdaNode], props: dict[str, Any], expected: list[Any]) -> None:
    points = [latency(service, value) for service, value in DC_A]
    ex, out = combined(lambdas, [*points, flush()], **props)
    assert out == expected
    stats = ex.stats()["node-stats"]["combine2"]
    assert (stats["errors"], stats["working_cardinality"]) == (0, 1)


def test_groups_combine_apart_and_keep_the_points_name_and_group() -> None:
    points = [latency("auth", 1.0), latency("auth", 2.0, dc="B"), latency("log", 3.0), latency("log", 4.0, dc="B")]
    spec = node("combine", lam("\"service\" == 'auth'"), lam("TRUE"), as_=("auth", "other"))
    _, out = run(chain(node("groupby", "dc"), spec, node("capture")), [*points, flush(), flush(dc="B")])
    assert [(p.name, p.group, p.tags["dc"], p.fields) for p in out] == [
        ("request_latency", "dc=A", "A", {"auth.value": 1.0, "other.value": 3.0}),
        ("request_latency", "dc=B", "B", {"auth.value": 2.0, "other.value": 4.0}),
    ]
    assert out[0].dimensions.tag_names == ("dc",)


@pytest.mark.parametrize(
    ("times", "expected_time"),
    [((T0 + S * 6 // 10, T0 + S * 14 // 10), T0 + S), ((T0 + S * 4 // 10, T0 + S * 6 // 10), None)],
    ids=["same-rounded-time", "rounded-apart"],
)
def test_tolerance_rounds_times(times: tuple[int, int], expected_time: int | None) -> None:
    points = [latency("auth", 1.0, times[0]), latency("log", 2.0, times[1])]
    _, out = combined([lam("TRUE"), lam("TRUE")], [*points, flush()], as_=("a", "b"), tolerance=dur(1))
    assert [t for t, _, _ in out] == ([] if expected_time is None else [expected_time])


def test_lambdas_see_the_rounded_time() -> None:
    points = [latency("auth", 1.0, T0 + S * 6 // 10), latency("log", 2.0, T0 + S * 7 // 10)]
    when = lam(f'unixNano("time") == {T0 + S}')
    _, out = combined([when, when], [*points, flush()], as_=("a", "b"), tolerance=dur(1))
    assert len(out) == 1


def test_too_many_combinations_is_an_error_and_the_group_goes_on() -> None:
    points = [latency(service, value) for service, value in DC_A]
    later = [latency("auth", 1.0, T0 + S), latency("log", 2.0, T0 + S)]
    ex, out = combined([lam("TRUE"), lam("TRUE")], [*points, *later, flush()], as_=("a", "b"), max=2)
    assert [t for t, _, _ in out] == [T0 + S]
    assert ex.stats()["node-stats"]["combine2"]["errors"] == 1


def test_too_many_combinations_message(caplog: pytest.LogCaptureFixture) -> None:
    points = [latency(service, value) for service, value in DC_A]
    combined([lam("TRUE"), lam("TRUE")], [*points, flush()], as_=("a", "b"), max=2)
    assert "refusing to perform combination as total combinations 3 exceeds max combinations 2" in caplog.text


def test_lambda_errors_count_as_no_match() -> None:
    points = [latency("auth", 1.0), latency("log", 2.0)]
    ex, out = combined([lam('"value" > 0'), lam("\"missing\" > 'x'")], [*points, flush()], as_=("a", "b"))
    assert out == []
    assert ex.stats()["node-stats"]["combine2"]["errors"] == 2


def test_batch_rows_combine_into_points() -> None:
    rows = [(T0, {"value": 1.0}), (T0, {"value": 2.0}), (T0 + S, {"value": 3.0})]
    spec = node("combine", lam("TRUE"), lam("TRUE"), as_=("a", "b"))
    ex = executor(chain(spec, node("capture"), kind=EdgeType.BATCH))
    push(ex, batch(rows))
    assert [(p.time, p.fields) for p in captured(ex, "capture2")] == [(T0, {"a.value": 1.0, "b.value": 2.0})]


def test_delete_barrier_drops_the_buffer() -> None:
    combine = CombineNode(node("combine", lam("TRUE"), lam("TRUE"), as_=("a", "b")), context())
    assert combine.point(pt(t=T0)) == []
    assert combine.barrier("", T0, delete=False) == []
    assert combine.cardinality() == 1
    combine.barrier("", T0, delete=True)
    assert combine.cardinality() == 0
    assert combine.point(pt(t=T0)) == [] and combine.point(pt(t=T0 + S)) == []


@pytest.mark.parametrize(
    ("names", "props", "message"),
    [
        ((), {}, combine_module.ERR_AS_REQUIRED),
        (("a",), {}, combine_module.ERR_AS_COUNT),
        (("a", ""), {}, combine_module.ERR_EMPTY_NAME),
        (("a", "b.c"), {}, "cannot use name b.c as field prefix, it contains the delimiter character ."),
        (("a", "b"), {"delimiter": ""}, "cannot use name a as field prefix, it contains the delimiter character "),
        (("a", "a"), {}, combine_module.ERR_DUPLICATE_NAME),
    ],
    ids=["no-as", "count", "empty-name", "delimiter-in-name", "empty-delimiter", "duplicate"],
)
def test_as_checks(names: tuple[str, ...], props: dict[str, Any], message: str) -> None:
    spec = node("combine", lam("TRUE"), lam("TRUE"), **({"as_": names} if names else {}), **props)
    with pytest.raises(TaskStartError) as info:
        executor(chain(spec))
    assert str(info.value) == f"failed to create combine1 node: {message}"


@pytest.mark.parametrize(("n", "k", "count"), [(3, 2, 3), (4, 3, 4), (10, 5, 252), (2, 3, -1), (5, 0, 1)])
def test_combination_count(n: int, k: int, count: int) -> None:
    assert combination_count(n, k) == count


async def test_combine_filtered_through_the_task_api(start_tasks: StartTasks) -> None:
    """TestStream_Combine_Filtered: the ratio of auth's latency to each other service's, per dc."""
    api = await start_tasks()
    script = """stream
    |from().measurement('request_latency').groupBy('dc')
    |combine(lambda: "service" == 'auth', lambda: TRUE).as('auth', 'other').tolerance(1s).delimiter('.')
    |groupBy('other.service', 'dc')
    |eval(lambda: "auth.value" / "other.value").as('ratio')
    |httpOut('ratio')"""
    await create_task(api, "combine", script)
    lines = [
        f"request_latency,service={service},dc={dc} value={value} {second}"
        for second, values in ((1, (700, 600, 800, 750, 650, 850)), (2, (1, 1, 1, 1, 1, 1)))
        for (service, dc), value in zip(
            [("auth", "A"), ("log", "A"), ("cart", "A"), ("auth", "B"), ("log", "B"), ("cart", "B")],
            values,
            strict=True,
        )
    ]
    await write(api, "\n".join(lines))
    status, body = await call(api, "GET", f"{TASKS}/combine/ratio")
    assert status == 200, body
    got = {(s["tags"]["dc"], s["tags"]["other.service"]): (s["columns"], s["values"]) for s in body["series"]}
    at = "1970-01-01T00:00:01Z"
    assert got == {
        ("A", "log"): (["time", "ratio"], [[at, 700 / 600]]),
        ("A", "cart"): (["time", "ratio"], [[at, 700 / 800]]),
        ("B", "log"): (["time", "ratio"], [[at, 750 / 650]]),
        ("B", "cart"): (["time", "ratio"], [[at, 750 / 850]]),
    }
    assert {s["tags"]["auth.service"] for s in body["series"]} == {"auth"}

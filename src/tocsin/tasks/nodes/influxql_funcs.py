"""The InfluxQL functions a TICKscript can chain (`|mean('f')`): their arguments, field types and output.

What each function emits downstream is Kapacitor's: aggregates and one-row selectors emit a point; distinct,
top and bottom emit a batch; the transformations (elapsed, difference, movingAverage, cumulativeSum) emit
the edge type they receive, a point per point or a batch per batch. Only count and sum emit for a batch
with no usable rows (0 at the batch time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from tocsin.pipeline.spec import NodeSpec
from tocsin.tasks.node import NodeError
from tocsin.tasks.nodes.aggregators import (
    CountReducer,
    DistinctReducer,
    MeanReducer,
    MedianReducer,
    ModeReducer,
    SpreadReducer,
    StddevReducer,
    SumReducer,
)
from tocsin.tasks.nodes.common import duration_ns
from tocsin.tasks.nodes.holt_winters import HoltWintersReducer
from tocsin.tasks.nodes.reducing import BOOLEAN, FLOAT, INTEGER, STRING, Reducer
from tocsin.tasks.nodes.selectors import PercentileReducer, RankReducer, SelectReducer
from tocsin.tasks.nodes.transforms import (
    CumulativeSumReducer,
    DifferenceReducer,
    ElapsedReducer,
    MovingAverageReducer,
)

ERR_CANNOT_APPLY = "invalid influxql func {method} with field {field}: cannot apply {method} to {kind} field"
ERR_FIELD_MISSING = 'field "{field}" missing from point'
ERR_CANNOT_AGGREGATE = "field {field} missing from point cannot aggregate"
ERR_WRONG_TYPE = "field {field} has wrong type: got {got} exp {want}"

ALL_KINDS = (FLOAT, INTEGER, STRING, BOOLEAN)
NUMERIC = (FLOAT, INTEGER)


class Output(Enum):
    """What the function sends downstream."""

    POINT = "point"  # one point per batch (or per group time on a stream)
    BATCH = "batch"  # one batch of results
    SAME = "same"  # a transformation: the input edge's type, one result per row


@dataclass(frozen=True, slots=True)
class Call:
    """The arguments of one chained function call, checked."""

    method: str
    field: str
    percentile: float = 0.0
    count: int = 0  # top/bottom n, movingAverage window, holtWinters forecast count
    unit: int = 0  # elapsed unit, holtWinters interval, in ns
    season: int = 0  # holtWinters season length (< 2: no seasonality)


@dataclass(frozen=True, slots=True)
class Function:
    """One InfluxQL function: its reducer per input type and how it emits."""

    make: Callable[[Call, str], Reducer]
    kinds: tuple[str, ...]
    output: Output = Output.POINT
    empty_ok: bool = False
    keeps_row: bool = False  # first/last/min/max/percentile emit the selected row's tags and fields
    point_times: bool = False  # results keep their own times, as with .usePointTimes() (Kapacitor: holtWinters)


FUNCTIONS: dict[str, Function] = {
    "count": Function(lambda c, k: CountReducer(), ALL_KINDS, empty_ok=True),
    "distinct": Function(lambda c, k: DistinctReducer(), ALL_KINDS, Output.BATCH),
    "mean": Function(lambda c, k: MeanReducer(), NUMERIC),
    "median": Function(lambda c, k: MedianReducer(k), NUMERIC),
    "mode": Function(lambda c, k: ModeReducer(), NUMERIC),
    "spread": Function(lambda c, k: SpreadReducer(k), NUMERIC),
    "sum": Function(lambda c, k: SumReducer(k), NUMERIC, empty_ok=True),
    "first": Function(lambda c, k: SelectReducer("first", k), ALL_KINDS, keeps_row=True),
    "last": Function(lambda c, k: SelectReducer("last", k), ALL_KINDS, keeps_row=True),
    "min": Function(lambda c, k: SelectReducer("min", k), NUMERIC, keeps_row=True),
    "max": Function(lambda c, k: SelectReducer("max", k), NUMERIC, keeps_row=True),
    "percentile": Function(lambda c, k: PercentileReducer(c.percentile), NUMERIC, keeps_row=True),
    "top": Function(lambda c, k: RankReducer(c.count, highest=True), NUMERIC, Output.BATCH),
    "bottom": Function(lambda c, k: RankReducer(c.count, highest=False), NUMERIC, Output.BATCH),
    "stddev": Function(lambda c, k: StddevReducer(), NUMERIC),
    "elapsed": Function(lambda c, k: ElapsedReducer(c.unit), ALL_KINDS, Output.SAME),
    "difference": Function(lambda c, k: DifferenceReducer(), NUMERIC, Output.SAME),
    "movingAverage": Function(lambda c, k: MovingAverageReducer(c.count), NUMERIC, Output.SAME),
    "cumulativeSum": Function(lambda c, k: CumulativeSumReducer(k), NUMERIC, Output.SAME),
    "holtWinters": Function(
        lambda c, k: HoltWintersReducer(c.count, c.season, False, c.unit), NUMERIC, Output.BATCH, point_times=True
    ),
    "holtWintersWithFit": Function(
        lambda c, k: HoltWintersReducer(c.count, c.season, True, c.unit), NUMERIC, Output.BATCH, point_times=True
    ),
}


def parse_call(spec: NodeSpec) -> tuple[Function, Call]:
    """The function of a node spec and its checked arguments; NodeError naming the node otherwise."""
    function = FUNCTIONS.get(spec.desc)
    if function is None:
        raise NodeError(f"{spec.name}: {spec.desc} is not an InfluxQL function")
    args = spec.args
    where = f"{spec.name}: {spec.desc}()"
    if spec.desc in ("top", "bottom"):
        if len(args) < 2:
            raise NodeError(f"{where} takes a count, a field and optional tags or fields")
        count, field_name = _integer(args[0], where, "count"), _string(args[1], where, "field")
        for extra in args[2:]:
            _string(extra, where, "tag or field")
        if count < 1:
            raise NodeError(f"{where}: count must be at least 1, got {count}")
        return function, Call(spec.desc, field_name, count=count)
    if not args:
        raise NodeError(f"{where} needs a field name")
    field_name = _string(args[0], where, "field")
    rest = args[1:]
    if spec.desc == "percentile":
        _arity(rest, 1, where)
        value = rest[0]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise NodeError(f"{where}: percentile must be a number, got {value!r}")
        return function, Call(spec.desc, field_name, percentile=float(value))
    if spec.desc == "elapsed":
        _arity(rest, 1, where)
        unit = duration_ns(rest[0], f"{where} unit")
        if unit <= 0:
            raise NodeError(f"{where}: unit must be a positive duration")
        return function, Call(spec.desc, field_name, unit=unit)
    if spec.desc in ("holtWinters", "holtWintersWithFit"):
        _arity(rest, 3, where)
        forecasts, season = _integer(rest[0], where, "h"), _integer(rest[1], where, "m")
        interval = duration_ns(rest[2], f"{where} interval")
        if forecasts < 1:
            raise NodeError(f"{where}: h must be at least 1, got {forecasts}")
        if season < 0:
            raise NodeError(f"{where}: m must not be negative, got {season}")
        if interval <= 0:
            raise NodeError(f"{where}: interval must be a positive duration")
        return function, Call(spec.desc, field_name, count=forecasts, unit=interval, season=season)
    if spec.desc == "movingAverage":
        _arity(rest, 1, where)
        window = _integer(rest[0], where, "window")
        if window < 1:
            raise NodeError(f"{where}: window must be at least 1, got {window}")
        return function, Call(spec.desc, field_name, count=window)
    _arity(rest, 0, where)
    return function, Call(spec.desc, field_name)


def _arity(rest: tuple[Any, ...], want: int, where: str) -> None:
    if len(rest) != want:
        raise NodeError(f"{where} takes {want + 1} argument(s), got {len(rest) + 1}")


def _string(value: Any, where: str, what: str) -> str:
    if not isinstance(value, str):
        raise NodeError(f"{where}: {what} must be a string, got {value!r}")
    return value


def _integer(value: Any, where: str, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise NodeError(f"{where}: {what} must be an integer, got {value!r}")
    return value

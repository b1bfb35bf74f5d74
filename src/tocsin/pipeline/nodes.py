"""Every node Tocsin supports: its chaining method, arguments, edges and property methods (pipeline/*.go).

Property names are the TICKscript names with a lower-case first letter (Kapacitor upper-cases the first
letter to find the Go name, so `.URL()` is `uRL`). A property set by reflection on a Go field (`field`)
takes exactly one value; the others are Go methods with a signature.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from tocsin.pipeline.signatures import (
    ANYS,
    DUR,
    DURS,
    LAMBDA,
    LAMBDAS,
    NODE_LIST,
    NONE,
    STR,
    STR_ANY,
    STR_PAIR,
    STRS,
    Param,
    Sig,
)
from tocsin.pipeline.spec import EdgeType


def lower_first(name: str) -> str:
    """The canonical property name: the first letter lower-cased (Kapacitor compares upper-cased)."""
    return name[:1].lower() + name[1:]


@dataclass(frozen=True, slots=True)
class PropertyDef:
    """A property method. `field` is the Go field set by reflection (one value, no signature check)."""

    name: str
    sig: Sig = NONE
    field: str | None = None
    accumulate: bool = False  # repeat calls add up (`where` ANDs, `tag(k, v)` adds keys) instead of replacing


def fld(name: str, param: Param) -> PropertyDef:
    """A property backed by a Go field of that type."""
    return PropertyDef(name, Sig((param,)), field=name[:1].upper() + name[1:])


def meth(name: str, sig: Sig = NONE, *, accumulate: bool = False) -> PropertyDef:
    """A property backed by a Go method (flags have no arguments)."""
    return PropertyDef(name, sig, accumulate=accumulate)


class Provides(Enum):
    """What the node created by a chaining method emits."""

    SAME = "same"  # what its parent provides
    STREAM = "stream"
    BATCH = "batch"


@dataclass(frozen=True, slots=True)
class ChainDef:
    """A chaining method and the node it creates."""

    method: str
    desc: str
    sig: Sig
    go_type: str
    provides: Provides = Provides.SAME
    wants_stream: bool = False  # only valid after a stream edge (`window`)


@dataclass(frozen=True, slots=True)
class NodeDef:
    """A node type: its properties and whether it has the common chaining methods."""

    desc: str
    go_type: str
    properties: dict[str, PropertyDef] = field(default_factory=dict)
    chains: bool = True  # a chainnode (every chaining method); sources and sinks are not
    extra_chains: tuple[str, ...] = ()  # chaining methods also available as properties of the same name


def _props(*defs: PropertyDef) -> dict[str, PropertyDef]:
    quiet = meth("quiet")
    return {d.name: d for d in (*defs, quiet)}


S, N, F, D, L = Param.STRING, Param.INT, Param.FLOAT, Param.DURATION, Param.LAMBDA

AGGREGATE_SIGS: dict[str, Sig] = {
    **{
        name: STR
        for name in (
            "count",
            "distinct",
            "mean",
            "median",
            "mode",
            "spread",
            "sum",
            "first",
            "last",
            "min",
            "max",
            "stddev",
            "difference",
            "cumulativeSum",
        )
    },
    "percentile": Sig((S, F)),
    "top": Sig((N, S), variadic=S),
    "bottom": Sig((N, S), variadic=S),
    "elapsed": Sig((S, D)),
    "movingAverage": Sig((S, N)),
}
_AGGREGATE_PROVIDES = {
    "distinct": Provides.BATCH,
    "top": Provides.BATCH,
    "bottom": Provides.BATCH,
    "elapsed": Provides.SAME,
    "difference": Provides.SAME,
    "movingAverage": Provides.SAME,
    "cumulativeSum": Provides.SAME,
}

CHAINS: dict[str, ChainDef] = {
    c.method: c
    for c in (
        ChainDef("from", "from", NONE, "*pipeline.FromNode"),
        ChainDef("query", "query", STR, "*pipeline.QueryNode", Provides.BATCH),
        ChainDef("where", "where", LAMBDA, "*pipeline.WhereNode"),
        ChainDef("eval", "eval", LAMBDAS, "*pipeline.EvalNode"),
        ChainDef("window", "window", NONE, "*pipeline.WindowNode", Provides.BATCH, wants_stream=True),
        ChainDef("groupBy", "groupby", ANYS, "*pipeline.GroupByNode"),
        ChainDef("default", "default", NONE, "*pipeline.DefaultNode"),
        ChainDef("delete", "delete", NONE, "*pipeline.DeleteNode"),
        ChainDef("shift", "shift", DUR, "*pipeline.ShiftNode"),
        ChainDef("derivative", "derivative", STR, "*pipeline.DerivativeNode"),
        ChainDef("stats", "stats", DUR, "*pipeline.StatsNode", Provides.STREAM),
        ChainDef("stateDuration", "state_duration", LAMBDA, "*pipeline.StateDurationNode"),
        ChainDef("stateCount", "state_count", LAMBDA, "*pipeline.StateCountNode"),
        ChainDef("changeDetect", "change_detect", STRS, "*pipeline.ChangeDetectNode"),
        ChainDef("log", "log", NONE, "*pipeline.LogNode"),
        ChainDef("sample", "sample", Sig((Param.ANY,)), "*pipeline.SampleNode"),
        ChainDef("httpOut", "http_out", STR, "*pipeline.HTTPOutNode"),
        ChainDef("httpPost", "http_post", STRS, "*pipeline.HTTPPostNode"),
        ChainDef("influxDBOut", "influxdb_out", NONE, "*pipeline.InfluxDBOutNode"),
        ChainDef("alert", "alert", NONE, "*pipeline.AlertNode"),
        ChainDef("join", "join", NODE_LIST, "*pipeline.JoinNode"),
        ChainDef("union", "union", NODE_LIST, "*pipeline.UnionNode"),
        ChainDef("combine", "combine", LAMBDAS, "*pipeline.CombineNode", Provides.STREAM),
        ChainDef("flatten", "flatten", NONE, "*pipeline.FlattenNode"),
        ChainDef("barrier", "barrier", NONE, "*pipeline.BarrierNode"),
        ChainDef("sideload", "sideload", NONE, "*pipeline.SideloadNode"),
        ChainDef("kapacitorLoopback", "kapacitor_loopback", NONE, "*pipeline.KapacitorLoopbackNode"),
        ChainDef("holtWinters", "holtWinters", Sig((S, N, N, D)), "*pipeline.InfluxQLNode", Provides.BATCH),
        ChainDef(
            "holtWintersWithFit", "holtWintersWithFit", Sig((S, N, N, D)), "*pipeline.InfluxQLNode", Provides.BATCH
        ),
        ChainDef("deadman", "alert", Sig((F, D), variadic=L), "*pipeline.AlertNode"),
        *(
            ChainDef(name, name, sig, "*pipeline.InfluxQLNode", _AGGREGATE_PROVIDES.get(name, Provides.STREAM))
            for name, sig in AGGREGATE_SIGS.items()
        ),
    )
}

# Chaining methods whose node has the node they are called on and their arguments as parents.
MERGE_CHAINS = frozenset({"join", "union"})
# Chaining methods only the roots have (stream|from, batch|query).
ROOT_CHAINS = frozenset({"from", "query"})
# Chaining methods every node has (pipeline/node.go `node`), even sources and sinks.
NODE_CHAINS = frozenset({"stats", "deadman"})
# Kapacitor chaining methods Tocsin does not run (compile error naming the node).
UNSUPPORTED_CHAINS = frozenset(
    {
        "k8sAutoscale",
        "swarmAutoscale",
        "ec2Autoscale",
        "queryFlux",
        "trickle",
    }
)

ALERT_PROPERTIES = _props(
    fld("id", S),
    fld("message", S),
    fld("details", S),
    fld("topic", S),
    fld("info", L),
    fld("warn", L),
    fld("crit", L),
    fld("infoReset", L),
    fld("warnReset", L),
    fld("critReset", L),
    fld("history", N),
    fld("levelTag", S),
    fld("levelField", S),
    fld("messageField", S),
    fld("durationField", S),
    fld("idTag", S),
    fld("idField", S),
    fld("category", S),
    meth("all"),
    meth("noRecoveries"),
    meth("stateChangesOnly", DURS),
    meth("flapping", Sig((F, F))),
    meth("inhibit", Sig((S,), variadic=S), accumulate=True),
)

_AGGREGATE = NodeDef("", "*pipeline.InfluxQLNode", _props(fld("as", S), meth("usePointTimes")))

NODES: dict[str, NodeDef] = {
    n.desc: n
    for n in (
        NodeDef("stream", "*pipeline.StreamNode", _props(), chains=False, extra_chains=("from",)),
        NodeDef("batch", "*pipeline.BatchNode", _props(), chains=False, extra_chains=("query", "queryFlux")),
        NodeDef(
            "query",
            "*pipeline.QueryNode",
            _props(
                fld("period", D),
                fld("every", D),
                meth("align"),
                meth("alignGroup"),
                fld("offset", D),
                fld("cron", S),
                meth("groupBy", ANYS),
                meth("groupByMeasurement"),
                meth("fill", Sig((Param.ANY,))),
                fld("cluster", S),
            ),
        ),
        NodeDef(
            "from",
            "*pipeline.FromNode",
            _props(
                fld("database", S),
                fld("retentionPolicy", S),
                fld("measurement", S),
                fld("truncate", D),
                fld("round", D),
                meth("where", LAMBDA, accumulate=True),
                meth("groupBy", ANYS),
                meth("groupByMeasurement"),
            ),
            extra_chains=("where", "groupBy"),
        ),
        NodeDef("where", "*pipeline.WhereNode", _props()),
        NodeDef("eval", "*pipeline.EvalNode", _props(meth("as", STRS), meth("tags", STRS), meth("keep", STRS))),
        NodeDef(
            "window",
            "*pipeline.WindowNode",
            _props(
                fld("period", D),
                fld("every", D),
                meth("align"),
                meth("fillPeriod"),
                fld("periodCount", N),
                fld("everyCount", N),
            ),
        ),
        NodeDef("groupby", "*pipeline.GroupByNode", _props(meth("exclude", STRS), meth("byMeasurement"))),
        NodeDef(
            "default",
            "*pipeline.DefaultNode",
            _props(meth("field", STR_ANY, accumulate=True), meth("tag", STR_PAIR, accumulate=True)),
        ),
        NodeDef(
            "delete",
            "*pipeline.DeleteNode",
            _props(meth("field", STR, accumulate=True), meth("tag", STR, accumulate=True)),
        ),
        NodeDef("shift", "*pipeline.ShiftNode", _props()),
        NodeDef("derivative", "*pipeline.DerivativeNode", _props(fld("unit", D), meth("nonNegative"), fld("as", S))),
        NodeDef("stats", "*pipeline.StatsNode", _props(meth("align"))),
        NodeDef("state_duration", "*pipeline.StateDurationNode", _props(fld("as", S), fld("unit", D))),
        NodeDef("state_count", "*pipeline.StateCountNode", _props(fld("as", S))),
        NodeDef("change_detect", "*pipeline.ChangeDetectNode", _props()),
        NodeDef("log", "*pipeline.LogNode", _props(fld("level", S), fld("prefix", S))),
        NodeDef("sample", "*pipeline.SampleNode", _props()),
        NodeDef("http_out", "*pipeline.HTTPOutNode", _props()),
        NodeDef(
            "http_post",
            "*pipeline.HTTPPostNode",
            _props(
                meth("endpoint", STR, accumulate=True),
                meth("header", STR_PAIR, accumulate=True),
                meth("captureResponse"),
                fld("codeField", S),
                fld("timeout", D),
            ),
        ),
        NodeDef(
            "influxdb_out",
            "*pipeline.InfluxDBOutNode",
            _props(
                fld("database", S),
                fld("retentionPolicy", S),
                fld("measurement", S),
                fld("writeConsistency", S),
                fld("precision", S),
                fld("cluster", S),
                fld("buffer", N),
                fld("flushInterval", D),
                meth("create"),
                meth("tag", STR_PAIR, accumulate=True),
            ),
            chains=False,
        ),
        NodeDef("alert", "*pipeline.AlertNode", ALERT_PROPERTIES, extra_chains=("log",)),
        NodeDef("noop", "*pipeline.NoOpNode", _props(), chains=False),
        NodeDef(
            "join",
            "*pipeline.JoinNode",
            _props(
                meth("as", STRS),
                meth("on", STRS),
                fld("tolerance", D),
                fld("fill", Param.ANY),
                fld("streamName", S),
                fld("delimiter", S),
            ),
        ),
        NodeDef("union", "*pipeline.UnionNode", _props(fld("rename", S))),
        NodeDef(
            "combine",
            "*pipeline.CombineNode",
            _props(meth("as", STRS), fld("delimiter", S), fld("tolerance", D), fld("max", N)),
        ),
        NodeDef(
            "flatten",
            "*pipeline.FlattenNode",
            _props(meth("on", STRS), fld("delimiter", S), fld("tolerance", D), meth("dropOriginalFieldName", ANYS)),
        ),
        NodeDef(
            "barrier", "*pipeline.BarrierNode", _props(fld("idle", D), fld("period", D), fld("delete", Param.BOOL))
        ),
        NodeDef(
            "sideload",
            "*pipeline.SideloadNode",
            _props(
                fld("source", S),
                meth("order", STRS),
                meth("field", STR_ANY, accumulate=True),
                meth("tag", STR_PAIR, accumulate=True),
            ),
        ),
        NodeDef(
            "kapacitor_loopback",
            "*pipeline.KapacitorLoopbackNode",
            _props(
                fld("database", S),
                fld("retentionPolicy", S),
                fld("measurement", S),
                meth("tag", STR_PAIR, accumulate=True),
            ),
            chains=False,
        ),
        NodeDef("holtWinters", "*pipeline.InfluxQLNode", _props(fld("as", S), meth("usePointTimes"))),
        NodeDef("holtWintersWithFit", "*pipeline.InfluxQLNode", _props(fld("as", S), meth("usePointTimes"))),
    )
}
for _name in AGGREGATE_SIGS:
    NODES[_name] = NodeDef(_name, _AGGREGATE.go_type, _AGGREGATE.properties)


def node_def(desc: str) -> NodeDef:
    """The definition of a node by its desc."""
    return NODES[desc]


def chain_names(definition: NodeDef, property_names: frozenset[str] | set[str]) -> set[str]:
    """The chaining methods callable on a node: properties hide chaining methods of the same name."""
    names = set(NODE_CHAINS)
    if definition.chains:
        names |= {m for m in CHAINS if m not in ROOT_CHAINS} | UNSUPPORTED_CHAINS
    names -= set(property_names)
    names |= set(definition.extra_chains)
    return names


EDGE_OF = {Provides.STREAM: EdgeType.STREAM, Provides.BATCH: EdgeType.BATCH}

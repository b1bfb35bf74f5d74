"""Which runtime class runs each node description; imported lazily so node modules stay independent."""

from __future__ import annotations

import importlib

from tocsin.tasks.node import RuntimeNode

AGGREGATES = (
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
    "percentile",
    "stddev",
    "top",
    "bottom",
    "elapsed",
    "difference",
    "movingAverage",
    "cumulativeSum",
    "holtWinters",
    "holtWintersWithFit",
)

# node desc -> "module:Class" under tocsin.tasks
NODE_CLASSES: dict[str, str] = {
    "stream": "nodes.source:StreamNode",
    "from": "nodes.source:FromNode",
    "batch": "nodes.query:BatchNode",
    "query": "nodes.query:QueryNode",
    "where": "nodes.where:WhereNode",
    "eval": "nodes.eval:EvalNode",
    "groupby": "nodes.groupby:GroupByNode",
    "default": "nodes.defaults:DefaultNode",
    "delete": "nodes.delete:DeleteNode",
    "shift": "nodes.shift:ShiftNode",
    "derivative": "nodes.derivative:DerivativeNode",
    "stats": "nodes.stats:StatsNode",
    "state_duration": "nodes.state:StateDurationNode",
    "state_count": "nodes.state:StateCountNode",
    "change_detect": "nodes.change_detect:ChangeDetectNode",
    "log": "nodes.log:LogNode",
    "sample": "nodes.sample:SampleNode",
    "http_out": "nodes.http_out:HttpOutNode",
    "http_post": "nodes.http_post:HttpPostNode",
    "influxdb_out": "nodes.influxdb_out:InfluxDBOutNode",
    "kapacitor_loopback": "nodes.loopback:KapacitorLoopbackNode",
    "noop": "nodes.noop:NoOpNode",
    "sideload": "nodes.sideload:SideloadNode",
    "window": "nodes.window:WindowNode",
    "combine": "nodes.combine:CombineNode",
    "flatten": "nodes.flatten:FlattenNode",
    "barrier": "nodes.barrier:BarrierNode",
    "join": "nodes.join:JoinNode",
    "union": "nodes.union:UnionNode",
    "alert": "alert.node:AlertNode",
    **{name: "nodes.aggregates:AggregateNode" for name in AGGREGATES},
}


def node_class(desc: str) -> type[RuntimeNode]:
    """The runtime class for a node description; LookupError if Tocsin does not run that node."""
    target = NODE_CLASSES.get(desc)
    if target is None:
        raise LookupError(f"node {desc} is not supported by Tocsin")
    module_name, _, class_name = target.partition(":")
    module = importlib.import_module(f"tocsin.tasks.{module_name}")
    cls: type[RuntimeNode] = getattr(module, class_name)
    return cls

"""`|httpOut(name)`: the latest item of each group, as an InfluxQL result served at `/tasks/<id>/<name>`.

Series keep the order in which their groups first appeared; each holds its group's latest point or batch.
Until the first item the result is `{"series": null}`, as Kapacitor's empty result.
"""

from __future__ import annotations

from typing import Any

from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, Item, Point, result_of
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import NodeError, RuntimeNode


class HttpOutNode(RuntimeNode):
    """Stores results in `ctx.http_outputs[name]` and passes items on."""

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        if not spec.args or not isinstance(spec.args[0], str):
            raise NodeError(f"{spec.name}: expected an endpoint name")
        self._endpoint: str = spec.args[0]
        self._index: dict[str, int] = {}
        self._series: list[dict[str, Any]] = []
        ctx.http_outputs[self._endpoint] = {"series": None}

    def _update(self, item: Item) -> None:
        row = result_of(item)["series"][0]
        index = self._index.get(item.group)
        if index is None:
            self._index[item.group] = len(self._series)
            self._series.append(row)
            self.ctx.http_outputs[self._endpoint] = {"series": self._series}
        else:
            self._series[index] = row

    def point(self, point: Point) -> list[Item]:
        """Remember the point; pass it on."""
        self._update(point)
        return [point]

    def batch(self, batch: Batch) -> list[Item]:
        """Remember the batch; pass it on."""
        self._update(batch)
        return [batch]

    def cardinality(self) -> int:
        """Groups held."""
        return len(self._index)

    def stop(self) -> None:
        """The output goes away with the task."""
        self.ctx.http_outputs.pop(self._endpoint, None)

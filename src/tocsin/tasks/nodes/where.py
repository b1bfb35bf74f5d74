"""`|where(lambda)`: keep the points (or batch rows) for which the lambda is true."""

from __future__ import annotations

from collections.abc import Callable

from tocsin.expr.errors import EvalError
from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.lambdas import not_boolean
from tocsin.tasks.node import NodeError
from tocsin.tasks.nodes.common import NOTHING, ProcessingNode, lambda_of, with_rows

ERR_EVALUATING = "error while evaluating expression: {error}"


class WhereNode(ProcessingNode):
    """Filters by a lambda kept per group (stateful functions count per group)."""

    point_yields_points = True

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        if not spec.args:
            raise NodeError("nil expression passed to WhereNode")
        self._lambda = lambda_of(spec.args[0], spec.name)
        self._groups: set[str] = set()

    def point(self, point: Point) -> list[Item]:
        """The point if the lambda holds."""
        group = point.group
        self._groups.add(group)
        try:
            keep = self._lambda.test_row(group, point)
        except EvalError as exc:
            raise NodeError(ERR_EVALUATING.format(error=exc)) from exc
        return [point] if keep else NOTHING

    def points(self, points: list[Point], failed: Callable[[Exception], None]) -> list[Item]:
        """`point` on each point, with the evaluator looked up once when it is the same for every group."""
        evaluate = self._lambda.shared
        if evaluate is None:
            return super().points(points, failed)
        groups = self._groups
        out: list[Item] = []
        append = out.append
        for point in points:
            groups.add(point.group)
            try:
                try:
                    keep = evaluate(point)
                    if keep is not True and keep is not False:
                        raise not_boolean(keep)
                except EvalError as exc:
                    raise NodeError(ERR_EVALUATING.format(error=exc)) from exc
            except Exception as exc:
                failed(exc)
                continue
            if keep:
                append(point)
        return out

    def batch(self, batch: Batch) -> list[Item]:
        """The batch with only the rows for which the lambda holds."""
        self._groups.add(batch.group)
        rows = []
        for row in batch.points:
            try:
                if self._lambda.test_row(batch.group, row):
                    rows.append(row)
            except EvalError as exc:
                self.error(ERR_EVALUATING.format(error=exc))
        return [with_rows(batch, rows)]

    def cardinality(self) -> int:
        """Groups seen."""
        return len(self._groups)

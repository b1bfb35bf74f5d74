"""Runs one task: routes written points through its nodes, drives timer nodes and keeps Kapacitor's stats.

Processing is synchronous and depth-first: every item a node returns goes to each child in child order
before the next item. As in Kapacitor, a node's `collected` counts the items it received, its `emitted`
the items delivered on its out edges (an item sent to two children counts twice), and each edge's
`processed` the items that crossed it. `avg_exec_time_ns` is a moving average over a sample of calls,
each timing the node alone (its children run after it returns).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from tocsin.errors import TocsinError
from tocsin.pipeline.spec import NodeSpec, Pipeline
from tocsin.points import Batch, Dimensions, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import RuntimeNode
from tocsin.tasks.registry import node_class

# Kapacitor's [stats] defaults: timing-sample-rate 0.10 and timing-movavg-size 1000.
SAMPLE_EVERY = 10
MOVING_AVERAGE_SIZE = 1000
THROUGHPUT_INTERVAL = 1.0  # seconds, as Kapacitor's calcThroughput ticker

_log = logging.getLogger("tocsin.tasks")


class TaskStartError(TocsinError):
    """A node of the task could not be created; the message names the node."""


class GroupCount:
    """Items a node emitted for one group (what a child `stats` node reports)."""

    __slots__ = ("count", "dimensions", "tags")

    def __init__(self, tags: dict[str, str], dimensions: Dimensions) -> None:
        self.count = 0
        self.tags = tags
        self.dimensions = dimensions


class MovingAverage:
    """Kapacitor's moving average of the last `size` values."""

    __slots__ = ("avg", "count", "history", "index", "size")

    def __init__(self, size: int = MOVING_AVERAGE_SIZE) -> None:
        self.size = size
        self.history = [0.0] * size
        self.index = -1
        self.count = 0
        self.avg = 0.0

    def update(self, value: float) -> float:
        """Add a value; returns the new average."""
        self.count += 1
        n = float(self.count)
        self.avg += (value - self.avg) / n
        self.index = (self.index + 1) % self.size
        if self.count == self.size + 1:
            old = self.history[self.index]
            self.avg = (n * self.avg - old) / (n - 1)
            self.count -= 1
        self.history[self.index] = value
        return self.avg


class NodeSlot:
    """A running node with its counters and its children."""

    __slots__ = (
        "avg", "child_pushes", "children", "collected", "errors", "groups", "name", "node", "on_batch", "on_point",
        "out_items", "parents", "passes", "push", "until_sample",
    )

    def __init__(self, node: RuntimeNode) -> None:
        self.node = node
        self.on_point = node.point
        self.on_batch = node.batch
        # a node that passes every item on unchanged (`stream`) need not be called for each
        self.passes: bool = getattr(node, "passes_items", False)
        self.push: Callable[[Item], None] = self._unwired
        self.child_pushes: list[Callable[[Item], None]] = []  # each child's `push`, in child order
        self.name = node.spec.name
        self.children: list[NodeSlot] = []
        self.parents: list[NodeSlot] = []
        self.collected = 0
        self.out_items = 0  # items sent on each out edge (every item goes to every child)
        self.errors = 0
        self.avg = MovingAverage()
        self.until_sample = 1
        # per-group emitted counts, kept only when a stats node watches this node
        self.groups: dict[str, GroupCount] | None = None

    def _unwired(self, item: Item) -> None:
        raise RuntimeError(f"{self.name}: pushed to before the executor wired it")

    def emitted(self) -> int:
        """Kapacitor's emitted: the sum of the out edges' counts."""
        return self.out_items * len(self.children)

    def group_counts(self) -> list[GroupCount]:
        """Emitted items by group, in first-seen order."""
        return list(self.groups.values()) if self.groups is not None else []


class TaskExecutor:
    """One running task: its nodes, their counters and timers."""

    def __init__(self, task_id: str, pipeline: Pipeline, ctx: TaskContext,
                 flush: Callable[[], Awaitable[None]]) -> None:
        self.task_id = task_id
        self.pipeline = pipeline
        self.ctx = ctx
        self._flush = flush
        self._slots: list[NodeSlot] = []
        by_id: dict[int, NodeSlot] = {}
        for spec in pipeline.nodes:
            slot = NodeSlot(_create(spec, ctx))
            self._slots.append(slot)
            by_id[spec.id] = slot
        for spec in pipeline.nodes:
            slot = by_id[spec.id]
            for child_id in spec.children:
                child = by_id.get(child_id)
                if child is None:
                    raise TaskStartError(f"{spec.name}: unknown child node id {child_id}")
                slot.children.append(child)
                child.parents.append(slot)
        for spec, slot in zip(pipeline.nodes, self._slots, strict=True):
            watch = getattr(slot.node, "watch_parent", None)
            if watch is not None:
                watched = by_id.get(spec.watches) if spec.watches is not None else None
                source = watched or (slot.parents[0] if slot.parents else slot)
                if source.groups is None:
                    source.groups = {}
                watch(source.group_counts)
            attach = getattr(slot.node, "attach_emitter", None)
            if attach is not None:
                attach(functools.partial(self._emit_later, slot))
        for slot in self._slots:
            slot.push = self._pusher(slot)
        for slot in self._slots:
            slot.child_pushes[:] = [child.push for child in slot.children]
        # As in Kapacitor, only the first node (`stream`) receives the written data; `stats` nodes are
        # sources too but are driven by their timers.
        self._roots = self._slots[:1]
        self._tasks: list[asyncio.Task[None]] = []
        self._throughput = 0.0

    # -- the write path ------------------------------------------------------------------------

    def write(self, point: Point) -> None:
        """Feed one point to the stream root(s) and everything downstream."""
        for root in self._roots:
            root.push(point)

    def _push(self, slot: NodeSlot, item: Item) -> None:
        slot.push(item)

    def _pusher(self, slot: NodeSlot) -> Callable[[Item], None]:
        """`slot.push`: count the item, run the node (timing one call in SAMPLE_EVERY), send on what it returns.

        A closure over what it reads per item, since it runs for every item at every node."""
        on_point, on_batch, passes, avg = slot.on_point, slot.on_batch, slot.passes, slot.avg
        children, pushes, failed = slot.children, slot.child_pushes, self._failed
        clock = time.perf_counter_ns

        def push(item: Item) -> None:
            slot.collected += 1
            slot.until_sample -= 1
            try:
                if slot.until_sample:
                    if passes:
                        out: list[Item] = [item]  # what the node returns; sampled calls still run (and time) it
                    else:
                        out = on_point(item) if isinstance(item, Point) else on_batch(item)
                else:
                    slot.until_sample = SAMPLE_EVERY
                    start = clock()
                    out = on_point(item) if isinstance(item, Point) else on_batch(item)
                    avg.update(float(clock() - start))
            except Exception as exc:
                failed(slot, exc)
                return
            if not out or not children:
                return
            if slot.groups is not None:
                _count_groups(slot.groups, out)
            # Counted up front: children run synchronously and nothing reads the counters meanwhile.
            slot.out_items += len(out)
            for each in out:
                for child_push in pushes:
                    child_push(each)

        return push

    def _route(self, slot: NodeSlot, out: list[Item]) -> None:
        """Send items a node produced (outside `push`: timers, late answers) to its children."""
        children = slot.children
        if not children:
            return
        if slot.groups is not None:
            _count_groups(slot.groups, out)
        slot.out_items += len(out)
        for item in out:
            for child in children:
                child.push(item)

    def _emit_later(self, slot: NodeSlot, items: list[Item]) -> None:
        """Route items a node produced outside a write (an httpPost answer), then flush alert events."""
        self._route(slot, items)
        with contextlib.suppress(RuntimeError):
            self.ctx.background(self._flush_quietly())

    async def _flush_quietly(self) -> None:
        try:
            await self._flush()
        except Exception:
            _log.exception("task=%s flush failed", self.task_id)

    def _failed(self, slot: NodeSlot, exc: Exception) -> None:
        slot.errors += 1
        if not slot.node.quiet:
            self.ctx.log.error("task=%s node=%s error: %s", self.task_id, slot.name, exc,
                               exc_info=not isinstance(exc, (TocsinError, ValueError, TypeError, KeyError)))

    # -- timers --------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the timers of time-driven nodes and the throughput meter."""
        for slot in self._slots:
            interval = slot.node.timer_interval()
            if interval is not None and interval > 0:
                self._tasks.append(asyncio.create_task(self._run_timer(slot, interval)))
        self._tasks.append(asyncio.create_task(self._measure_throughput()))

    async def _run_timer(self, slot: NodeSlot, interval_ns: int) -> None:
        loop = asyncio.get_running_loop()
        first = getattr(slot.node, "first_delay", None)
        delay_ns = first(time.time_ns()) if first is not None else interval_ns
        deadline = loop.time() + delay_ns / 1e9
        while True:
            await asyncio.sleep(max(0.0, deadline - loop.time()))
            deadline += interval_ns / 1e9
            try:
                out = slot.node.tick(time.time_ns())
            except Exception as exc:
                self._failed(slot, exc)
                continue
            if out:
                self._route(slot, out)
            await self._flush_quietly()

    async def _measure_throughput(self) -> None:
        loop = asyncio.get_running_loop()
        previous = self._source_collected()
        last = loop.time()
        while True:
            await asyncio.sleep(THROUGHPUT_INTERVAL)
            current = self._source_collected()
            now = loop.time()
            elapsed = now - last
            if elapsed > 0:
                self._throughput = (current - previous) / elapsed
            previous, last = current, now

    async def stop(self) -> None:
        """Cancel the timers and release what the nodes hold."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for slot in self._slots:
            try:
                slot.node.stop()
            except Exception:
                _log.exception("task=%s node=%s failed to stop", self.task_id, slot.name)

    # -- stats ---------------------------------------------------------------------------------

    def _source_collected(self) -> int:
        return sum(root.collected for root in self._roots)

    def stats(self) -> dict[str, Any]:
        """Kapacitor's task stats: `{"task-stats": {"throughput": ..}, "node-stats": {name: {...}}}`."""
        nodes: dict[str, Any] = {}
        for slot in self._slots:
            node = slot.node
            values: dict[str, Any] = {
                "avg_exec_time_ns": int(slot.avg.avg),
                "collected": slot.collected,
                "emitted": slot.emitted(),
                "errors": slot.errors + getattr(node, "soft_errors", 0),
                "working_cardinality": node.cardinality(),
            }
            values.update(node.stats())
            nodes[slot.name] = {k: values[k] for k in sorted(values)}
        return {"task-stats": {"throughput": float(self._throughput)}, "node-stats": nodes}

    def edge_counts(self) -> dict[tuple[str, str], int]:
        """Items processed on each edge (parent name, child name), in node then child order."""
        return {(slot.name, child.name): slot.out_items for slot in self._slots for child in slot.children}

    def node(self, name: str) -> RuntimeNode | None:
        """The running node of that name (`alert4`), if any."""
        for slot in self._slots:
            if slot.name == name:
                return slot.node
        return None


def _create(spec: NodeSpec, ctx: TaskContext) -> RuntimeNode:
    try:
        cls = node_class(spec.desc)
        return cls(spec, ctx)
    except Exception as exc:
        raise TaskStartError(f"failed to create {spec.name} node: {exc}") from exc


def _count_groups(groups: dict[str, GroupCount], out: list[Item]) -> None:
    for item in out:
        entry = groups.get(item.group)
        if entry is None:
            dims = item.dimensions
            entry = GroupCount({k: item.tags.get(k, "") for k in dims.tag_names}, dims)
            groups[item.group] = entry
        # Kapacitor's group stats count the rows of a batch
        entry.count += len(item.points) if isinstance(item, Batch) else 1

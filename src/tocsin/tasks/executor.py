"""Runs one task: routes written points through its nodes, drives timer nodes and keeps Kapacitor's stats.

Processing is synchronous and depth-first: every item a node returns goes to each child in child order
before the next item. A task whose nodes form one chain may instead take a write's points list by list
(`write_all`): each node then sees the same items in the same order, and with at most one node publishing
alert events those reach the task context in the same order too.

As in Kapacitor, a node's `collected` counts the items it received, its `emitted` the items delivered on
its out edges (an item sent to two children counts twice), and each edge's `processed` the items that
crossed it. `avg_exec_time_ns` is a moving average over a sample of calls,
each timing the node alone (its children run after it returns).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, cast

from tocsin.errors import TocsinError
from tocsin.pipeline.spec import NodeSpec, Pipeline
from tocsin.points import Batch, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import RuntimeNode
from tocsin.tasks.registry import node_class
from tocsin.tasks.slots import GroupCount, NodeSlot

# Kapacitor's [stats] timing-sample-rate default, 0.10.
SAMPLE_EVERY = 10
THROUGHPUT_INTERVAL = 1.0  # seconds, as Kapacitor's calcThroughput ticker

_log = logging.getLogger("tocsin.tasks")


class TaskStartError(TocsinError):
    """A node of the task could not be created; the message names the node."""


class TaskExecutor:
    """One running task: its nodes, their counters and timers."""

    def __init__(
        self, task_id: str, pipeline: Pipeline, ctx: TaskContext, flush: Callable[[], Awaitable[None]]
    ) -> None:
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
            attach_barrier = getattr(slot.node, "attach_barrier", None)
            if attach_barrier is not None:
                attach_barrier(functools.partial(self._barrier, slot))
        for slot in self._slots:
            slot.push = self._pusher(slot)
        for slot in self._slots:
            slot.child_pushes[:] = [self._edge_push(slot, child) for child in slot.children]
        # As in Kapacitor, only the first node (`stream`) receives the written data; `stats` nodes are
        # sources too but are driven by their timers.
        self._roots = self._slots[:1]
        self._chain = self._list_chain()
        self.event_topics = frozenset(t for slot in self._slots for t in slot.node.event_topics())
        self.shares_state = any(slot.node.shares_state() for slot in self._slots)
        self._tasks: list[asyncio.Task[None]] = []
        self._throughput = 0.0

    # -- the write path ------------------------------------------------------------------------

    def write(self, point: Point) -> None:
        """Feed one point to the stream root(s) and everything downstream."""
        for root in self._roots:
            root.push(point)

    @property
    def takes_lists(self) -> bool:
        """Whether `write_all` processes points list by list (else it goes point by point)."""
        return self._chain is not None

    def write_all(self, points: list[Point]) -> None:
        """`write` of each point in turn, with a chain processed list by list (the same results, faster)."""
        chain = self._chain
        if chain is None:
            for point in points:
                self.write(point)
            return
        items: list[Item] = list(points)  # the nodes' lists are never mutated; this one is the executor's
        for slot in chain:
            if not items:
                return
            items = self._run_list(slot, items)

    def _list_chain(self) -> list[NodeSlot] | None:
        """The slots in order when the task may take lists: one chain from the root, no timer, no node that
        answers later or watches another, at most one node publishing alert events; None otherwise."""
        if not self._slots:
            return None
        chain: list[NodeSlot] = []
        slot = self._slots[0]
        points_in = True  # the root gets written points
        while True:
            node = slot.node
            if (
                node.timer_interval() is not None
                or hasattr(node, "attach_emitter")
                or hasattr(node, "watch_parent")
                or len(slot.children) > 1
            ):
                return None
            chain.append(slot)
            slot.points_in = points_in
            points_in = points_in and node.point_yields_points
            if not slot.children:
                break
            slot = slot.children[0]
            if len(slot.parents) != 1:
                return None
        publishers = sum(1 for each in chain if each.node.event_topics())
        if len(chain) != len(self._slots) or publishers > 1:
            for each in chain:
                each.points_in = False
            return None
        return chain

    def _run_list(self, slot: NodeSlot, items: list[Item]) -> list[Item]:
        """`push` of each item to `slot` alone: what it sends to its child, counted as `push` counts."""
        count = len(items)
        slot.collected += count
        failed = functools.partial(self._failed, slot)
        start = time.perf_counter_ns()
        if slot.points_in:
            out = slot.node.points(cast(list[Point], items), failed)  # points only: see _list_chain
        else:
            out = []
            on_point, on_batch = slot.on_point, slot.on_batch
            for item in items:
                try:
                    produced = on_point(item) if isinstance(item, Point) else on_batch(item)
                except Exception as exc:
                    failed(exc)
                    continue
                if produced:
                    out += produced
        elapsed = time.perf_counter_ns() - start
        # the same calls are sampled as by `push`, each timed at the list's average per item
        until = slot.until_sample
        if count < until:
            slot.until_sample = until - count
        else:
            slot.until_sample = SAMPLE_EVERY - (count - until) % SAMPLE_EVERY
            slot.avg.update_many(elapsed / count, 1 + (count - until) // SAMPLE_EVERY)
        if not out or not slot.children:
            return []
        if slot.groups is not None:
            _count_groups(slot.groups, out)
        slot.out_items += len(out)
        return out

    def _push(self, slot: NodeSlot, item: Item) -> None:
        slot.push(item)

    def _edge_push(self, parent: NodeSlot, child: NodeSlot) -> Callable[[Item], None]:
        """How `parent` hands an item to `child`: its `push`, or for a node that needs to know which parent
        sent it (`join`: an `item_from(index, item)` method) a push that says."""
        item_from = getattr(child.node, "item_from", None)
        if item_from is None:
            return child.push
        index = child.parents.index(parent)
        return self._pusher(child, lambda item: item_from(index, item))

    def _pusher(self, slot: NodeSlot, call: Callable[[Item], list[Item]] | None = None) -> Callable[[Item], None]:
        """`slot.push`: count the item, run the node (timing one call in SAMPLE_EVERY), send on what it returns.
        `call` replaces the node's point/batch methods (an edge of a node with several parents).

        A closure over what it reads per item, since it runs for every item at every node."""
        on_point, on_batch, passes, avg = slot.on_point, slot.on_batch, slot.passes, slot.avg
        if call is not None:
            on_point = on_batch = call  # type: ignore[assignment]
            passes = False
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
        pushes = slot.child_pushes
        for item in out:
            for child_push in pushes:
                child_push(item)

    def _emit_later(self, slot: NodeSlot, items: list[Item]) -> None:
        """Route items a node produced outside a write (an httpPost answer), then flush alert events."""
        self._route(slot, items)
        with contextlib.suppress(RuntimeError):
            self.ctx.background(self._flush_quietly())

    def _barrier(self, slot: NodeSlot, group: str, at: int, delete: bool) -> None:
        """A barrier (with `delete`, a group deletion) from `slot` to every node below it, depth-first: each
        child's answer (a window's due batch) goes on to its own children before the barrier does."""
        for child in slot.children:
            try:
                out = child.node.barrier(group, at, delete)
            except Exception as exc:
                self._failed(child, exc)
                out = []
            if out:
                self._route(child, out)
            self._barrier(child, group, at, delete)

    async def _flush_quietly(self) -> None:
        try:
            await self._flush()
        except Exception:
            _log.exception("task=%s flush failed", self.task_id)

    def _failed(self, slot: NodeSlot, exc: Exception) -> None:
        slot.errors += 1
        if not slot.node.quiet:
            self.ctx.log.error(
                "task=%s node=%s error: %s",
                self.task_id,
                slot.name,
                exc,
                exc_info=not isinstance(exc, (TocsinError, ValueError, TypeError, KeyError)),
            )

    # -- timers --------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the timers of time-driven nodes, the nodes' own loops (`run`) and the throughput meter."""
        for slot in self._slots:
            interval = slot.node.timer_interval()
            if interval is not None and interval > 0:
                self._tasks.append(asyncio.create_task(self._run_timer(slot, interval)))
            run = getattr(slot.node, "run", None)
            if run is not None:
                self._tasks.append(asyncio.create_task(self._run_node(slot, run)))
        self._tasks.append(asyncio.create_task(self._measure_throughput()))

    async def _run_node(self, slot: NodeSlot, run: Callable[[], Awaitable[None]]) -> None:
        """A node's own loop (a batch query's schedule); it handles its failures, this only logs a crash."""
        try:
            await run()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._failed(slot, exc)

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
        """Cancel the timers, let nodes finish their output (`finish`: influxDBOut's last write), release
        what the nodes hold."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for slot in self._slots:
            finish = getattr(slot.node, "finish", None)
            if finish is not None:
                try:
                    await finish()
                except Exception:
                    _log.exception("task=%s node=%s failed to finish", self.task_id, slot.name)
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

    def running_error(self) -> str:
        """The first node's current failure (`last_error`, kept by nodes that run on their own: queries)."""
        for slot in self._slots:
            error = getattr(slot.node, "last_error", "")
            if error:
                return f"{slot.name}: {error}"
        return ""

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

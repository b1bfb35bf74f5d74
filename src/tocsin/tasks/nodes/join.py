"""`|join(other...)`: pairs the items of its parents by group and by time rounded to `.tolerance()`.

Each parent contributes at most one item to a joined set; several items of one parent at the same rounded
time open further sets, filled in arrival order. A set is emitted as soon as every parent has filled it.
Sets still missing a parent are emitted once every parent has sent something later than them: dropped
without `.fill()` (an inner join), else with the missing parent's fields (named after the first present
item's fields) set to null or to the fill number. Fields are renamed `<as><delimiter><field>`. The output
is named `.streamName()` or after the first parent present, and keeps that item's group tags.

`.on(tags...)` joins items grouped by those tags ("match" items) with items grouped by more tags
("specific" items): each specific item takes the match item of the same rounded time, which then carries
the specific item's tags. Specific items that can no longer find a match go on alone.

As in Kapacitor nothing is flushed by the wall clock: a set waits for data from the other parents.
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from typing import Any, cast

from tocsin.gocompat.quoting import go_quote
from tocsin.pipeline.spec import EdgeType, NodeSpec
from tocsin.points import Batch, BatchPoint, Dimensions, FieldValue, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import NodeError
from tocsin.tasks.nodes.common import NOTHING, ProcessingNode, go_round, last_args, last_duration, strings

ERR_NO_AS = "a call to join.as() is required to specify the output stream prefixes."
ERR_AS_COUNT = "number of prefixes specified by join.as() must match the number of joined streams"
ERR_EMPTY_AS = "must provide a prefix name for the join node, see .as() property method"
ERR_AS_DELIMITER = "cannot use name {name} as field prefix, it contains the delimiter {delimiter}\t"
ERR_SAME_AS = "cannot use the same prefix name see .as() property method"
ERR_FILL = "unexpected fill option {fill}"
# Pending sets plus buffered `.on()` items over all groups of one node; past it an item that would add
# one is refused (a node error), never evicting a set another parent may still complete.
MAX_JOIN_HELD = 200_000
ERR_FULL = "join buffer full: {limit} items held over {groups} groups (the limit of one join node); item dropped"

_NO_FILL = object()
_NULL_FILL = object()

# An `.on()` group: the measurement (when grouped by it) and the values of the on tags.
_OnKey = tuple[str, tuple[str, ...]]
_Sourced = tuple[int, Item]


class _Set:
    """At most one item per parent, all at the same rounded time."""

    __slots__ = ("first", "size", "time", "values")

    def __init__(self, time: int, parents: int) -> None:
        self.time = time
        self.values: list[Item | None] = [None] * parents
        self.size = 0
        self.first = parents

    def put(self, src: int, item: Item) -> None:
        self.values[src] = item
        self.size += 1
        self.first = min(self.first, src)


class _Group:
    """The pending sets of one group, by rounded time, and the latest rounded time each parent sent."""

    __slots__ = ("heads", "oldest", "sets")

    def __init__(self, parents: int) -> None:
        self.sets: dict[int, deque[_Set]] = {}
        self.heads: list[int | None] = [None] * parents
        self.oldest: int | None = None

    def only_ready(self) -> bool:
        """Whether some parent has not yet passed the oldest pending time (so incomplete sets must wait)."""
        oldest = self.oldest
        return any(head is None or (oldest is not None and head <= oldest) for head in self.heads)


class JoinNode(ProcessingNode):
    """Joins its parents' points or batches (`.as`, `.on`, `.tolerance`, `.fill`, `.streamName`, `.delimiter`)."""

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        self.prefixes = strings(last_args(spec, "as"), f"{spec.name}.as")
        self.on = tuple(strings(last_args(spec, "on"), f"{spec.name}.on"))
        delimiter = spec.last("delimiter", ".")
        if not isinstance(delimiter, str):
            raise NodeError(f"{spec.name}.delimiter: expected a string, got {delimiter!r}")
        self.delimiter = delimiter
        stream_name = spec.last("streamName", "")
        if not isinstance(stream_name, str):
            raise NodeError(f"{spec.name}.streamName: expected a string, got {stream_name!r}")
        self.stream_name = stream_name
        self.tolerance = last_duration(spec, "tolerance", 0)
        self.fill = _fill(spec.last("fill"))
        self.parents = max(len(spec.parents), 1)
        _validate(self.prefixes, self.parents, self.delimiter)
        self.into_batches = spec.wants is EdgeType.BATCH
        self._groups: dict[str, _Group] = {}
        self._held = 0
        # `.on()` state (Kapacitor's lowMarks, match and specific buffers)
        self._reported: set[int] = set()
        self._all_reported = False
        self._low_marks: dict[tuple[_OnKey, int], int] = {}
        self._match: dict[_OnKey, deque[_Sourced]] = {}
        self._specific: dict[_OnKey, deque[_Sourced]] = {}

    def item_from(self, index: int, item: Item) -> list[Item]:
        """Take an item from the parent at `index`; the joined items it completes."""
        if isinstance(item, Batch) != self.into_batches:
            kind = "batches" if isinstance(item, Batch) else "points"
            raise NodeError(f"{self.spec.name} joins {'batches' if self.into_batches else 'points'}, got {kind}")
        if self._held >= MAX_JOIN_HELD and (self.on or not self._fits(index, item)):
            raise NodeError(ERR_FULL.format(limit=MAX_JOIN_HELD, groups=len(self._groups)))
        out: list[Item] = []
        if self.on:
            self._match_on(index, item, out)
        else:
            self._collect(index, item, out)
        return out or NOTHING

    def cardinality(self) -> int:
        return len(self._groups)

    def _fits(self, src: int, item: Item) -> bool:
        """Whether the item goes into a pending set (so it takes no room), as one completing a set does."""
        group = self._groups.get(item.group)
        queue = group.sets.get(go_round(item.time, self.tolerance)) if group is not None else None
        return queue is not None and any(each.values[src] is None for each in queue)

    # -- sets ----------------------------------------------------------------------------------

    def _collect(self, src: int, item: Item, out: list[Item]) -> None:
        group = self._groups.get(item.group)
        if group is None:
            group = self._groups[item.group] = _Group(self.parents)
        t = go_round(item.time, self.tolerance)
        if group.oldest is None or t < group.oldest:
            group.oldest = t
        queue = group.sets.get(t)
        if queue is None:
            queue = group.sets[t] = deque()
        target = next((each for each in queue if each.values[src] is None), None)
        if target is None:
            target = _Set(t, self.parents)
            queue.append(target)
            self._held += 1
        target.put(src, item)
        group.heads[src] = t
        self._emit(group, group.only_ready(), out)
        if not group.sets:
            # nothing pending: the heads only matter for late data, so the group need not outlive its sets
            del self._groups[item.group]

    def _emit(self, group: _Group, only_ready: bool, out: list[Item]) -> None:
        """Emit the oldest time's sets (only the complete ones at its front when `only_ready`); once every
        parent has passed a time, its incomplete sets go too and the next time is tried."""
        while group.sets:
            oldest = cast(int, group.oldest)
            queue = group.sets[oldest]
            while queue and (not only_ready or queue[0].size == self.parents):
                joined = self._joined(queue.popleft())
                self._held -= 1
                if joined is not None:
                    out.append(joined)
            if not queue:
                del group.sets[oldest]
            group.oldest = min(group.sets) if group.sets else None
            if only_ready:
                return
            only_ready = group.only_ready()

    def _joined(self, joinset: _Set) -> Item | None:
        first = cast(Item, joinset.values[joinset.first])
        name = self.stream_name or first.name
        if isinstance(first, Batch):
            return self._joined_batch(joinset, first, name)
        fields: dict[str, FieldValue] = {}
        for prefix, value in zip(self.prefixes, joinset.values, strict=True):
            if value is None:
                if self.fill is _NO_FILL:
                    return None
                self._fill_fields(fields, prefix, first.fields)
            else:
                self._add_fields(fields, prefix, value.fields if isinstance(value, Point) else {})
        dims = first.dimensions
        tags = {k: first.tags.get(k, "") for k in dims.tag_names}
        return Point(name, tags, fields, joinset.time, "", "", dims.group_id(name, tags), dims)

    def _joined_batch(self, joinset: _Set, first: Batch, name: str) -> Batch:
        """Rows of the batches paired by rounded time, oldest first; a row missing a parent is dropped or
        filled as a missing item is, with the field names of the first row seen."""
        batches = [value if isinstance(value, Batch) else None for value in joinset.values]
        indexes = [0] * self.parents
        field_names: list[str] | None = None
        tags = first.tags
        rows: list[BatchPoint] = []
        while True:
            row_time: int | None = None
            picked: list[BatchPoint | None] = [None] * self.parents
            for i, batch in enumerate(batches):
                if batch is None or indexes[i] == len(batch.points):
                    continue
                row = batch.points[indexes[i]]
                t = go_round(row.time, self.tolerance)
                if row_time is None or t < row_time:
                    # an earlier time: the rows picked so far wait for the next round
                    for j, each in enumerate(picked):
                        if each is not None:
                            indexes[j] -= 1
                    picked = [None] * self.parents
                    row_time = t
                if t == row_time:
                    if field_names is None:
                        field_names = list(row.fields)
                    picked[i] = row
                    indexes[i] += 1
            if row_time is None:
                break
            fields: dict[str, FieldValue] = {}
            for prefix, each_row in zip(self.prefixes, picked, strict=True):
                if each_row is None:
                    if self.fill is _NO_FILL:
                        fields = {}
                        break
                    self._fill_fields(fields, prefix, dict.fromkeys(field_names or ()))
                else:
                    self._add_fields(fields, prefix, each_row.fields)
            else:
                rows.append(BatchPoint(row_time, fields, dict(tags)))
        by_name = first.dimensions.by_name or first.by_name
        dims = Dimensions(tuple(sorted(tags)), by_name)
        return Batch(name, joinset.time, dict(tags), rows, "", "", dims.group_id(name, tags), dims, by_name)

    def _add_fields(self, fields: dict[str, FieldValue], prefix: str, values: dict[str, Any]) -> None:
        head = prefix + self.delimiter
        for key, value in values.items():
            fields[head + key] = value

    def _fill_fields(self, fields: dict[str, FieldValue], prefix: str, like: dict[str, Any]) -> None:
        # a null fill is a None value, as Kapacitor's nil: the field is there (httpOut shows null)
        value = None if self.fill is _NULL_FILL else self.fill
        head = prefix + self.delimiter
        for key in like:
            fields[head + key] = cast(FieldValue, value)

    # -- .on() ---------------------------------------------------------------------------------

    def _match_on(self, src: int, item: Item, out: list[Item]) -> None:
        """Kapacitor's matchPoints: pair specific items with the cached match item of their time."""
        if not self._all_reported:
            self._reported.add(src)
            self._all_reported = len(self._reported) == self.parents
        t = go_round(item.time, self.tolerance)
        tags = _group_tags(item)
        key: _OnKey = (item.name if _by_name(item) else "", tuple(tags.get(d, "") for d in self.on))
        self._low_marks[(key, src)] = t
        low: int | None = None
        if self._all_reported:
            # Kapacitor's loop, quirk included: a parent with no mark for the key resets the minimum
            for s in range(self.parents):
                mark = self._low_marks.get((key, s))
                if low is None or mark is None or mark < low:
                    low = mark
        if self._all_reported:
            waiting = self._specific.get(key)
            while waiting and _before(go_round(waiting[0][1].time, self.tolerance), low):
                self._held -= 1
                self._collect(*waiting.popleft(), out)
        if len(tags) > len(self.on):
            self._specific_item(key, (src, item), t, low, out)
        else:
            self._match.setdefault(key, deque()).append((src, item))
            self._held += 1
            waiting = self._specific.get(key)
            while waiting and go_round(waiting[0][1].time, self.tolerance) == t:
                self._held -= 1
                self._send_match(waiting.popleft(), (src, item), out)
        for buffers in (self._match, self._specific):
            if key in buffers and not buffers[key]:
                del buffers[key]

    def _specific_item(self, key: _OnKey, specific: _Sourced, t: int, low: int | None, out: list[Item]) -> None:
        matches = self._match.get(key)
        matched = False
        if matches is not None:
            passed = 0
            for match in matches:
                match_time = go_round(match[1].time, self.tolerance)
                if match_time == t:
                    self._send_match(specific, match, out)
                    matched = True
                if not _before(match_time, low):
                    break
                passed += 1
            if self._all_reported:
                # match items older than every parent's mark cannot pair with anything any more
                for _ in range(passed):
                    matches.popleft()
                self._held -= passed
        if matched:
            return
        if self._all_reported and _before(t, low):
            self._collect(*specific, out)
        else:
            self._specific.setdefault(key, deque()).append(specific)
            self._held += 1

    def _send_match(self, specific: _Sourced, match: _Sourced, out: list[Item]) -> None:
        """Collect the specific item, then the match item carrying the specific item's group tags."""
        src, item = match
        # both go to the specific item's group, where they pair up
        group = specific[1].group
        tags = _group_tags(specific[1])
        copy: Item
        if isinstance(item, Batch):
            copy = replace(item, tags=tags, group=group)
        else:
            copy = replace(item, tags=tags, dimensions=specific[1].dimensions, group=group)
        self._collect(*specific, out)
        self._collect(src, copy, out)


def _group_tags(item: Item) -> dict[str, str]:
    """Kapacitor's GroupInfo().Tags: a point's group-by tags, a batch's tags."""
    if isinstance(item, Batch):
        return item.tags
    return {k: item.tags.get(k, "") for k in item.dimensions.tag_names}


def _by_name(item: Item) -> bool:
    return item.dimensions.by_name or (isinstance(item, Batch) and item.by_name)


def _before(t: int, mark: int | None) -> bool:
    """Go's t.Before(mark), a missing mark being the zero time (before every real time)."""
    return mark is not None and t < mark


def _fill(value: Any) -> Any:
    """The fill option: `_NO_FILL` (an inner join), `_NULL_FILL` or a number (an outer join)."""
    if isinstance(value, str):
        if value == "null":
            return _NULL_FILL
        if value == "none":
            return _NO_FILL
        raise NodeError(ERR_FILL.format(fill=value))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return _NO_FILL


def _validate(prefixes: list[str], parents: int, delimiter: str) -> None:
    """pipeline/join.go's validate, in its order."""
    if not prefixes:
        raise NodeError(ERR_NO_AS)
    if len(prefixes) != parents:
        raise NodeError(ERR_AS_COUNT)
    for name in prefixes:
        if not name:
            raise NodeError(ERR_EMPTY_AS)
        if delimiter and delimiter in name:
            raise NodeError(ERR_AS_DELIMITER.format(name=name, delimiter=go_quote(delimiter)))
    if len(set(prefixes)) != len(prefixes):
        raise NodeError(ERR_SAME_AS)

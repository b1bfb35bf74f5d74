"""The alert node: per-group level state, the emit decision, and events into the alert topics.

Per item: the group's state is found (restored from the topic's stored event when the group first
appears), the item's level is determined against the current level, the level is pushed into the
history, and the emit rules of Kapacitor's alert.go decide whether an event is triggered. A triggered
event goes to the anonymous topic (when the node has handlers) and to `.topic()`, unless an active
inhibitor of the node's category matches its tags; the item goes on downstream, annotated.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.alert.topics import Derive, EventState
from tocsin.gotemplate import TemplateError
from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, BatchPoint, Item, Point, result_of
from tocsin.tasks.alert.annotate import annotate_batch, annotate_point
from tocsin.tasks.alert.rules import LevelRules
from tocsin.tasks.alert.settings import AlertSettings
from tocsin.tasks.alert.state import GroupState
from tocsin.tasks.alert.templates import AlertTemplates, ServerInfo
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import NodeError, RuntimeNode

# The topic derives previousLevel; duration and recoverable are the node's.
DERIVE = Derive(previous_level=True, duration=False)

STAT_NAMES = (
    "alerts_triggered",
    "alerts_inhibited",
    "oks_triggered",
    "infos_triggered",
    "warns_triggered",
    "crits_triggered",
)
_LEVEL_STATS = {
    Level.OK: "oks_triggered",
    Level.INFO: "infos_triggered",
    Level.WARNING: "warns_triggered",
    Level.CRITICAL: "crits_triggered",
}


def anonymous_topic(task_id: str, node_name: str) -> str:
    """The topic of the handlers chained on an alert node in TICKscript."""
    return f"main:{task_id}:{node_name}"


class AlertNode(RuntimeNode):
    """`|alert()`: raises TemplateError, CompileError or ConfigError at construction for bad properties."""

    point_yields_points = True

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        self.settings = AlertSettings.from_spec(spec)
        self.rules = LevelRules(spec, ctx.log, self.quiet)
        server = ServerInfo(ctx.hostname, ctx.cluster_id, ctx.server_id)
        self.templates = AlertTemplates(
            self.settings.id_template,
            self.settings.message_template,
            self.settings.details_template,
            ctx.task_id,
            server,
        )
        self.anon_topic = anonymous_topic(ctx.task_id, spec.name)
        self.topics = [self.anon_topic] if spec.handlers else []
        if self.settings.topic:
            self.topics.append(self.settings.topic)
        self._flap = (self.settings.flap_low, self.settings.flap_high) if self.settings.use_flapping else None
        self._owners = [f"{ctx.task_id}:{spec.name}:{i}" for i in range(len(self.settings.inhibits))]
        self.states: dict[str, GroupState] = {}
        self._sco_duration = self.settings.state_changes_only_duration
        self.counts = dict.fromkeys(STAT_NAMES, 0)

    # -- items -------------------------------------------------------------------------------------------

    def point(self, point: Point) -> list[Item]:
        group = point.group
        state = self.states.get(group)
        if state is None:
            state = self._state(point.name, group, point.tags, point.time)
        try:
            alert_id = self.templates.render_id(point.name, group, point.tags)
        except TemplateError as exc:
            raise NodeError(str(exc)) from exc
        level = self.rules.determine_row(group, point, state.history[state.idx])
        state.add_event(point.time, level, self._flap, self._sco_duration)
        # what `_suppressed(state) or (level == Level.OK and not state.changed)` says, cheapest test first
        if not state.changed and (level == Level.OK or self._suppressed(state)):
            return []
        if self._flap is not None and state.flapping:
            return []
        event = self._trigger(state, alert_id, point, point.fields, level, point.time)
        return [] if event is None else [annotate_point(self.settings, point, event)]

    def points(self, points: list[Point], failed: Callable[[Exception], None]) -> list[Item]:
        """`point` on each point in turn, with what it looks up per point looked up once."""
        out: list[Item] = []
        states, settings, flap, sco_duration = self.states, self.settings, self._flap, self._sco_duration
        render_id, determine = self.templates.render_id, self.rules.determine_row
        ok = Level.OK
        for point in points:
            try:
                group = point.group
                state = states.get(group)
                if state is None:
                    state = self._state(point.name, group, point.tags, point.time)
                try:
                    alert_id = render_id(point.name, group, point.tags)
                except TemplateError as exc:
                    raise NodeError(str(exc)) from exc
                level = determine(group, point, state.history[state.idx])
                state.add_event(point.time, level, flap, sco_duration)
                if not state.changed and (level == ok or self._suppressed(state)):
                    continue
                if flap is not None and state.flapping:
                    continue
                event = self._trigger(state, alert_id, point, point.fields, level, point.time)
                if event is not None:
                    out.append(annotate_point(settings, point, event))
            except Exception as exc:
                failed(exc)
        return out

    def batch(self, batch: Batch) -> list[Item]:
        state = self._state(batch.name, batch.group, batch.tags, batch.time)
        alert_id = self._render_id(batch.name, batch.group, batch.tags)
        if not batch.points:
            return []
        current = state.level
        lowest, highest = Level.CRITICAL, Level.OK
        top: BatchPoint | None = None
        for row in batch.points:
            level = self.rules.determine_row(batch.group, row, current)
            lowest = min(lowest, level)
            if top is None or level > highest:
                highest, top = level, row
        assert top is not None
        level = lowest if self.settings.all else highest
        time = batch.time if self.settings.all or level == Level.OK else top.time
        self._add_event(state, time, level)
        recovery = state.changed and level == Level.OK
        if not (recovery or (level != Level.OK and not self._suppressed(state))):
            return []
        event = self._trigger(state, alert_id, batch, top.fields, level, time)
        return [] if event is None else [annotate_batch(self.settings, batch, event)]

    # -- state -------------------------------------------------------------------------------------------

    def _state(self, name: str, group: str, tags: dict[str, str], time: int) -> GroupState:
        state = self.states.get(group)
        if state is not None:
            return state
        state = GroupState(self.settings.history, dict(tags))
        restored = self._restore(self._render_id(name, group, tags))
        if restored is not None and restored.level != Level.OK:
            self._add_event(state, time, restored.level)
            state.triggered(restored.time)
            self._update_inhibitors(group, state)
        self.states[group] = state
        return state

    def _restore(self, alert_id: str) -> EventState | None:
        # The anonymous topic wins over `.topic()` when both know the ID.
        if self.spec.handlers:
            found = self.ctx.last_event(self.anon_topic, alert_id)
            if found is not None:
                return found
        if self.settings.topic:
            return self.ctx.last_event(self.settings.topic, alert_id)
        return None

    def _add_event(self, state: GroupState, time: int, level: Level) -> None:
        state.add_event(time, level, self._flap, self.settings.state_changes_only_duration)

    def _suppressed(self, state: GroupState) -> bool:
        """Flapping, or stateChangesOnly with nothing changed and nothing expired."""
        if self._flap is not None and state.flapping:
            return True
        return self.settings.state_changes_only and not state.changed and not state.expired

    def _update_inhibitors(self, group: str, state: GroupState) -> None:
        for owner, inhibit in zip(self._owners, self.settings.inhibits, strict=True):
            self.ctx.inhibitors.set(
                owner, group, inhibit.category, inhibit.equal_tags, state.tags, state.level != Level.OK
            )

    # -- events ------------------------------------------------------------------------------------------

    def _trigger(
        self, state: GroupState, alert_id: str, item: Item, fields: dict[str, Any], level: Level, time: int
    ) -> Event | None:
        """Record the trigger; build and hand on the event unless it is a suppressed recovery."""
        state.triggered(time)
        self._update_inhibitors(item.group, state)
        if self.settings.no_recoveries and level == Level.OK:
            return None
        duration = state.duration()
        try:
            rendered = self.templates.render(alert_id, item.name, item.group, item.tags, fields, level, time, duration)
        except TemplateError as exc:
            raise NodeError(str(exc)) from exc
        event = Event(
            topic=self.anon_topic,
            id=alert_id,
            level=level,
            time=time,
            message=rendered.message,
            details=rendered.details,
            duration=duration,
            recoverable=not self.settings.no_recoveries,
            name=item.name,
            task_name=self.ctx.task_id,
            category=self.settings.category,
            group=item.group,
            tags=dict(item.tags),
            fields=dict(fields),
            data=result_of(item),
        )
        self._handle(event)
        return event

    def _handle(self, event: Event) -> None:
        self.counts["alerts_triggered"] += 1
        self.counts[_LEVEL_STATS[event.level]] += 1
        self.ctx.log.debug("%s alert triggered id:%s msg:%s", event.level.name, event.id, event.message)
        if self.ctx.inhibitors.inhibited(self.settings.category, event.tags):
            self.counts["alerts_inhibited"] += 1
            return
        for topic in self.topics:
            self.ctx.emit(dataclasses.replace(event, topic=topic), DERIVE)

    def _render_id(self, name: str, group: str, tags: dict[str, str]) -> str:
        try:
            return self.templates.render_id(name, group, tags)
        except TemplateError as exc:
            raise NodeError(str(exc)) from exc

    # -- node --------------------------------------------------------------------------------------------

    def barrier(self, group: str, time: int, delete: bool) -> list[Item]:
        """A deleted group starts over, restored from its topic's last event, when it next appears."""
        if delete:
            self.states.pop(group, None)
        return []

    def stats(self) -> dict[str, Any]:
        return dict(self.counts)

    def event_topics(self) -> tuple[str, ...]:
        return tuple(self.topics)

    def shares_state(self) -> bool:
        return bool(self.settings.inhibits or self.settings.category)

    def cardinality(self) -> int:
        return len(self.states)

    def stop(self) -> None:
        for owner in self._owners:
            self.ctx.inhibitors.drop_owner(owner)

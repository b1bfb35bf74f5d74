"""Building alert nodes by hand (NodeSpec + TaskContext) and recording what they emit."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from tocsin.alert.event import Event
from tocsin.alert.topics import Derive, EventState
from tocsin.expr.parser import Parser
from tocsin.pipeline.spec import HandlerCall, NodeSpec
from tocsin.points import Dimensions, Point
from tocsin.tasks.alert.node import AlertNode
from tocsin.tasks.context import TaskContext
from tocsin.tasks.inhibit import Inhibitors

SECOND = 1_000_000_000


def lam(text: str) -> Any:
    """A lambda node as the compiler hands it over (`lam('"value" > 80')`)."""
    return Parser(f"lambda: {text}").lambda_expression()


class NoConfig:
    def section(self, name: str) -> list[dict[str, Any]]:
        return []

    def element(self, name: str, key: str | None = None) -> dict[str, Any] | None:
        return None


@dataclass
class Recorder:
    """The engine side of a TaskContext: emitted events, and stored topic states for restores."""

    emitted: list[tuple[Event, Derive]] = field(default_factory=list)
    stored: dict[tuple[str, str], EventState] = field(default_factory=dict)

    def emit(self, event: Event, derive: Derive) -> None:
        self.emitted.append((event, derive))

    def last_event(self, topic: str, alert_id: str) -> EventState | None:
        return self.stored.get((topic, alert_id))

    @property
    def events(self) -> list[Event]:
        return [e for e, _ in self.emitted]


def make_ctx(recorder: Recorder, task_id: str = "task", inhibitors: Inhibitors | None = None) -> TaskContext:
    return TaskContext(
        task_id=task_id,
        hostname="host1",
        config=NoConfig(),
        emit=recorder.emit,
        last_event=recorder.last_event,
        inhibitors=inhibitors if inhibitors is not None else Inhibitors(),
        log=logging.getLogger("tests.alert"),
    )


def make_node(
    props: dict[str, Any],
    *,
    handlers: bool = True,
    recorder: Recorder | None = None,
    task_id: str = "task",
    inhibitors: Inhibitors | None = None,
    node_id: int = 2,
) -> tuple[AlertNode, Recorder]:
    """An alert node `alert<node_id>`: a tuple is one call's arguments (`{"crit": (lam(...),)}`), a list
    holds several calls."""
    spec = NodeSpec(
        id=node_id,
        desc="alert",
        properties={name: list(args) if isinstance(args, list) else [args] for name, args in props.items()},
        parents=[node_id - 1],
        handlers=[HandlerCall("log", "log", {"path": "/tmp/alerts.log"})] if handlers else [],
    )
    rec = recorder if recorder is not None else Recorder()
    return AlertNode(spec, make_ctx(rec, task_id, inhibitors)), rec


def point(value: Any, t: int, *, host: str = "", name: str = "cpu", field_name: str = "value") -> Point:
    """A point at `t` seconds; grouped by host when `host` is given."""
    if host:
        return Point(
            name,
            {"host": host},
            {field_name: value},
            t * SECOND,
            group=f"host={host}",
            dimensions=Dimensions(("host",)),
        )
    return Point(name, {}, {field_name: value}, t * SECOND)


def escaped_json(obj: Any) -> str:
    """What html/template makes of Kapacitor's `json` output for plain ASCII data without floats."""
    return json.dumps(obj, separators=(",", ":")).replace('"', "&#34;") + "\n"

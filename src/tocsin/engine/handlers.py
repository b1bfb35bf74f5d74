"""Topic handlers: specs validated and compiled once, indexed by topic."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any

from tocsin.alert.event import Event
from tocsin.engine.errors import InvalidError
from tocsin.expr.match import MatchContext, MatchExpression, compile_match
from tocsin.handlers.base import ConfigView, HandlerKind
from tocsin.handlers.options import normalize
from tocsin.handlers.registry import get_kind

ID_ERROR = "handler ID must contain only letters, numbers, '-', '.' and '_'. \"{}\""
KIND_EMPTY = "handler Kind must not be empty"


def valid_id(text: str, *, topic: bool = False) -> bool:
    extra = "-._:" if topic else "-._"
    return bool(text) and all(c.isalpha() or c in "0123456789" or c in extra for c in text)


@dataclass(slots=True)
class HandlerSpec:
    """A topic handler as defined by a user: `{id, topic, kind, options, match}`."""

    id: str
    topic: str
    kind: str
    options: dict[str, Any]
    match: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "topic": self.topic,
            "kind": self.kind,
            "options": self.options,
            "match": self.match,
        }

    @classmethod
    def from_json(cls, data: Any, topic: str | None = None) -> HandlerSpec:
        """Read a spec body; `topic`, when given, wins over the body's (the API takes it from the path)."""
        if not isinstance(data, dict):
            raise InvalidError("invalid handler json: expected a JSON object")
        options = data.get("options")
        if options is None:
            options = {}
        if not isinstance(options, dict):
            raise InvalidError("invalid handler json: options must be an object")
        fields = {}
        for name in ("id", "topic", "kind", "match"):
            value = data.get(name, "")
            if value is None:
                value = ""
            if not isinstance(value, str):
                raise InvalidError(f"invalid handler json: {name} must be a string")
            fields[name] = value
        return cls(
            id=fields["id"],
            topic=topic if topic is not None else fields["topic"],
            kind=fields["kind"],
            options=options,
            match=fields["match"],
        )

    def check(self) -> None:
        """Kapacitor's spec validation (status 400 texts)."""
        if not valid_id(self.id):
            raise InvalidError("invalid handler spec: " + ID_ERROR.format(self.id))
        if not valid_id(self.topic, topic=True):
            raise InvalidError("invalid handler spec: " + ID_ERROR.format(self.topic))
        if not self.kind:
            raise InvalidError("invalid handler spec: " + KIND_EMPTY)


@dataclass(slots=True)
class TopicHandler:
    """A spec compiled for use: its kind, normalized options and compiled match expression."""

    spec: HandlerSpec
    kind: HandlerKind
    options: dict[str, Any]
    match: MatchExpression | None
    owner: str = ""  # the task whose alert node chained this handler; "" for a user-defined topic handler
    key: str = field(init=False)

    def __post_init__(self) -> None:
        self.key = handler_key(self.spec.topic, self.spec.id)

    def matches(self, ctx: MatchContext) -> bool:
        return self.match is None or self.match.matches(ctx)


def handler_key(topic: str, handler_id: str) -> str:
    return f"{topic}/{handler_id}"


def compile_handler(spec: HandlerSpec, config: ConfigView, action: str) -> TopicHandler:
    """Validate and compile `spec`; errors carry Kapacitor's `failed to <action> handler: ...` text."""
    spec.check()
    prefix = f"failed to {action} handler: "
    try:
        kind = get_kind(spec.kind)
    except LookupError as exc:
        raise InvalidError(prefix + str(exc.args[0])) from None
    try:
        options = normalize(kind, spec.options, config)
    except ValueError as exc:
        raise InvalidError(prefix + str(exc)) from None
    match = None
    if spec.match.strip():
        try:
            match = compile_match(spec.match)
        except ValueError as exc:
            raise InvalidError(prefix + f"invalid match expression: {exc}") from None
    return TopicHandler(spec, kind, options, match)


def match_context(event: Event) -> MatchContext:
    """What the handlers' match expressions see of `event`."""
    return MatchContext(
        level=event.level,
        previous_level=event.previous_level,
        name=event.name,
        task_name=event.task_name,
        duration=event.duration,
        tags=event.tags,
    )


class HandlerTable:
    """Compiled topic handlers by topic and id."""

    def __init__(self) -> None:
        self._by_topic: dict[str, dict[str, TopicHandler]] = {}
        self._by_key: dict[str, TopicHandler] = {}  # the delivery path looks handlers up by key

    def put(self, handler: TopicHandler) -> None:
        self._by_topic.setdefault(handler.spec.topic, {})[handler.spec.id] = handler
        self._by_key[handler.key] = handler

    def remove(self, topic: str, handler_id: str) -> TopicHandler | None:
        handlers = self._by_topic.get(topic)
        if not handlers:
            return None
        gone = handlers.pop(handler_id, None)
        if gone is not None:
            self._by_key.pop(gone.key, None)
        if not handlers:
            del self._by_topic[topic]
        return gone

    def get(self, topic: str, handler_id: str) -> TopicHandler | None:
        return self._by_topic.get(topic, {}).get(handler_id)

    def by_key(self, key: str) -> TopicHandler | None:
        return self._by_key.get(key)

    def for_topic(self, topic: str) -> list[TopicHandler]:
        handlers = self._by_topic.get(topic)
        return list(handlers.values()) if handlers else []

    def matching(self, topic: str, pattern: str = "") -> list[TopicHandler]:
        handlers = self._by_topic.get(topic, {})
        return [
            h
            for hid, h in sorted(handlers.items())
            if not h.owner and (not pattern or fnmatch.fnmatchcase(hid, pattern))
        ]

    def owned_by(self, owner: str) -> list[TopicHandler]:
        """The handlers a task's alert nodes chained (never listed by the topic handlers API)."""
        return [h for h in self._by_key.values() if h.owner == owner]

    def all(self) -> list[TopicHandler]:
        return [h for t in sorted(self._by_topic) for _, h in sorted(self._by_topic[t].items())]

"""Topic handler changes: create, replace, patch, rename and delete specs, and the handlers tasks chain.

Specs are stored before the in-memory table changes, so a failed store write changes nothing (503).
"""

from __future__ import annotations

import copy
from typing import Any

import jsonpatch

from tocsin.engine.errors import ConflictError, InvalidError, NotFoundError, storing
from tocsin.engine.handler_secrets import refuse_placeholders, restore_secrets
from tocsin.engine.handlers import HandlerSpec, TopicHandler, compile_handler, handler_key
from tocsin.engine.state import EngineState
from tocsin.handlers.options import normalize
from tocsin.handlers.registry import get_kind

# Each event is matched against every handler of its topic: a bound keeps one topic from slowing all intake.
MAX_HANDLERS_PER_TOPIC = 1000
TOO_MANY_HANDLERS = 'failed to create handler: topic "{topic}" already has {limit} handlers'


class HandlerRegistry(EngineState):
    """The topic handler specs of the API and the handlers of TICKscript alert nodes."""

    def attach_task_handlers(self, owner: str, topic: str, calls: list[tuple[str, str, dict[str, Any]]]) -> None:
        """Register the handlers a task's alert node chains: `(handler id, kind, options)` on `topic`.

        They deliver through the same outbox as topic handlers but are not handler specs: they are not
        stored or listed, and they come back when the task starts again. Ids must be stable across
        restarts (`alert2:slack:0`) so pending deliveries find their handler.
        """
        compiled: list[TopicHandler] = []
        for handler_id, kind_name, options in calls:
            try:
                kind = get_kind(kind_name)
                normalized = normalize(kind, options, self.config)
            except (LookupError, ValueError) as exc:
                raise InvalidError(f"invalid {kind_name} handler: {exc.args[0] if exc.args else exc}") from None
            spec = HandlerSpec(handler_id, topic, kind_name, options, "")
            compiled.append(TopicHandler(spec, kind, normalized, None, owner=owner))
        self.topics.ensure(topic)
        for handler in compiled:
            self.handlers.put(handler)

    def detach_task_handlers(self, owner: str) -> None:
        """Forget the handlers of a stopped task (pending deliveries stay in the outbox)."""
        for handler in self.handlers.owned_by(owner):
            self.handlers.remove(handler.spec.topic, handler.spec.id)

    async def create_handler(self, topic: str, body: Any) -> HandlerSpec:
        spec = HandlerSpec.from_json(body, topic)
        spec.check()
        refuse_placeholders(spec.kind, spec.options, handler_key(topic, spec.id))
        if self.handlers.get(topic, spec.id) is not None:
            raise ConflictError(
                f'failed to create handler: cannot register handler, handler with ID "{spec.id}" already exists'
            )
        if len(self.handlers.for_topic(topic)) >= MAX_HANDLERS_PER_TOPIC:
            raise InvalidError(TOO_MANY_HANDLERS.format(topic=topic, limit=MAX_HANDLERS_PER_TOPIC))
        handler = compile_handler(spec, self.config, "create")
        with storing("topic handler"):
            await self.store.put_handler_spec(spec.to_json())
        self.handlers.put(handler)
        self.topics.ensure(topic)
        return spec

    def get_handler(self, topic: str, handler_id: str) -> HandlerSpec:
        handler = self.handlers.get(topic, handler_id)
        if handler is None:
            raise NotFoundError(f'unknown handler: "{handler_id}"')
        return handler.spec

    async def replace_handler(self, topic: str, handler_id: str, body: Any) -> HandlerSpec:
        current = self.get_handler(topic, handler_id)
        return await self._replace(topic, handler_id, _kept_secrets(HandlerSpec.from_json(body, topic), current))

    async def patch_handler(self, topic: str, handler_id: str, patch: Any) -> HandlerSpec:
        current = self.get_handler(topic, handler_id)
        if not isinstance(patch, list):
            raise InvalidError("invalid patch json: expected a JSON array of operations")
        try:
            ops = jsonpatch.JsonPatch(patch)
        except Exception as exc:
            raise InvalidError(f"invalid patch json: {exc}") from None
        try:
            patched = ops.apply(copy.deepcopy(current.to_json()))
        except Exception as exc:
            raise InvalidError(f"failed to apply patch: {exc}") from None
        return await self._replace(topic, handler_id, _kept_secrets(HandlerSpec.from_json(patched, topic), current))

    async def _replace(self, topic: str, old_id: str, spec: HandlerSpec) -> HandlerSpec:
        spec.check()
        if spec.id != old_id and self.handlers.get(topic, spec.id) is not None:
            raise ConflictError(
                f'failed to update handler: cannot rename handler, handler with ID "{spec.id}" already exists'
            )
        handler = compile_handler(spec, self.config, "update")
        with storing("topic handler"):
            await self.store.put_handler_spec(spec.to_json(), replaces=(topic, old_id))
        self.handlers.remove(topic, old_id)
        self.handlers.put(handler)
        return spec

    async def delete_handler(self, topic: str, handler_id: str) -> None:
        with storing("topic handler"):
            await self.store.delete_handler_spec(topic, handler_id)
        self.handlers.remove(topic, handler_id)


def _kept_secrets(spec: HandlerSpec, current: HandlerSpec) -> HandlerSpec:
    """`spec` with the secret options it sends back as the placeholder of API answers set to their stored values."""
    key = handler_key(current.topic, current.id)
    spec.options = restore_secrets(spec.kind, spec.options, current.kind, current.options, key)
    return spec

"""Topics, configuration overrides and service tests: the engine's administrative calls."""

from __future__ import annotations

from typing import Any

from tocsin.alert.topics import Topic
from tocsin.config.effective import Config
from tocsin.config.overrides import apply_update
from tocsin.config.view import redact
from tocsin.engine.errors import ForbiddenError, InvalidError, NotFoundError, UnavailableError, storing
from tocsin.engine.state import EngineState
from tocsin.errors import StoreError
from tocsin.handlers.base import ServiceTest
from tocsin.handlers.service_tests import all_service_tests, run_service_test
from tocsin.store.base import BackupUnsupported


class Administration(EngineState):
    """Reading and deleting topics, changing the configuration over the API, sending test alerts."""

    def get_topic(self, topic_id: str) -> Topic:
        topic = self.topics.get(topic_id)
        if topic is None:
            raise NotFoundError(f'unknown topic: "{topic_id}"')
        return topic

    async def delete_topic(self, topic_id: str) -> None:
        self.topics.delete(topic_id)
        with storing("topic"):
            await self.store.delete_topic(topic_id)

    async def update_config(self, section: str, element: str | None, trailing: bool, body: Any) -> None:
        self.check_overrides_enabled()
        new = apply_update(self.base, self.overrides, section, element, trailing, body)
        config = Config.build(self.base, new)
        with storing("configuration override"):
            await self.store.save_overrides(new.to_json())
        self.overrides = new
        self.config = config

    def check_overrides_enabled(self) -> None:
        if not self.config.get("config-override", "enabled"):
            raise ForbiddenError("config override service is not enabled")

    async def backup(self, destination: str) -> None:
        """A consistent copy of the store in the new file `destination` (`tocsin backup`)."""
        try:
            await self.store.backup(destination)
        except BackupUnsupported as exc:
            raise InvalidError(str(exc)) from None
        except StoreError as exc:
            raise UnavailableError(str(exc)) from None

    def service_tests(self) -> dict[str, ServiceTest]:
        """The kinds' tests and those the assembly added (tocsin.wiring: [[influxdb]]), by name."""
        return dict(sorted({**all_service_tests(), **self.extra_service_tests}.items()))

    def add_service_test(self, test: ServiceTest) -> None:
        """A test of a section that is no handler kind, listed and run as the kinds' are."""
        self.extra_service_tests[test.name] = test

    async def run_service_test(self, name: str, body: Any) -> tuple[bool, str]:
        test = self.service_tests().get(name)
        if test is None:
            raise NotFoundError(f'service "{name}" not found')
        success, message = await run_service_test(test, body, self.config, self.transports, self.default_timeout)
        return success, redact(self.config, message)

"""The config element a kind sends with: refused with Kapacitor's text while its service is not enabled."""

from __future__ import annotations

from typing import Any

from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers.base import ConfigView

# Kapacitor's text (every service's Handle and Test).
NOT_ENABLED = "service is not enabled"


def enabled_section(config: ConfigView, name: str, not_enabled: str = NOT_ENABLED) -> dict[str, Any]:
    """The section `name`, or DeliveryError(CONFIG, `not_enabled`) when it is missing or off."""
    section = config.element(name)
    if section is None or not section.get("enabled"):
        raise DeliveryError(Reason.CONFIG, not_enabled, retryable=False)
    return section

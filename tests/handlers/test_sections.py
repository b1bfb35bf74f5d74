"""The enabled config element a kind sends with, or Kapacitor's refusal."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.config import StaticConfig
from tocsin.config.schema import Field, FieldType, Section
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers.sections import NOT_ENABLED, enabled_section

SECTION = Section(name="svc", fields=(Field("enabled", FieldType.BOOL), Field("url", FieldType.STRING)))
PREPARE_FAILED = "failed to prepare API request: service is not enabled"


def test_the_enabled_element_is_returned() -> None:
    cfg = StaticConfig({"svc": {"enabled": True, "url": "http://h"}}, sections=[SECTION])
    assert enabled_section(cfg, "svc") == {"enabled": True, "url": "http://h"}


@pytest.mark.parametrize(
    ("cfg", "own_text", "message"),
    [
        (StaticConfig({"svc": {"url": "http://h"}}, sections=[SECTION]), {}, "service is not enabled"),
        (StaticConfig(), {"not_enabled": PREPARE_FAILED}, PREPARE_FAILED),
    ],
    ids=["disabled", "missing-with-own-text"],
)
def test_a_disabled_or_missing_section_is_a_config_error(
    cfg: StaticConfig, own_text: dict[str, Any], message: str
) -> None:
    with pytest.raises(DeliveryError) as info:
        enabled_section(cfg, "svc", **own_text)
    assert (str(info.value), info.value.reason, info.value.retryable) == (message, Reason.CONFIG, False)
    assert NOT_ENABLED == "service is not enabled"

"""Service tests ("Send Test Alert"): posted options merged into a test's defaults, built, sent once."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from tocsin.delivery.errors import DeliveryError
from tocsin.errors import ConfigError
from tocsin.handlers.base import ConfigView, ServiceTest
from tocsin.handlers.registry import all_kinds
from tocsin.handlers.scrub import request_secrets, scrub
from tocsin.transports import Transports

NOT_AN_OBJECT = "service test options must be a JSON object, not {kind}"
WRONG_TYPE = "service test option {name!r} must be {want}, not {got}"


class TestOptionsError(ConfigError):
    """Posted service-test options that do not fit the test's defaults."""

    __test__ = False  # not a pytest test class, despite the name


def all_service_tests() -> dict[str, ServiceTest]:
    """Every service test of the registered kinds, by name."""
    return {test.name: test for kind in all_kinds() for test in kind.service_tests}


def merge_test_options(defaults: Mapping[str, Any], body: Any) -> dict[str, Any]:
    """`body` decoded into a copy of `defaults` as Go's json decodes into a struct holding them.

    JSON null keeps every default; keys match exactly, then case-insensitively; unknown keys are ignored;
    objects merge into default maps; null empties a default list or map and leaves other defaults alone.
    """
    merged = copy.deepcopy(dict(defaults))
    if body is None:
        return merged
    if not isinstance(body, Mapping):
        raise TestOptionsError(NOT_AN_OBJECT.format(kind=_json_kind(body)))
    for key, value in body.items():
        name = key if key in merged else next((k for k in merged if k.casefold() == str(key).casefold()), None)
        if name is not None:
            merged[name] = _decode_into(name, merged[name], value)
    return merged


def _decode_into(name: str, current: Any, value: Any) -> Any:
    if value is None:
        return None if isinstance(current, (dict, list)) else current
    if current is None:
        return copy.deepcopy(value)
    want, got = _json_kind(current), _json_kind(value)
    if want != got:
        raise TestOptionsError(WRONG_TYPE.format(name=name, want=want, got=got))
    if isinstance(current, dict):
        return {**current, **copy.deepcopy(value)}
    if isinstance(current, int) and not isinstance(current, bool) and isinstance(value, float):
        return int(value) if value.is_integer() else value
    return copy.deepcopy(value)


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    return "an object"


async def run_service_test(
    test: ServiceTest,
    body: Any,
    config: ConfigView,
    transports: Transports,
    timeout: float,  # noqa: ASYNC109 (the delivery policy handed to the transport)
) -> tuple[bool, str]:
    """Run `test` with `body` (None keeps the defaults): (True, "") or (False, why). Never raises for the peer.

    The message never shows the request's secrets (header values, URL passwords and query values), even when
    the peer echoes them; the caller hides configured secrets."""
    secrets: set[str] = set()
    try:
        options = merge_test_options(test.defaults, body)
        request = test.build(options, config)
        secrets = request_secrets(request)
        await transports.send(request, timeout)
    except (DeliveryError, ConfigError) as exc:
        return False, scrub(str(exc), secrets)
    return True, ""

"""The `influxdb` service test (Kapacitor's `POST /service-tests/influxdb {"cluster": ""}`): ping the cluster.

Not a handler kind: an `[[influxdb]]` cluster sends no alerts, but the service-tests API tests it like one
(tocsin.wiring adds it to the engine's tests). The request is InfluxDB's `GET /ping` on the cluster's first
URL, with its credentials; a 204 answers it.
"""

from __future__ import annotations

import time
from typing import Any

from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers.base import ConfigView, ServiceTest
from tocsin.handlers.requests import HttpRequest, TlsFiles
from tocsin.influxdb.client import auth_headers, safe_url
from tocsin.influxdb.settings import ClusterSettings

# Kapacitor's text (services/influxdb/service.go Test).
NOT_ENABLED = 'cluster "{name}" is not enabled or does not exist'


def build_test_request(options: dict[str, Any], config: ConfigView) -> HttpRequest:
    elements = config.section("influxdb")
    wanted = str(options.get("cluster") or "") or _default_name(elements)
    element = next((e for e in elements if e.get("name") == wanted and e.get("enabled") and e.get("urls")), None)
    if element is None:
        raise DeliveryError(Reason.CONFIG, NOT_ENABLED.format(name=wanted), retryable=False)
    settings = ClusterSettings.of(element)
    url = settings.urls[0].rstrip("/") + "/ping"
    return HttpRequest(
        method="GET",
        url=url,
        headers=tuple(auth_headers(settings, time.time()).items()),
        timeout=settings.timeout or None,
        verify_tls=not settings.insecure_skip_verify,
        tls=TlsFiles.of(element),
        redacted_url=safe_url(url),
    )


def _default_name(elements: list[dict[str, Any]]) -> str:
    """The cluster a test without a name pings: the `default = true` one, else the first."""
    for element in elements:
        if element.get("default"):
            return str(element.get("name", ""))
    return str(elements[0].get("name", "")) if elements else ""


SERVICE_TEST = ServiceTest(name="influxdb", defaults={"cluster": ""}, build=build_test_request)

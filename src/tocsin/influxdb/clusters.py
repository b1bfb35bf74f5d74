"""The enabled `[[influxdb]]` clusters of the effective config, each with its client, by name.

The config API may change a cluster while Tocsin runs: each lookup reads the effective config, and a
cluster whose settings changed gets a new client (the old one is closed in the background).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any, Protocol

from tocsin.delivery.errors import DeliveryError
from tocsin.influxdb.client import InfluxClient, InfluxDBError
from tocsin.influxdb.settings import ClusterSettings
from tocsin.transports.tls import client_context

SECTION = "influxdb"
NO_CLUSTER = "no InfluxDB cluster is enabled: configure one in [[influxdb]] of kapacitor.conf"
UNKNOWN_CLUSTER = "unknown InfluxDB cluster {name!r}: not an enabled [[influxdb]] name"


def client_for(settings: ClusterSettings) -> InfluxClient:
    """A new client of the cluster, with its TLS files loaded; InfluxDBError naming the cluster when they fail."""
    try:
        tls = client_context(settings.ssl_ca, settings.ssl_cert, settings.ssl_key, settings.insecure_skip_verify)
    except DeliveryError as exc:
        raise InfluxDBError(f"influxdb cluster {settings.name!r}: {exc}", retryable=False) from exc
    return InfluxClient(settings, tls)


class ClusterConfig(Protocol):
    """What the clusters read of the effective config."""

    def section(self, name: str) -> list[dict[str, Any]]: ...


class Clusters:
    """Clients for the enabled clusters; `client('')` is the default one (`default = true`, or the only one)."""

    def __init__(self, config: ClusterConfig) -> None:
        self._config = config
        self._clients: dict[str, InfluxClient] = {}
        self._retired: set[asyncio.Task[None]] = set()

    def enabled(self) -> list[Mapping[str, Any]]:
        """The enabled elements, in config order."""
        return [e for e in self._config.section(SECTION) if e.get("enabled") and e.get("urls")]

    def names(self) -> list[str]:
        return [str(e.get("name", "")) for e in self.enabled()]

    def default_name(self) -> str:
        """The default cluster's name; InfluxDBError when none is enabled."""
        elements = self.enabled()
        if not elements:
            raise InfluxDBError(NO_CLUSTER, retryable=False)
        for element in elements:
            if element.get("default"):
                return str(element.get("name", ""))
        return str(elements[0].get("name", ""))

    def element(self, name: str) -> Mapping[str, Any]:
        """The enabled element called `name` (the default one for ""); InfluxDBError when there is none."""
        wanted = name or self.default_name()
        for element in self.enabled():
            if element.get("name") == wanted:
                return element
        raise InfluxDBError(UNKNOWN_CLUSTER.format(name=wanted), retryable=False)

    def client(self, name: str = "") -> InfluxClient:
        """The client of cluster `name` ("" for the default); InfluxDBError when it is not enabled."""
        element = self.element(name)
        settings = ClusterSettings.of(element)
        current = self._clients.get(settings.name)
        if current is not None and current.settings == settings:
            return current
        client = client_for(settings)
        self._clients[settings.name] = client
        if current is not None:
            self._retire(current)
        return client

    def _retire(self, client: InfluxClient) -> None:
        with contextlib.suppress(RuntimeError):
            task = asyncio.get_running_loop().create_task(client.close())
            self._retired.add(task)
            task.add_done_callback(self._retired.discard)

    async def close(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.close()

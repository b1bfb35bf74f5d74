"""`ssl-ca`, `ssl-cert` and `ssl-key` of the HTTP sections (slack, discord) are used, not only shown: against an
HTTPS peer with a private CA that requires a client certificate, delivery works with the section's files and
fails without them."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from tests.support.config import StaticConfig
from tests.support.sink import HttpSink
from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers import discord, slack
from tocsin.handlers.options import normalize
from tocsin.handlers.requests import TlsFiles
from tocsin.transports import Transports

EVENT = Event(topic="t", id="cpu", level=Level.CRITICAL, time=0, message="cpu is CRITICAL")


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def files(ca: trustme.CA, tmp_path: Path) -> dict[str, str]:
    client = ca.issue_cert("tocsin-client")
    paths = {"ssl-ca": tmp_path / "ca.pem", "ssl-cert": tmp_path / "client.pem", "ssl-key": tmp_path / "client.key"}
    ca.cert_pem.write_to_path(str(paths["ssl-ca"]))
    client.cert_chain_pems[0].write_to_path(str(paths["ssl-cert"]))
    client.private_key_pem.write_to_path(str(paths["ssl-key"]))
    return {k: str(v) for k, v in paths.items()}


@pytest.fixture
async def mtls_sink(ca: trustme.CA) -> AsyncIterator[HttpSink]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca.configure_trust(context)
    context.verify_mode = ssl.CERT_REQUIRED
    sink = await HttpSink(status=200).start(ssl_context=context)
    yield sink
    await sink.close()


async def _send(transports: Transports, kind: Any, section: str, element: dict[str, Any], status: int) -> None:
    config = StaticConfig({section: [element]}, sections=[kind.KIND.config])
    options = normalize(kind.KIND, {}, config)
    await transports.send(kind.KIND.render(EVENT, options, config), 5.0)


@pytest.mark.parametrize(
    ("kind", "section", "extra", "status"),
    [(slack, "slack", {"workspace": ""}, 200), (discord, "discord", {"workspace": "w"}, 204)],
    ids=["slack", "discord"],
)
async def test_the_sections_files_make_the_connection(
    transports: Transports,
    mtls_sink: HttpSink,
    files: dict[str, str],
    kind: Any,
    section: str,
    extra: dict[str, Any],
    status: int,
) -> None:
    mtls_sink.set_default(status)
    element = {"enabled": True, "default": True, "url": mtls_sink.url + "/hook", **extra, **files}
    await _send(transports, kind, section, element, status)
    assert len(mtls_sink.requests) == 1
    with pytest.raises(DeliveryError) as err:  # no client certificate: the peer ends the handshake
        await _send(transports, kind, section, {**element, "ssl-cert": "", "ssl-key": ""}, status)
    assert err.value.reason is Reason.TLS, str(err.value)
    with pytest.raises(DeliveryError) as err:  # not trusting the private CA
        await _send(transports, kind, section, {**element, "ssl-ca": ""}, status)
    assert err.value.reason is Reason.TLS and "certificate verify failed" in str(err.value)
    assert len(mtls_sink.requests) == 1


def test_files_of_a_section() -> None:
    assert TlsFiles.of({"ssl-ca": "", "ssl-cert": "", "ssl-key": ""}) is None
    assert TlsFiles.of({"ssl-ca": "/ca.pem"}) == TlsFiles("/ca.pem", "", "")

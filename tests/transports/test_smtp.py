"""The SMTP transport against a real SMTP server (aiosmtpd, in this event loop): TLS modes, AUTH, refusals,
servers that hang or hang up, and connection reuse.

`SmtpPeer` and the fixtures here are also used by tests/handlers/test_smtp.py.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers.requests import SmtpRequest
from tocsin.transports import Transports
from tocsin.transports.smtp import NO_STARTTLS

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS", "ignore:Session.login_data")

USER, PASSWORD = "alerts", "s3cret-Pa55"
AUTH_FAILED = "535 5.7.8 Authentication credentials invalid"  # aiosmtpd's reply
MESSAGE = b"From: tocsin@example.com\r\nTo: oncall@example.com\r\nSubject: cpu is CRITICAL\r\n\r\ndetails\r\n"


@dataclass(frozen=True, slots=True)
class Received:
    """One message the server accepted, with how its session was set up."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes
    tls: bool
    login: bytes | None

    def parsed(self) -> email.message.EmailMessage:
        message = email.message_from_bytes(self.content, policy=email.policy.default)
        assert isinstance(message, email.message.EmailMessage)
        return message


@dataclass
class SmtpPeer:
    """An aiosmtpd server on 127.0.0.1 that records accepted messages.

    `tls`: "none", "starttls" (offers STARTTLS) or "tls" (implicit TLS). `users` enables AUTH (also without
    TLS). Recipients in `refuse` get that reply to RCPT. `on_data`: "accept", "close" (hang up instead of
    answering DATA), "hang" (never answer), "close-after" (answer 250, then hang up).
    """

    tls: str = "none"
    cert: ssl.SSLContext | None = None
    users: dict[str, str] | None = None
    refuse: dict[str, str] = field(default_factory=dict)
    on_data: str = "accept"
    host: str = "127.0.0.1"
    messages: list[Received] = field(default_factory=list)
    connections: int = 0
    quits: int = 0
    _server: asyncio.Server | None = None
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> SmtpPeer:
        loop = asyncio.get_running_loop()
        implicit = self.cert if self.tls == "tls" else None
        self._server = await loop.create_server(self._protocol, self.host, 0, ssl=implicit)
        return self

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    def _protocol(self) -> SMTP:
        self.connections += 1
        return SMTP(
            self,
            hostname="peer.test",
            tls_context=self.cert if self.tls == "starttls" else None,
            authenticator=self._authenticate if self.users is not None else None,
            auth_require_tls=self.users is None,  # only peers with users offer AUTH in clear text
        )

    def _authenticate(self, server: SMTP, session: Session, envelope: Envelope, mech: str, data: Any) -> AuthResult:
        users = self.users or {}
        if isinstance(data, LoginPassword) and users.get(data.login.decode()) == data.password.decode():
            return AuthResult(success=True, auth_data=data.login)
        # handled=False makes aiosmtpd answer 535 (with the default it answers nothing and the client hangs).
        return AuthResult(success=False, handled=False)

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        transport = server.transport
        assert transport is not None
        if self.on_data == "close":
            transport.close()
            return "421 closing"
        if self.on_data == "hang":
            await asyncio.Event().wait()
        assert isinstance(envelope.content, bytes) and envelope.mail_from is not None
        login = session.auth_data if isinstance(session.auth_data, bytes) else None
        encrypted = transport.get_extra_info("ssl_object") is not None
        self.messages.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), envelope.content, encrypted, login))
        self._arrived.set()
        if self.on_data == "close-after":
            asyncio.get_running_loop().call_soon(transport.close)
        return "250 2.0.0 queued as 42"

    async def handle_QUIT(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.quits += 1
        return "221 Bye"

    async def wait_for(self, count: int) -> list[Received]:
        async with asyncio.timeout(5):
            while len(self.messages) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return list(self.messages)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None


@dataclass(frozen=True, slots=True)
class TestCerts:
    """A throwaway CA trusted through SSL_CERT_FILE, and a server context holding a cert it issued."""

    __test__ = False
    server: ssl.SSLContext
    untrusted: ssl.SSLContext  # a cert from a CA the client does not trust


@pytest.fixture
def certs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TestCerts:
    ca = trustme.CA()
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server)
    untrusted = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trustme.CA().issue_cert("127.0.0.1").configure_cert(untrusted)
    return TestCerts(server, untrusted)


PeerFactory = Callable[..., Awaitable[SmtpPeer]]


@pytest.fixture
async def smtp_peer() -> AsyncIterator[PeerFactory]:
    """Starts SmtpPeers (keyword arguments as SmtpPeer's) and closes them after the test."""
    peers: list[SmtpPeer] = []

    async def start(**kwargs: Any) -> SmtpPeer:
        peer = await SmtpPeer(**kwargs).start()
        peers.append(peer)
        return peer

    yield start
    for peer in peers:
        await peer.close()


def stopped_port() -> int:
    """A local TCP port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request(port: int, **kwargs: Any) -> SmtpRequest:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "sender": "tocsin@example.com",
        "recipients": ("oncall@example.com",),
        "message": MESSAGE,
    }
    return SmtpRequest(**(values | kwargs))


@pytest.mark.parametrize(
    ("server_tls", "client_tls", "encrypted"),
    [
        ("none", "none", False),
        ("none", "starttls", False),  # offered nothing, but on loopback: clear text is allowed there
        ("none", "opportunistic", False),
        ("starttls", "starttls", True),
        ("starttls", "opportunistic", True),
        ("starttls", "none", False),
        ("tls", "tls", True),
    ],
    ids=[
        "plain",
        "starttls-not-offered-loopback",
        "opportunistic-plain",
        "starttls",
        "opportunistic",
        "starttls-declined",
        "implicit-tls",
    ],
)
async def test_tls_modes(
    smtp_peer: PeerFactory, transports: Transports, certs: TestCerts, server_tls: str, client_tls: str, encrypted: bool
) -> None:
    peer = await smtp_peer(tls=server_tls, cert=certs.server)
    outcome = await transports.send(request(peer.port, tls=client_tls), 5)
    assert (outcome.status, outcome.detail) == (None, "250 2.0.0 queued as 42")
    (got,) = await peer.wait_for(1)
    assert (got.mail_from, got.rcpt_tos, got.tls) == ("tocsin@example.com", ("oncall@example.com",), encrypted)
    date, rest = got.content.split(b"\r\n", 1)
    assert rest == MESSAGE
    assert email.utils.parsedate_to_datetime(date.removeprefix(b"Date: ").decode()).tzinfo is not None


async def test_starttls_is_required_off_loopback_and_opportunistic_is_opt_in(
    smtp_peer: PeerFactory, transports: Transports
) -> None:
    host = "127.0.0.2"  # not one of the loopback names the requirement exempts
    peer = await smtp_peer(tls="none", host=host)
    with pytest.raises(DeliveryError) as err:
        await transports.send(request(peer.port, host=host, tls="starttls"), 5)
    assert (err.value.reason, str(err.value)) == (Reason.CONFIG, f"smtp {host}:{peer.port}: {NO_STARTTLS}")
    assert peer.messages == []
    outcome = await transports.send(request(peer.port, host=host, tls="opportunistic"), 5)
    assert outcome.detail == "250 2.0.0 queued as 42"
    assert [m.tls for m in await peer.wait_for(1)] == [False]


@pytest.mark.parametrize("server_tls", ["starttls", "tls"])
async def test_untrusted_certificate_fails_unless_no_verify(
    smtp_peer: PeerFactory, transports: Transports, certs: TestCerts, server_tls: str
) -> None:
    peer = await smtp_peer(tls=server_tls, cert=certs.untrusted)
    with pytest.raises(DeliveryError) as caught:
        await transports.send(request(peer.port, tls=server_tls), 5)
    assert caught.value.reason is Reason.TLS and caught.value.retryable
    assert str(caught.value) == f"smtp 127.0.0.1:{peer.port}: TLS: CERTIFICATE_VERIFY_FAILED"
    await transports.send(request(peer.port, tls=server_tls, verify_tls=False), 5)
    assert [m.tls for m in await peer.wait_for(1)] == [True]


@pytest.mark.parametrize("server_tls", ["none", "starttls", "tls"])
async def test_auth_success(smtp_peer: PeerFactory, transports: Transports, certs: TestCerts, server_tls: str) -> None:
    peer = await smtp_peer(tls=server_tls, cert=certs.server, users={USER: PASSWORD})
    await transports.send(request(peer.port, tls=server_tls, username=USER, password=PASSWORD), 5)
    (got,) = await peer.wait_for(1)
    assert got.login == USER.encode()


@pytest.mark.parametrize("server_tls", ["none", "starttls", "tls"])
async def test_auth_failure_is_final_and_hides_the_password(
    smtp_peer: PeerFactory, transports: Transports, certs: TestCerts, server_tls: str
) -> None:
    peer = await smtp_peer(tls=server_tls, cert=certs.server, users={USER: PASSWORD})
    started = time.monotonic()
    with pytest.raises(DeliveryError) as caught:
        await transports.send(request(peer.port, tls=server_tls, username=USER, password="wrong-" + PASSWORD), 5)
    assert time.monotonic() - started < 2
    err = caught.value
    assert (err.reason, err.retryable, err.status) == (Reason.AUTH_ERROR, False, 535)
    assert str(err) == f"smtp 127.0.0.1:{peer.port}: authentication failed: {AUTH_FAILED}"
    assert PASSWORD not in str(err) and PASSWORD not in repr(request(1, password=PASSWORD))
    assert peer.messages == []


async def test_no_auth_offered_sends_without_login(smtp_peer: PeerFactory, transports: Transports) -> None:
    peer = await smtp_peer()
    await transports.send(request(peer.port, username=USER, password=PASSWORD), 5)
    assert [m.login for m in await peer.wait_for(1)] == [None]


async def test_credentials_never_travel_unencrypted_to_a_remote_host(
    smtp_peer: PeerFactory, transports: Transports
) -> None:
    peer = await smtp_peer(host="127.0.0.2", users={USER: PASSWORD})
    with pytest.raises(DeliveryError) as caught:
        remote = request(peer.port, host="127.0.0.2", username=USER, password=PASSWORD, tls="opportunistic")
        await transports.send(remote, 5)
    assert (caught.value.reason, str(caught.value)) == (
        Reason.CONFIG,
        f"smtp 127.0.0.2:{peer.port}: unencrypted connection",
    )
    assert peer.messages == []


async def test_each_refused_recipient_is_reported(smtp_peer: PeerFactory, transports: Transports) -> None:
    peer = await smtp_peer(refuse={"gone@example.com": "550 5.1.1 no such user", "full@example.com": "452 4.2.2 full"})
    recipients = ("gone@example.com", "oncall@example.com", "full@example.com")
    outcome = await transports.send(request(peer.port, recipients=recipients), 5)
    assert outcome.detail == (
        "250 2.0.0 queued as 42; RCPT TO:<gone@example.com> refused: 550 5.1.1 no such user; "
        "RCPT TO:<full@example.com> refused: 452 4.2.2 full"
    )
    assert [m.rcpt_tos for m in await peer.wait_for(1)] == [("oncall@example.com",)]


@pytest.mark.parametrize(
    ("refused", "reason", "retryable"),
    [
        (("gone@example.com",), Reason.CLIENT_ERROR, False),
        (("gone@example.com", "full@example.com"), Reason.SERVER_ERROR, True),
    ],
    ids=["permanent", "one-temporary"],
)
async def test_all_recipients_refused_fails(
    smtp_peer: PeerFactory, transports: Transports, refused: tuple[str, ...], reason: Reason, retryable: bool
) -> None:
    peer = await smtp_peer(refuse={"gone@example.com": "550 5.1.1 no such user", "full@example.com": "452 4.2.2 full"})
    with pytest.raises(DeliveryError) as caught:
        await transports.send(request(peer.port, recipients=refused), 5)
    each = "; ".join(
        {
            "gone@example.com": "RCPT TO:<gone@example.com> refused: 550 5.1.1 no such user",
            "full@example.com": "RCPT TO:<full@example.com> refused: 452 4.2.2 full",
        }[r]
        for r in refused
    )
    assert str(caught.value) == f"smtp 127.0.0.1:{peer.port}: every recipient was refused: {each}"
    assert (caught.value.reason, caught.value.retryable) == (reason, retryable)
    assert peer.messages == []


async def test_server_closing_during_data_is_not_a_delivery(smtp_peer: PeerFactory, transports: Transports) -> None:
    peer = await smtp_peer(on_data="close")
    with pytest.raises(DeliveryError) as caught:
        await transports.send(request(peer.port), 5)
    assert (caught.value.reason, caught.value.retryable) == (Reason.NETWORK, True)
    assert str(caught.value).startswith(f"smtp 127.0.0.1:{peer.port}: the server closed the connection")
    assert peer.messages == []


async def test_server_that_never_answers_times_out(smtp_peer: PeerFactory, transports: Transports) -> None:
    peer = await smtp_peer(on_data="hang")
    started = time.monotonic()
    with pytest.raises(DeliveryError) as caught:
        await transports.send(request(peer.port, timeout=0.3), 30)
    assert time.monotonic() - started < 2
    assert (caught.value.reason, str(caught.value)) == (
        Reason.TIMEOUT,
        f"smtp 127.0.0.1:{peer.port}: no answer within 0.3s",
    )


async def test_stopped_server_is_refused_within_the_timeout(transports: Transports) -> None:
    port = stopped_port()
    started = time.monotonic()
    with pytest.raises(DeliveryError) as caught:
        await transports.send(request(port), 2)
    assert time.monotonic() - started < 2
    assert (caught.value.reason, caught.value.retryable, str(caught.value)) == (
        Reason.NETWORK,
        True,
        f"smtp 127.0.0.1:{port}: connection refused",
    )


async def test_connection_is_reused_within_the_idle_timeout(smtp_peer: PeerFactory, transports: Transports) -> None:
    peer = await smtp_peer()
    for _ in range(3):
        await transports.send(request(peer.port, idle_timeout=0.3), 5)
    assert (len(peer.messages), peer.connections, peer.quits) == (3, 1, 0)
    await asyncio.sleep(0.6)
    assert peer.quits == 1  # closed with QUIT once idle
    await transports.send(request(peer.port, idle_timeout=0.3), 5)
    assert (len(peer.messages), peer.connections) == (4, 2)


async def test_concurrent_messages_share_one_connection(smtp_peer: PeerFactory, transports: Transports) -> None:
    peer = await smtp_peer()
    await asyncio.gather(*(transports.send(request(peer.port), 5) for _ in range(5)))
    assert (len(peer.messages), peer.connections) == (5, 1)


async def test_a_connection_the_server_dropped_is_replaced(smtp_peer: PeerFactory, transports: Transports) -> None:
    peer = await smtp_peer(on_data="close-after")
    for _ in range(3):
        await transports.send(request(peer.port), 5)
        await asyncio.sleep(0.05)  # let the hang-up arrive
    assert (len(peer.messages), peer.connections) == (3, 3)


@pytest.mark.parametrize("idle", [0.0, 30.0], ids=["no-idle-timeout", "closed-on-shutdown"])
async def test_connections_end_with_quit(smtp_peer: PeerFactory, idle: float) -> None:
    peer = await smtp_peer()
    shared = Transports()
    await shared.send(request(peer.port, idle_timeout=idle), 5)
    await asyncio.sleep(0.1)
    assert peer.quits == (1 if idle == 0 else 0)
    await shared.close()
    assert (peer.quits, peer.connections) == (1, 1)

"""SMTP delivery (the smtp kind) over aiosmtplib, with one reusable connection per server and login.

A message counts as delivered only when the server answers 250 to its DATA. Each recipient the server refuses
is reported: all refused fails the delivery, some refused succeeds with the refusals in the outcome's detail.
A connection is reused until it has been idle for the request's `idle_timeout`, then closed with QUIT.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import os
import socket
import ssl
import time
from dataclasses import dataclass, field
from email.utils import format_datetime
from typing import TYPE_CHECKING

from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.delivery.outcome import Outcome
from tocsin.handlers.requests import SmtpRequest
from tocsin.transports.netpolicy import DEFAULT_POLICY, AddressPolicy
from tocsin.transports.tls import tls_failure

if TYPE_CHECKING:
    import aiosmtplib

# Go's net/smtp greets with this name; it also spares the FQDN lookup aiosmtplib would otherwise make.
HELLO_NAME = "localhost"
QUIT_TIMEOUT = 5.0
# Go's PlainAuth text: credentials never travel unencrypted, except to the local host.
UNENCRYPTED = "unencrypted connection"
NO_STARTTLS = (
    'the server does not offer STARTTLS; set [smtp] tls = "opportunistic" to send in plain text when it does not'
)
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})

_Key = tuple[str, int, str, bool, str, str]


class _Stale(Exception):
    """A reused session failed before the server accepted anything: a fresh session may safely try again."""


@dataclass(slots=True)
class _Connection:
    """One pooled session; `lock` serialises its transactions as Kapacitor's single mailer does."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    client: aiosmtplib.SMTP | None = None
    idle_until: float = 0.0
    closer: asyncio.TimerHandle | None = None
    uses: int = 0  # bumped after each transaction, so a late idle timer can tell it is stale


class SmtpTransport:
    """Sends SmtpRequests; keeps one connection per (server, TLS mode, verification, login) while in use."""

    def __init__(self, policy: AddressPolicy = DEFAULT_POLICY) -> None:
        self.policy = policy
        self._pool: dict[_Key, _Connection] = {}
        self._contexts: dict[bool, ssl.SSLContext] = {}
        self._quitting: set[asyncio.Task[None]] = set()

    async def send(self, req: SmtpRequest, timeout: float) -> Outcome:  # noqa: ASYNC109 (a policy value)
        """Deliver `req`; its own timeout wins when set. Raises DeliveryError unless DATA was answered 250."""
        limit = req.timeout if req.timeout is not None else timeout
        key: _Key = (req.host, req.port, req.tls, req.verify_tls, req.username, req.password)
        conn = self._pool.get(key)
        if conn is None:
            conn = self._pool[key] = _Connection()
        where = "smtp " + (f"[{req.host}]:{req.port}" if ":" in req.host else f"{req.host}:{req.port}")
        try:
            async with asyncio.timeout(limit if limit and limit > 0 else None), conn.lock:
                try:
                    outcome = await self._transact(req, conn, where)
                except BaseException:
                    # A failed or interrupted session is in an unknown state: never reuse it.
                    _close(conn)
                    raise
                self._keep(conn, req.idle_timeout)
        except TimeoutError:
            raise DeliveryError(Reason.TIMEOUT, f"{where}: no answer within {limit:g}s", retryable=True) from None
        return outcome

    async def _transact(self, req: SmtpRequest, conn: _Connection, where: str) -> Outcome:
        if conn.closer is not None:
            conn.closer.cancel()
            conn.closer = None
        client = conn.client
        if client is not None and client.is_connected and time.monotonic() < conn.idle_until:
            try:
                return await _deliver(client, req, where, reused=True)
            except _Stale:
                pass
        _close(conn)
        conn.client = await self._open(req, where)
        try:
            return await _deliver(conn.client, req, where, reused=False)
        except _Stale as exc:
            raise _lost(where, exc.__cause__) from None

    async def _open(self, req: SmtpRequest, where: str) -> aiosmtplib.SMTP:
        import aiosmtplib

        await self.policy.check(req.host, req.port)  # aiosmtplib resolves the name again
        context = self._context(req.verify_tls)
        client = aiosmtplib.SMTP(
            hostname=req.host,
            port=req.port,
            local_hostname=HELLO_NAME,
            timeout=None,
            use_tls=req.tls == "tls",
            start_tls=False,
            tls_context=context,
        )
        try:
            await client.connect()
            await _hello(client)
            if req.tls in ("starttls", "opportunistic"):
                if client.supports_extension("starttls"):
                    await client.starttls(server_hostname=req.host, tls_context=context)
                    await _hello(client)
                elif req.tls == "starttls" and req.host not in LOOPBACK_HOSTS:
                    raise DeliveryError(Reason.CONFIG, f"{where}: {NO_STARTTLS}", retryable=False)
            if req.username and client.supports_extension("auth"):
                # As gomail: log in when the server offers AUTH, else send without it.
                if client.get_transport_info("sslcontext") is None and req.host not in LOOPBACK_HOSTS:
                    raise DeliveryError(Reason.CONFIG, f"{where}: {UNENCRYPTED}", retryable=False)
                await client.login(req.username, req.password)
        except BaseException as exc:
            client.close()
            if isinstance(exc, aiosmtplib.SMTPException | OSError):
                raise _translate(exc, where) from None
            raise
        return client

    def _context(self, verify: bool) -> ssl.SSLContext:
        # Built once per transport: loading the CA store costs milliseconds. SSL_CERT_FILE is honoured.
        context = self._contexts.get(verify)
        if context is None:
            context = ssl.create_default_context()
            if not verify:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            self._contexts[verify] = context
        return context

    def _keep(self, conn: _Connection, idle_timeout: float) -> None:
        idle = max(idle_timeout, 0.0)
        conn.uses += 1
        conn.idle_until = time.monotonic() + idle
        conn.closer = asyncio.get_running_loop().call_later(idle, self._retire, conn, conn.uses)

    def _retire(self, conn: _Connection, uses: int) -> None:
        task = asyncio.get_running_loop().create_task(self._quit(conn, uses))
        self._quitting.add(task)
        task.add_done_callback(self._quitting.discard)

    async def _quit(self, conn: _Connection, uses: int) -> None:
        async with conn.lock:
            if conn.uses != uses:
                return  # used again since this timer was set
            conn.closer = None
            client, conn.client = conn.client, None
        if client is not None:
            await _quit_client(client)

    async def close(self) -> None:
        """QUIT every pooled connection."""
        pool, self._pool = self._pool, {}
        for task in list(self._quitting):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for conn in pool.values():
            if conn.closer is not None:
                conn.closer.cancel()
                conn.closer = None
            client, conn.client = conn.client, None
            if client is not None:
                await _quit_client(client)


async def _hello(client: aiosmtplib.SMTP) -> None:
    import aiosmtplib

    try:
        await client.ehlo()
    except aiosmtplib.SMTPHeloError:
        await client.helo()


async def _deliver(client: aiosmtplib.SMTP, req: SmtpRequest, where: str, *, reused: bool) -> Outcome:
    """One transaction: MAIL, RCPT per recipient, DATA. Raises _Stale when a reused session is found dead."""
    import aiosmtplib

    try:
        await client.mail(req.sender)
    except (aiosmtplib.SMTPServerDisconnected, OSError) as exc:
        raise _Stale() from exc
    except aiosmtplib.SMTPResponseException as exc:
        if reused and exc.code == 421:
            raise _Stale() from exc
        raise _refused(where, f"MAIL FROM:<{req.sender}>", exc.code, exc.message) from None
    try:
        refusals: list[tuple[str, int, str]] = []
        for rcpt in req.recipients:
            try:
                await client.rcpt(rcpt)
            except aiosmtplib.SMTPRecipientRefused as exc:
                refusals.append((rcpt, exc.code, exc.message))
        if len(refusals) == len(req.recipients):
            raise _all_refused(where, refusals)
        response = await client.data(_dated(req.message))
    except aiosmtplib.SMTPDataError as exc:
        raise _refused(where, "message", exc.code, exc.message) from None
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise _translate(exc, where) from None
    detail = f"{response.code} {response.message}"
    for rcpt, code, text in refusals:
        detail += f"; RCPT TO:<{rcpt}> refused: {code} {text}"
    return Outcome(None, detail)


def _refused(where: str, what: str, code: int, text: str) -> DeliveryError:
    transient = 400 <= code < 500
    return DeliveryError(
        Reason.SERVER_ERROR if transient else Reason.CLIENT_ERROR,
        f"{where}: {what} refused: {code} {text}",
        retryable=transient,
        status=code,
    )


def _all_refused(where: str, refusals: list[tuple[str, int, str]]) -> DeliveryError:
    transient = any(400 <= code < 500 for _, code, _ in refusals)
    each = "; ".join(f"RCPT TO:<{rcpt}> refused: {code} {text}" for rcpt, code, text in refusals)
    return DeliveryError(
        Reason.SERVER_ERROR if transient else Reason.CLIENT_ERROR,
        f"{where}: every recipient was refused: {each}",
        retryable=transient,
        status=refusals[-1][1],
    )


def _translate(exc: BaseException, where: str) -> DeliveryError:
    """The DeliveryError an aiosmtplib or socket failure means (never carrying the password)."""
    import aiosmtplib

    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return DeliveryError(
            Reason.AUTH_ERROR,
            f"{where}: authentication failed: {exc.code} {exc.message}",
            retryable=False,
            status=exc.code,
        )
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return _refused(where, "session", exc.code, exc.message)
    if isinstance(exc, aiosmtplib.SMTPTimeoutError | TimeoutError):
        return DeliveryError(Reason.TIMEOUT, f"{where}: {exc}", retryable=True)
    cause = exc.__cause__ if isinstance(exc, aiosmtplib.SMTPConnectError) and exc.__cause__ else exc
    if isinstance(cause, ssl.SSLError):
        reason = Reason.TLS if tls_failure(cause) else Reason.NETWORK
        return DeliveryError(reason, f"{where}: TLS: {cause.reason or cause}", retryable=True)
    if isinstance(cause, socket.gaierror):
        return DeliveryError(Reason.NETWORK, f"{where}: lookup: {str(cause.strerror).lower()}", retryable=True)
    if isinstance(cause, OSError) and cause.errno:
        return DeliveryError(Reason.NETWORK, f"{where}: {os.strerror(cause.errno).lower()}", retryable=True)
    if isinstance(exc, aiosmtplib.SMTPServerDisconnected | ConnectionError):
        return _lost(where, exc)
    return DeliveryError(Reason.OTHER, f"{where}: {exc}", retryable=True)


def _lost(where: str, exc: BaseException | None) -> DeliveryError:
    detail = f": {exc}" if exc is not None and str(exc) else ""
    return DeliveryError(Reason.NETWORK, f"{where}: the server closed the connection{detail}", retryable=True)


async def _quit_client(client: aiosmtplib.SMTP) -> None:
    try:
        async with asyncio.timeout(QUIT_TIMEOUT):
            await client.quit()
    except Exception:  # a failed QUIT only means the server is already gone
        client.close()


def _close(conn: _Connection) -> None:
    if conn.closer is not None:
        conn.closer.cancel()
        conn.closer = None
    if conn.client is not None:
        conn.client.close()
        conn.client = None
    conn.idle_until = 0.0


def _dated(message: bytes) -> bytes:
    """`message` with gomail's Date header (RFC 1123 with a numeric zone, local time) in front."""
    stamp = format_datetime(datetime.datetime.now().astimezone())
    return b"Date: " + stamp.encode("ascii") + b"\r\n" + message

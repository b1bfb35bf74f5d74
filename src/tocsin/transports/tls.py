"""TLS client settings as Kapacitor builds them from `ssl-ca`, `ssl-cert`, `ssl-key`, `insecure-skip-verify`."""

from __future__ import annotations

import ssl

import aiohttp

from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers.requests import TlsFiles

# Kapacitor's texts (tlsconfig.Create).
ONLY_CERT = "Must provide both key and cert files: only cert file provided."
ONLY_KEY = "Must provide both key and cert files: only key file provided."
BAD_KEY_PAIR = "Could not load TLS client key/certificate: {}"
BAD_CA = "Could not load TLS CA: {}"


def client_context(ca: str, cert: str, key: str, insecure_skip_verify: bool) -> ssl.SSLContext:
    """A client context trusting the system CAs plus `ca`, presenting `cert`/`key` when both are given.

    Raises DeliveryError (CONFIG, not retryable) with Kapacitor's text when a file cannot be used.
    """
    context = ssl.create_default_context()
    if insecure_skip_verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if cert and key:
        try:
            context.load_cert_chain(cert, key)
        except (OSError, ssl.SSLError) as exc:
            raise _config_error(BAD_KEY_PAIR.format(_reason(exc, cert))) from exc
    elif cert:
        raise _config_error(ONLY_CERT)
    elif key:
        raise _config_error(ONLY_KEY)
    if ca:
        try:
            context.load_verify_locations(cafile=ca)
        except (OSError, ssl.SSLError) as exc:
            raise _config_error(BAD_CA.format(_reason(exc, ca))) from exc
    return context


def tls_context(files: TlsFiles | None, verify: bool) -> ssl.SSLContext:
    """The context for an HTTPS delivery: the system CAs, plus the section's CA and client certificate."""
    if files is None:
        context = ssl.create_default_context()
        if not verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context
    return client_context(files.ca, files.cert, files.key, not verify)


def _reason(exc: OSError, path: str) -> str:
    """Go's wording: `open <path>: no such file or directory`, or what OpenSSL found wrong in the file."""
    if isinstance(exc, ssl.SSLError):
        return str(exc.reason or exc)
    text = exc.strerror or str(exc)
    return f"open {exc.filename or path}: {text[:1].lower()}{text[1:]}"


def _config_error(message: str) -> DeliveryError:
    return DeliveryError(Reason.CONFIG, message, retryable=False)


def tls_failure(exc: BaseException) -> bool:
    """Whether `exc` is TLS refusing the connection (a certificate not trusted, expired or missing, a handshake
    the peer ended) rather than the network failing: the `tls` reason, which points at the ssl-* settings."""
    if isinstance(exc, aiohttp.ClientSSLError | TlsRefused):
        return True
    if isinstance(exc, ssl.SSLEOFError | ssl.SSLZeroReturnError):
        return False  # the connection was cut: the network's doing as much as TLS's
    return isinstance(exc, ssl.SSLError)


class TlsRefused(ConnectionError):
    """A new TLS connection the peer ended before answering anything: TLS 1.3 servers that want a client
    certificate end the connection so, after a handshake that looked complete to the client."""

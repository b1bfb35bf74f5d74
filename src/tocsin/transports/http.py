"""HTTP delivery: a lean keep-alive HTTP/1.1 client for the common case, one shared aiohttp session for the rest.

Most deliveries go to a plain `http(s)://host/path` with no proxy: `tocsin.transports.http1` sends those.
aiohttp sends what needs its generality: proxies and credentials in the URL. Redirects are followed here, hop
by hop, under the rules of `HttpTransport.send`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ssl
import urllib.request
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import ResolveResult
from yarl import URL

from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.delivery.outcome import Outcome
from tocsin.handlers.requests import HttpRequest
from tocsin.transports.classify import body_snippet, classify_http, http_error_message
from tocsin.transports.headers import redact_url
from tocsin.transports.http1 import Http1Client, Origin, ProtocolError
from tocsin.transports.netpolicy import DEFAULT_POLICY, AddressPolicy
from tocsin.transports.tls import tls_failure

MAX_RESPONSE_BYTES = 64 * 1024
# Without this aiohttp labels a bytes body application/octet-stream; handlers decide Content-Type themselves.
_SKIP_AUTO_HEADERS = ("Content-Type",)
_REDIRECTS = frozenset((301, 302, 303, 307, 308))
_KEEPS_METHOD = frozenset((307, 308))
MAX_REDIRECTS = 10
# What a request keeps when a redirect takes it to another origin: no credentials, no custom (API key) headers.
_SAFE_ACROSS_ORIGINS = frozenset({"content-type", "accept", "user-agent"})
_TARGETS_CACHED = 4096


class HttpTransport:
    """Sends HttpRequests; one ClientSession (and connection pool) for all handlers, created on first use."""

    def __init__(
        self, *, connection_limit: int = 256, policy: AddressPolicy = DEFAULT_POLICY, redirects: str = "same-origin"
    ) -> None:
        self._connection_limit = connection_limit
        self._policy = policy
        self._redirects = redirects
        self._session: aiohttp.ClientSession | None = None
        # HTTP(S)_PROXY and NO_PROXY are honoured as Kapacitor's Go client does. They are read once here:
        # aiohttp's trust_env would re-read them and ~/.netrc (in a thread) on every request.
        self._proxies = urllib.request.getproxies_environment()
        self._proxy_cache: dict[tuple[str, str], str | None] = {}
        self._timeouts: dict[float | None, aiohttp.ClientTimeout] = {}
        self._http1 = Http1Client(cap=MAX_RESPONSE_BYTES, policy=policy)
        self._targets: dict[str, tuple[Origin, str] | None] = {}

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=PolicyConnector(self._policy, limit=self._connection_limit),
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return self._session

    def _ssl(self, req: HttpRequest) -> ssl.SSLContext | bool:
        """aiohttp's `ssl`: the verify flag, or the context of the section's CA and certificate (the one the lean
        client uses)."""
        if req.tls is None:
            return req.verify_tls
        return self._http1.context(req.verify_tls, req.tls)

    def _timeout(self, limit: float | None) -> aiohttp.ClientTimeout:
        key = limit if limit and limit > 0 else None
        timeout = self._timeouts.get(key)
        if timeout is None:
            timeout = self._timeouts[key] = aiohttp.ClientTimeout(total=key)
        return timeout

    def _proxy(self, url: str) -> str | None:
        if not self._proxies:
            return None
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        if key not in self._proxy_cache:
            host = parts.hostname or ""
            bypass = bool(host) and urllib.request.proxy_bypass_environment(host, self._proxies)  # type: ignore[attr-defined]
            self._proxy_cache[key] = None if bypass else self._proxies.get(parts.scheme)
        return self._proxy_cache[key]

    def _fast_target(self, req: HttpRequest) -> tuple[Origin, str] | None:
        """Where the lean client sends `req` (origin, request target), or None when aiohttp must."""
        if req.method == "HEAD":
            return None  # llhttp cannot be told that an answer to HEAD has no body
        if req.url in self._targets:
            found = self._targets[req.url]
        else:
            found = None
            try:
                url = URL(req.url)
            except (ValueError, TypeError):
                url = None
            if (
                url is not None
                and url.scheme in ("http", "https")
                and url.raw_host
                and url.port is not None
                and url.user is None
                and url.password is None
                and self._proxy(req.url) is None
            ):
                found = (Origin(url.scheme, url.raw_host, url.port, True), url.raw_path_qs)
            if len(self._targets) >= _TARGETS_CACHED:
                self._targets.clear()
            self._targets[req.url] = found
        if found is None or req.method == "CONNECT" or not _plain_headers(req.headers):
            return None
        origin, target = found
        if origin.scheme == "https" and (not req.verify_tls or req.tls is not None):
            origin = dataclasses.replace(origin, verify_tls=req.verify_tls, tls=req.tls)
        return origin, target

    async def send(self, req: HttpRequest, timeout: float) -> Outcome:  # noqa: ASYNC109 (a policy value)
        """Send `req`; its own timeout wins when set. Raises DeliveryError unless `req.success(status)`.

        Redirects: 307 and 308 (which keep the method and body) are followed up to MAX_REDIRECTS times, to the
        same origin unless `redirects` is "any", and then without credentials or custom headers; every hop
        connects through the address policy. 301, 302 and 303 would turn the POST into a body-less GET (the
        alert would be lost while the delivery counts as done), so they fail with the new location instead."""
        limit = req.timeout if req.timeout is not None else timeout
        shown = req.redacted_url or req.url
        current = req
        for _ in range(MAX_REDIRECTS + 1):
            status, headers, body = await self._exchange(current, limit, shown)
            location = next((v for n, v in headers if n.lower() == "location"), None)
            if status not in _REDIRECTS or not location or self._redirects == "none":
                return self._judge(req, shown, status, headers, body)
            current = self._next_hop(req, current, status, location, shown)
        raise DeliveryError(
            Reason.CLIENT_ERROR, f"{req.method} {shown}: more than {MAX_REDIRECTS} redirects", retryable=False
        )

    def _next_hop(
        self, first: HttpRequest, current: HttpRequest, status: int, location: str, shown: str
    ) -> HttpRequest:
        target = urljoin(current.url, location)
        where = redact_url(target) or target
        if status not in _KEEPS_METHOD:
            raise DeliveryError(
                Reason.CLIENT_ERROR,
                f"{first.method} {shown}: {status} redirect to {where} not followed: it would turn the "
                f"{first.method} into a GET; use the new URL",
                retryable=False,
                status=status,
            )
        if _origin(target) == _origin(first.url):
            return dataclasses.replace(current, url=target)
        if self._redirects != "any":
            raise DeliveryError(
                Reason.CLIENT_ERROR,
                f"{first.method} {shown}: {status} redirect to another origin ({where}) not followed; "
                '[delivery] redirects = "any" follows it',
                retryable=False,
                status=status,
            )
        kept = tuple((n, v) for n, v in current.headers if n.lower() in _SAFE_ACROSS_ORIGINS)
        return dataclasses.replace(current, url=_without_userinfo(target), headers=kept, redacted_url=None)

    async def _exchange(
        self, req: HttpRequest, limit: float | None, shown: str
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """One request and its answer, redirects not followed; DeliveryError when there is no answer."""
        fast = self._fast_target(req)
        if fast is None:
            return await self._exchange_aiohttp(req, limit, shown)
        origin, target = fast
        try:
            async with asyncio.timeout(limit if limit and limit > 0 else None):
                answer = await self._http1.request(origin, req.method, target, req.headers, req.body)
        except TimeoutError:
            raise DeliveryError(
                Reason.TIMEOUT, f"{req.method} {shown}: no answer within {limit:g}s", retryable=True
            ) from None
        except (OSError, ssl.SSLError, ProtocolError) as exc:
            raise DeliveryError(
                Reason.TLS if tls_failure(exc) else Reason.NETWORK,
                f"{req.method} {shown}: {_describe(exc, req)}",
                retryable=True,
            ) from _unless_redacted(exc, req)
        return answer.status, answer.headers, answer.body

    async def _exchange_aiohttp(
        self, req: HttpRequest, limit: float | None, shown: str
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        try:
            async with self._client().request(
                req.method,
                _url_for(req),
                headers=req.headers,
                data=req.body,
                timeout=self._timeout(limit),
                ssl=self._ssl(req),
                # Only needed when the handler sets no Content-Type (aiohttp would add octet-stream).
                skip_auto_headers=None if _has_content_type(req.headers) else _SKIP_AUTO_HEADERS,
                proxy=self._proxy(req.url),
                allow_redirects=False,
            ) as resp:
                body = await _read_capped(resp)
                return resp.status, list(resp.headers.items()), body
        except TimeoutError:
            raise DeliveryError(
                Reason.TIMEOUT, f"{req.method} {shown}: no answer within {limit:g}s", retryable=True
            ) from None
        except (aiohttp.InvalidURL, aiohttp.NonHttpUrlClientError) as exc:
            raise _invalid_url(req, shown) from _unless_redacted(exc, req)
        except (aiohttp.ClientError, OSError) as exc:  # before ValueError: TLS verification errors are both
            raise DeliveryError(
                Reason.TLS if tls_failure(exc) else Reason.NETWORK,
                f"{req.method} {shown}: {_describe(exc, req)}",
                retryable=True,
            ) from _unless_redacted(exc, req)
        except ValueError as exc:  # yarl refusing to parse the URL
            raise _invalid_url(req, shown) from _unless_redacted(exc, req)

    def _judge(self, req: HttpRequest, shown: str, status: int, headers: list[tuple[str, str]], body: bytes) -> Outcome:
        """The outcome of an answer: success as the request defines it, or the classified failure."""
        if req.inspect is None and req.memo is None and req.success(status):
            return Outcome(status, body_snippet(body) if req.capture_response else "")
        if req.inspect is not None:
            verdict = req.inspect(status, headers, body)
            if verdict is not None:
                raise verdict
        if req.success(status):
            memo = req.memo(status, headers, body) if req.memo is not None else None
            return Outcome(status, body_snippet(body) if req.capture_response else "", memo)
        error = classify_http(status, headers, body, url=shown)
        if error is None:  # a status the handler does not accept, yet no HTTP error
            error = DeliveryError(Reason.OTHER, http_error_message(status, shown, body), retryable=False, status=status)
        raise error

    async def close(self) -> None:
        """Close the session and its pooled connections."""
        self._http1.close()
        if self._session is not None:
            await self._session.close()
            self._session = None


class PolicyConnector(aiohttp.TCPConnector):
    """aiohttp's connector, connecting only to addresses the policy allows (IP literals included: aiohttp
    resolves those without its resolver)."""

    def __init__(self, policy: AddressPolicy, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._policy = policy

    async def _resolve_host(self, host: str, port: int, traces: Any = None) -> list[ResolveResult]:
        found = await super()._resolve_host(host, port, traces=traces)
        allowed = [r for r in found if self._policy.problem(r["host"], host) is None]
        if found and not allowed:
            raise DeliveryError(Reason.POLICY, self._policy.problem(found[0]["host"], host) or "", retryable=False)
        return allowed


async def _read_capped(resp: aiohttp.ClientResponse) -> bytes:
    # Stop at the cap: the rest is dropped with the connection instead of being buffered.
    first = await resp.content.read(MAX_RESPONSE_BYTES)
    if not first or resp.content.at_eof():
        return first
    chunks = [first]
    size = len(first)
    while size < MAX_RESPONSE_BYTES:
        chunk = await resp.content.read(MAX_RESPONSE_BYTES - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _plain_headers(headers: tuple[tuple[str, str], ...]) -> bool:
    """No CR or LF anywhere (aiohttp refuses those; the lean client must never write them)."""
    return not any("\r" in n or "\n" in n or "\r" in v or "\n" in v for n, v in headers)


def _origin(url: str) -> tuple[str, str, int | None]:
    try:
        parsed = URL(url)
    except (TypeError, ValueError):
        return ("", url, None)
    return (parsed.scheme, (parsed.host or "").lower(), parsed.port)


def _without_userinfo(url: str) -> str:
    try:
        return str(URL(url).with_user(None))
    except (TypeError, ValueError):
        return url


def _url_for(req: HttpRequest) -> str:
    """The URL to request: as Go's client does, an explicit Authorization header wins over URL userinfo
    (aiohttp would refuse to send the two together)."""
    if "@" not in req.url or not any(name.lower() == "authorization" for name, _ in req.headers):
        return req.url
    try:
        return str(URL(req.url).with_user(None))
    except (TypeError, ValueError):
        return req.url


def _has_content_type(headers: tuple[tuple[str, str], ...]) -> bool:
    return any(name.lower() == "content-type" for name, _ in headers)


def _invalid_url(req: HttpRequest, shown: str) -> DeliveryError:
    return DeliveryError(Reason.CONFIG, f"{req.method} {shown}: invalid URL", retryable=False)


def _describe(exc: BaseException, req: HttpRequest) -> str:
    text = str(exc) or type(exc).__name__
    # aiohttp puts the URL in some messages; a redacted URL must never leak its secret through them.
    if req.redacted_url is not None and (req.url in text or _path_and_query(req.url) in text):
        return type(exc).__name__
    return text


def _unless_redacted(exc: BaseException, req: HttpRequest) -> BaseException | None:
    """The cause to chain: none when the request's URL is secret (tracebacks would print it)."""
    return None if req.redacted_url is not None else exc


def _path_and_query(url: str) -> str:
    rest = url.split("://", 1)[-1]
    slash = rest.find("/")
    return rest[slash:] if slash >= 0 else rest

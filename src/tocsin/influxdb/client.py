"""An asyncio client for InfluxDB 1.x's HTTP API: `/query`, `/write` and `/ping`, with URL failover.

aiohttp (already the server's library) speaks to InfluxDB directly: the `influxdb` package on PyPI is
synchronous (requests) and would hold the event loop for every query, and `influxdb-client` speaks the 2.x API.
Each request tries the cluster's URLs in order, starting from the last one that answered; a URL that cannot be
reached, times out or answers 5xx hands the request to the next one. Credentials go as InfluxDB takes them:
a user and password as HTTP Basic, a `token` as `Authorization: Token ...`, an `http-shared-secret` as a
short-lived HS256 JWT for the user (InfluxDB's `[http] shared-secret`). Error messages name the URL without
its credentials and never carry a secret.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import ssl
import time
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson

from tocsin.errors import TocsinError
from tocsin.influxdb.settings import ClusterSettings

JWT_LIFETIME = 60  # seconds a shared-secret token stays valid
USER_AGENT = "Tocsin (InfluxDB client)"


class InfluxDBError(TocsinError):
    """A query or write InfluxDB refused or could not be sent.

    `retryable` is true when the same request may succeed later (no URL answered, a 5xx, a timeout);
    `status` is InfluxDB's HTTP status when one answered.
    """

    def __init__(self, message: str, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status


@dataclass(frozen=True, slots=True)
class Series:
    """One series of a query result: InfluxDB's `name`, `tags`, `columns` and `values`."""

    name: str
    tags: Mapping[str, str]
    columns: tuple[str, ...]
    values: Sequence[Sequence[Any]]


@dataclass(frozen=True, slots=True)
class Result:
    """One statement's result; `error` is InfluxDB's message when the statement failed."""

    series: tuple[Series, ...] = ()
    error: str = ""
    messages: tuple[str, ...] = field(default=())


def safe_url(url: str) -> str:
    """`url` without its user information, for messages."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def shared_secret_token(username: str, secret: str, now: float) -> str:
    """An HS256 JWT `{"username": ..., "exp": ...}`, as InfluxDB's shared-secret authentication checks it."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = part(orjson.dumps({"alg": "HS256", "typ": "JWT"}))
    claims = part(orjson.dumps({"username": username, "exp": int(now) + JWT_LIFETIME}))
    signed = f"{header}.{claims}"
    signature = hmac.new(secret.encode(), signed.encode(), hashlib.sha256).digest()
    return f"{signed}.{part(signature)}"


def auth_headers(s: ClusterSettings, now: float) -> dict[str, str]:
    """The headers every request to the cluster carries: its credentials as InfluxDB takes them."""
    headers = {"User-Agent": USER_AGENT}
    if s.token:
        headers["Authorization"] = f"Token {s.token}"
    elif s.shared_secret:
        headers["Authorization"] = "Bearer " + shared_secret_token(s.username, s.shared_secret, now)
    elif s.username:
        pair = f"{s.username}:{s.password}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    return headers


class InfluxClient:
    """Queries and writes for one cluster; `close` releases its connections."""

    def __init__(self, settings: ClusterSettings, tls: ssl.SSLContext | None = None) -> None:
        if not settings.urls:
            raise InfluxDBError(f"influxdb cluster {settings.name!r}: no urls", retryable=False)
        self.settings = settings
        self._tls = tls
        self._session: aiohttp.ClientSession | None = None
        self._current = 0  # the URL that answered last

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def _headers(self) -> dict[str, str]:
        return auth_headers(self.settings, time.time())

    def _session_of(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            timeout = aiohttp.ClientTimeout(total=self.settings.timeout or None)
            connector = aiohttp.TCPConnector(ssl=self._tls if self._tls is not None else True, limit=16)
            self._session = aiohttp.ClientSession(timeout=timeout, connector=connector, auto_decompress=True)
        return self._session

    async def ping(self) -> str:
        """The version InfluxDB reports (`X-Influxdb-Version`) from the first URL that answers."""
        status, headers, _ = await self._request("GET", "/ping", {}, None, {})
        if status != 204:
            raise InfluxDBError(f"ping answered {status}", retryable=status >= 500, status=status)
        return headers.get("X-Influxdb-Version", "")

    async def query(
        self, q: str, *, database: str = "", retention_policy: str = "", epoch: str = "ns", write: bool = False
    ) -> list[Result]:
        """The results of the statements in `q`; an HTTP error or a top-level error raises InfluxDBError.

        `write` sends it as a POST, as InfluxDB requires for statements that change anything.
        """
        params = {"q": q}
        if database:
            params["db"] = database
        if retention_policy:
            params["rp"] = retention_policy
        if epoch:
            params["epoch"] = epoch
        status, _, body = await self._request("POST" if write else "GET", "/query", params, None, {})
        answer = _json(body)
        if status >= 300 or answer.get("error"):
            message = str(answer.get("error") or body[:200].decode(errors="replace") or f"HTTP {status}")
            raise InfluxDBError(message, retryable=status >= 500, status=status)
        return [_result(each) for each in answer.get("results") or ()]

    async def execute(self, q: str, *, database: str = "") -> None:
        """Run statements that change the meta store (CREATE, DROP); the first failing one raises."""
        for result in await self.query(q, database=database, epoch="", write=True):
            if result.error:
                raise InfluxDBError(result.error, retryable=False)

    async def write(
        self,
        lines: bytes,
        *,
        database: str,
        retention_policy: str = "",
        precision: str = "",
        consistency: str = "",
    ) -> None:
        """Write line protocol; InfluxDB's refusal (4xx) raises a non-retryable InfluxDBError."""
        params = {"db": database}
        if retention_policy:
            params["rp"] = retention_policy
        if precision:
            params["precision"] = precision
        if consistency:
            params["consistency"] = consistency
        headers = {"Content-Type": "text/plain; charset=utf-8"}
        if self.settings.compression == "gzip":
            lines = gzip.compress(lines, compresslevel=5)
            headers["Content-Encoding"] = "gzip"
        status, _, body = await self._request("POST", "/write", params, lines, headers)
        if status != 204:
            message = str(_json(body).get("error") or f"HTTP {status}")
            raise InfluxDBError(message, retryable=status >= 500, status=status)

    async def _request(
        self, method: str, path: str, params: dict[str, str], data: bytes | None, headers: dict[str, str]
    ) -> tuple[int, Mapping[str, str], bytes]:
        urls = self.settings.urls
        failures: list[str] = []
        for step in range(len(urls)):
            index = (self._current + step) % len(urls)
            base = urls[index]
            target = base.rstrip("/") + path
            try:
                async with self._session_of().request(
                    method, target, params=params, data=data, headers={**self._headers(), **headers}
                ) as response:
                    body = await response.read()
                    if response.status >= 500 and step + 1 < len(urls):
                        failures.append(f"{safe_url(base)}: HTTP {response.status}")
                        continue
                    self._current = index
                    return response.status, response.headers, body
            except aiohttp.ClientConnectorCertificateError as exc:
                error = exc.certificate_error
                failures.append(f"{safe_url(base)}: TLS: {getattr(error, 'verify_message', '') or error}")
            except ssl.SSLError as exc:
                failures.append(f"{safe_url(base)}: TLS: {exc.reason or exc}")
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                failures.append(f"{safe_url(base)}: {_describe(exc)}")
        raise InfluxDBError("failed to reach InfluxDB: " + "; ".join(failures), retryable=True)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, aiohttp.ClientConnectorError):
        reason = exc.os_error.strerror or ""
        if isinstance(exc.os_error, ConnectionRefusedError) or "Connect call failed" in str(exc.os_error):
            return "connection refused"
        return f"cannot connect: {reason or exc.os_error}"
    return str(exc) or type(exc).__name__


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = orjson.loads(body) if body else {}
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _result(raw: Mapping[str, Any]) -> Result:
    series = tuple(
        Series(
            name=str(s.get("name", "")),
            tags=dict(s.get("tags") or {}),
            columns=tuple(s.get("columns") or ()),
            values=s.get("values") or [],
        )
        for s in raw.get("series") or ()
    )
    messages = tuple(str(m.get("text", "")) for m in raw.get("messages") or ())
    return Result(series, str(raw.get("error") or ""), messages)

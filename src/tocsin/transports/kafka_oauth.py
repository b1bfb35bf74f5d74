"""SASL/OAUTHBEARER tokens for Kafka as Kapacitor gets them: a static token, or an OAuth2 client-credentials
grant (custom, Auth0 or AzureAD token endpoint) reused until shortly before it expires.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import Any
from urllib.parse import parse_qsl, quote_plus

import aiohttp
from aiokafka.abc import AbstractTokenProvider  # type: ignore[import-untyped]

from tocsin.handlers.kafka_config import KafkaSasl

AZURE_TOKEN_URL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
FETCH_TIMEOUT = 30.0
_NS = 1_000_000_000


class TokenError(Exception):
    """The token endpoint did not give a token; the message says what it answered instead."""


class StaticToken(AbstractTokenProvider):  # type: ignore[misc]
    """`sasl-access-token`, sent as it is with `sasl_extensions`."""

    def __init__(self, token: str, extensions: dict[str, str]) -> None:
        self._token = token
        self._extensions = extensions

    async def token(self) -> str:
        return self._token

    def extensions(self) -> dict[str, str]:
        return dict(self._extensions)


class ClientCredentialsToken(AbstractTokenProvider):  # type: ignore[misc]
    """Tokens from an OAuth2 client-credentials grant, fetched again `margin` before each one expires."""

    def __init__(self, sasl: KafkaSasl) -> None:
        self._sasl = sasl
        service = sasl.oauth_service.lower()
        if service == "azuread":
            self._url = AZURE_TOKEN_URL.format(tenant=quote_plus(sasl.oauth_tenant_id))
        else:
            self._url = sasl.oauth_token_url
        # Go's oauth2: Auth0 takes the client in the form; otherwise try a Basic header, then the form.
        self._in_form: bool | None = True if service == "auth0" else None
        self._token = ""
        self._expires = 0.0
        self._lock = asyncio.Lock()

    def extensions(self) -> dict[str, str]:
        return dict(self._sasl.extensions)

    async def token(self) -> str:
        async with self._lock:
            if not self._token or time.monotonic() >= self._expires:
                await self._fetch()
            return self._token

    async def _fetch(self) -> None:
        form = {"grant_type": "client_credentials"}
        if self._sasl.oauth_scopes:
            form["scope"] = " ".join(self._sasl.oauth_scopes)
        form.update(self._sasl.oauth_params)
        styles = [self._in_form] if self._in_form is not None else [False, True]
        timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            for attempt, in_form in enumerate(styles):
                status, body = await self._post(session, form, in_form)
                if 200 <= status < 300:
                    self._in_form = in_form
                    self._accept(body)
                    return
                if attempt + 1 == len(styles):
                    snippet = body[:300].decode("utf-8", "replace")
                    raise TokenError(f"oauth2: cannot fetch token: HTTP {status}: {snippet}")

    async def _post(self, session: aiohttp.ClientSession, form: dict[str, str], in_form: bool) -> tuple[int, bytes]:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        data = dict(form)
        client_id, secret = self._sasl.oauth_client_id, self._sasl.oauth_client_secret
        if in_form:
            data.update(client_id=client_id, client_secret=secret)
        else:
            pair = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        async with session.post(self._url, data=data, headers=headers) as response:
            return response.status, await response.read()

    def _accept(self, body: bytes) -> None:
        fields = _token_fields(body)
        token = fields.get("access_token")
        if not isinstance(token, str) or not token:
            raise TokenError("oauth2: server response missing access_token")
        self._token = token
        expires_in = fields.get("expires_in")
        try:
            seconds = float(expires_in) if expires_in not in (None, "") else None
        except (TypeError, ValueError):
            seconds = None
        margin = self._sasl.oauth_expiry_margin / _NS
        self._expires = time.monotonic() + seconds - margin if seconds else float("inf")


def _token_fields(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body)
    except ValueError:
        return dict(parse_qsl(body.decode("utf-8", "replace")))
    return parsed if isinstance(parsed, dict) else {}


def token_provider(sasl: KafkaSasl) -> AbstractTokenProvider:
    """The OAUTHBEARER token source a cluster's settings describe."""
    if sasl.access_token:
        return StaticToken(sasl.access_token, dict(sasl.extensions))
    return ClientCredentialsToken(sasl)

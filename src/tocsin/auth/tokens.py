"""JWT bearer tokens signed with HMAC (HS256, HS384, HS512) under `[http] shared-secret`, checked as Kapacitor does."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any

# Texts of the JWT library Kapacitor uses, behind Kapacitor's "invalid token: " prefix.
SEGMENTS = "token contains an invalid number of segments"
SIGNATURE = "signature is invalid"
UNEXPECTED_METHOD = "unexpected signing method: {alg}"
UNAVAILABLE_METHOD = "signing method (alg) is unavailable."
EXPIRED = "Token is expired"
NOT_YET_VALID = "Token is not valid yet"
USED_BEFORE_ISSUED = "Token used before issued"
# Kapacitor's own texts (services/httpd).
EXPIRATION_REQUIRED = "token expiration required"
USERNAME_NOT_STRING = "username in token must be a string"
USERNAME_REQUIRED = "token must contain a username"

_HMAC = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
_OTHER_KNOWN = {"none", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}


class TokenError(ValueError):
    """A token that does not authenticate; str() is the text of the 401 answer."""


def _segment(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise TokenError(f"invalid token: illegal base64 data: {exc}") from None


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise TokenError(f"invalid token: {exc}") from None
    if not isinstance(value, dict):
        raise TokenError("invalid token: expected a JSON object")
    return value


def sign(claims: dict[str, Any], secret: str, alg: str = "HS256") -> str:
    """A compact JWT of `claims` (tests and tools)."""

    def enc(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")

    head = enc(json.dumps({"alg": alg, "typ": "JWT"}).encode()) + "." + enc(json.dumps(claims).encode())
    mac = hmac.new(secret.encode(), head.encode(), _HMAC[alg]).digest()
    return head + "." + enc(mac)


def username_of(token: str, secret: str, now: float | None = None) -> str:
    """The `username` claim of a valid token; TokenError with Kapacitor's text otherwise."""
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenError("invalid token: " + SEGMENTS)
    header = _json_object(_segment(parts[0]))
    alg = header.get("alg")
    digest = _HMAC.get(alg) if isinstance(alg, str) else None
    if digest is None:
        if isinstance(alg, str) and alg in _OTHER_KNOWN:
            raise TokenError("invalid token: " + UNEXPECTED_METHOD.format(alg=alg))
        raise TokenError("invalid token: " + UNAVAILABLE_METHOD)
    claims = _json_object(_segment(parts[1]))
    expected = hmac.new(secret.encode(), f"{parts[0]}.{parts[1]}".encode(), digest).digest()
    if not secret or not hmac.compare_digest(expected, _segment(parts[2])):
        raise TokenError("invalid token: " + SIGNATURE)
    _check_times(claims, time.time() if now is None else now)
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or isinstance(exp, bool) or exp <= 0:
        raise TokenError(EXPIRATION_REQUIRED)
    username = claims.get("username")
    if not isinstance(username, str):
        raise TokenError(USERNAME_NOT_STRING)
    if not username:
        raise TokenError(USERNAME_REQUIRED)
    return username


def _check_times(claims: dict[str, Any], now: float) -> None:
    def number(key: str) -> float | None:
        value = claims.get(key)
        return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

    exp, nbf, iat = number("exp"), number("nbf"), number("iat")
    # A zero time counts as absent, as in Kapacitor's JWT library.
    if exp and now > exp:
        raise TokenError("invalid token: " + EXPIRED)
    if iat and now < iat:
        raise TokenError("invalid token: " + USED_BEFORE_ISSUED)
    if nbf and now < nbf:
        raise TokenError("invalid token: " + NOT_YET_VALID)

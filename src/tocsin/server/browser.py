"""Requests from browser pages other than Tocsin's own: no cross-origin calls unless the operator lists the origin.

Three checks, before authentication:

- Origin: a request whose `Origin` is not the server's own origin and not in `[http] cors-allowed-origins` is
  refused (403). Browsers send `Origin` on every cross-origin request and every POST, so a page on another site
  can neither read answers nor fire changes, even "simple" form posts that skip the CORS preflight.
- Host: with authentication off, a request whose `Host` is a name this server does not answer to is refused
  (403). This stops DNS rebinding, where an attacker's name first resolves to their server and then to 127.0.0.1,
  making the attacker's page same-origin with the API.
- Body type: a browser request (it sends `Origin` or `Sec-Fetch-Site`) that changes something with a text/plain,
  form or multipart body is refused (415): those are what a page can send cross-site without a preflight.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

FOREIGN_ORIGIN = (
    'cross-origin request from "{origin}" refused: add the origin to [http] cors-allowed-origins to allow it'
)
FOREIGN_HOST = (
    'Host "{host}" is not a name of this server: requests must use localhost, an IP address, the configured '
    "hostname or a name in [http] allowed-hosts"
)
SIMPLE_BODY = (
    "a browser request that changes something may not send a {media} body (what a form on any site can send): "
    "send application/json"
)
SITE_HEADER = "Sec-Fetch-Site"
# The body types a page may send cross-site without a CORS preflight.
SIMPLE_TYPES = frozenset({"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CROSS_SITES = frozenset({"cross-site", "same-site"})


def origin_problem(
    origin: str | None, fetch_site: str | None, scheme: str, host: str, allowed: Iterable[str]
) -> str | None:
    """Why a request with this `Origin` (and `Sec-Fetch-Site`) may not proceed, or None."""
    if origin is None:
        if fetch_site in CROSS_SITES:
            return FOREIGN_ORIGIN.format(origin=fetch_site)
        return None
    if origin.rstrip("/") in {a.rstrip("/") for a in allowed}:
        return None
    if origin != "null" and origin.lower() == f"{scheme}://{host}".lower():
        return None
    return FOREIGN_ORIGIN.format(origin=origin)


def simple_body_problem(method: str, content_type: str, from_browser: bool) -> str | None:
    """Why a browser's state change with a form-like body is refused (defence in depth behind the Origin check:
    such a request skips the CORS preflight), or None. Clients that are not browsers send what they like."""
    media = content_type.partition(";")[0].strip().lower()
    if from_browser and method not in SAFE_METHODS and media in SIMPLE_TYPES:
        return SIMPLE_BODY.format(media=media)
    return None


def allowed_origin(origin: str | None, allowed: Iterable[str]) -> bool:
    """Whether answers to `origin` carry CORS headers."""
    return origin is not None and origin.rstrip("/") in {a.rstrip("/") for a in allowed}


def host_problem(host: str, names: Iterable[str]) -> str | None:
    """Why the `Host` header is not one of this server's names, or None.

    Accepted: IP literals, localhost and *.localhost (browsers resolve those to loopback themselves), and `names`
    (the configured hostname, the bind host and `[http] allowed-hosts`)."""
    name = _host_name(host)
    if not name or name == "localhost" or name.endswith(".localhost"):
        return None
    try:
        ipaddress.ip_address(name)
        return None
    except ValueError:
        pass
    if name in {n.lower().rstrip(".") for n in names if n}:
        return None
    return FOREIGN_HOST.format(host=host)


def _host_name(host: str) -> str:
    try:
        return (urlsplit(f"//{host}").hostname or "").rstrip(".")
    except ValueError:
        return host.lower()

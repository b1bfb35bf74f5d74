"""Secret handler options (Option.secret) in API answers: shown as a placeholder, kept when a client sends it back.

The store keeps real values. Answers replace every non-empty secret option with PLACEHOLDER and list the option
keys in `redacted`; a PUT or PATCH whose options carry PLACEHOLDER for a secret keeps the stored value, so that
editing what a GET returned works. Option keys match case-insensitively, as handler options do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tocsin.config.effective import Config
from tocsin.config.view import redact
from tocsin.engine.errors import InvalidError
from tocsin.engine.handlers import TopicHandler
from tocsin.handlers.registry import HANDLERS, get_kind
from tocsin.handlers.scrub import url_secrets

PLACEHOLDER = "<redacted>"
NOTHING_STORED = (
    'options.{key}: "{placeholder}" stands for a secret this server already holds, and it holds none for '
    "handler {handler} (give the real value)"
)


def hidden_url(url: str) -> str:
    """`url` with its userinfo password and query values replaced by PLACEHOLDER (tokens travel there)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc
    if parts.password:
        netloc = netloc.replace(":" + parts.password + "@", ":" + PLACEHOLDER + "@", 1)
    query = "&".join(
        f"{name}={PLACEHOLDER}" if eq and value else item
        for item in parts.query.split("&")
        if item
        for name, eq, value in [item.partition("=")]
    )
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def secret_names(kind_name: str) -> frozenset[str]:
    """The case-folded names of the secret options of a kind; empty for an unknown kind."""
    if kind_name not in HANDLERS:
        return frozenset()
    return frozenset(opt.name.casefold() for opt in get_kind(kind_name).options if opt.secret)


def redacted_options(kind_name: str, options: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """`options` with every set secret replaced by PLACEHOLDER, and the keys replaced (in option order)."""
    secrets = secret_names(kind_name)
    shown: dict[str, Any] = {}
    hidden: list[str] = []
    for key, value in options.items():
        if key.casefold() == "url" and isinstance(value, str) and hidden_url(value) != value:
            shown[key] = hidden_url(value)
            hidden.append(key)
        elif key.casefold() in secrets and isinstance(value, dict):
            # A map of secrets (post headers): the names stay visible, each set value is hidden.
            shown[key] = {k: PLACEHOLDER if v not in (None, "") else v for k, v in value.items()}
            if any(v not in (None, "") for v in value.values()):
                hidden.append(key)
        elif key.casefold() in secrets and value not in (None, ""):
            shown[key] = PLACEHOLDER
            hidden.append(key)
        else:
            shown[key] = value
    return shown, hidden


def restore_secrets(
    kind_name: str, options: dict[str, Any], stored_kind: str, stored: dict[str, Any], handler: str
) -> dict[str, Any]:
    """`options` with each PLACEHOLDER secret replaced by the stored value; InvalidError when none is stored."""
    secrets = secret_names(kind_name)
    kept = secret_names(stored_kind)
    stored_by_name = {str(k).casefold(): v for k, v in stored.items()}
    out = dict(options)
    stored_url = stored_by_name.get("url")
    for key, value in options.items():
        folded = key.casefold()
        if folded == "url" and isinstance(stored_url, str) and value != stored_url and value == hidden_url(stored_url):
            out[key] = stored_url  # the answer's hidden URL sent back: keep the real one
            continue
        if folded not in secrets:
            continue
        if isinstance(value, dict):
            stored_map = stored_by_name.get(folded) if folded in kept else None
            stored_map = stored_map if isinstance(stored_map, dict) else {}
            restored = {}
            for name, item in value.items():
                if item == PLACEHOLDER:
                    item = stored_map.get(name)
                    if item in (None, "", PLACEHOLDER):
                        where = f"{key}.{name}"
                        raise InvalidError(NOTHING_STORED.format(key=where, placeholder=PLACEHOLDER, handler=handler))
                restored[name] = item
            out[key] = restored
            continue
        if value != PLACEHOLDER:
            continue
        real = stored_by_name.get(folded) if folded in kept else None
        if real in (None, "", PLACEHOLDER):
            raise InvalidError(NOTHING_STORED.format(key=key, placeholder=PLACEHOLDER, handler=handler))
        out[key] = real
    return out


def refuse_placeholders(kind_name: str, options: dict[str, Any], handler: str) -> None:
    """A new handler has no stored secret for a PLACEHOLDER to stand for: InvalidError."""
    restore_secrets(kind_name, options, kind_name, {}, handler)


def scrubber(config: Config, handlers: list[TopicHandler]) -> Callable[[str], str]:
    """Hide configured secrets and the handlers' own secret options (Option.secret) in a text."""
    own = sorted({value for h in handlers for value in _own_secrets(h)}, key=len, reverse=True)

    def scrub(text: str) -> str:
        text = redact(config, text)
        for value in own:
            text = text.replace(value, "***")
        return text

    return scrub


def _own_secrets(handler: TopicHandler) -> set[str]:
    """A handler's secret option values, and the values of the headers it sets (custom headers carry keys)."""
    found = {
        value
        for opt in handler.kind.options
        if opt.secret and isinstance(value := handler.options.get(opt.name), str) and value
    }
    headers = handler.options.get("headers")
    if isinstance(headers, dict):
        found |= {v for v in headers.values() if isinstance(v, str) and v}
    url = handler.options.get("url")
    if isinstance(url, str):
        found |= url_secrets(url)
    return found

"""API paths for resources the CLI knows only by ID (everything else follows the `link` hrefs it is given)."""

from __future__ import annotations

BASE = "/kapacitor/v1"
TOPICS = BASE + "/alerts/topics"
SERVICE_TESTS = BASE + "/service-tests"
LOG_LEVEL = BASE + "/loglevel"
DEBUG_VARS = BASE + "/debug/vars"
LOGS = BASE + "/logs"
STORAGE_BACKUP = BASE + "/storage/backup"
DELIVERIES = "/tocsin/v1/deliveries"


def topic(topic_id: str) -> str:
    """The path of one topic."""
    return f"{TOPICS}/{topic_id}"


def topic_handlers(topic_id: str) -> str:
    """The path of a topic's handler list (POST creates a handler there)."""
    return f"{TOPICS}/{topic_id}/handlers"


def topic_handler(topic_id: str, handler_id: str) -> str:
    """The path of one topic handler."""
    return f"{TOPICS}/{topic_id}/handlers/{handler_id}"


def delivery(delivery_id: int) -> str:
    """The path of one delivery in Tocsin's extension API."""
    return f"{DELIVERIES}/{delivery_id}"


def delivery_retry(delivery_id: int) -> str:
    """The path that re-queues a dead delivery."""
    return f"{DELIVERIES}/{delivery_id}/retry"


def href(obj: object, key: str, fallback: str) -> str:
    """The `href` of the link `obj[key]`, or `fallback` when the answer has no such link."""
    if isinstance(obj, dict):
        link = obj.get(key)
        if isinstance(link, dict) and isinstance(link.get("href"), str) and link["href"]:
            return str(link["href"])
    return fallback


SILENCES = "/tocsin/v1/silences"


def silence(silence_id: str) -> str:
    """The path of one silence in Tocsin's extension API."""
    return f"{SILENCES}/{silence_id}"

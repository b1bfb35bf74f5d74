"""What the elements of list sections ([[slack]], [[discord]], [[mqtt]], [[kafka]]) share: Kapacitor's rules
for a default and global workspace, and the TLS client fields of an element."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tocsin.config.schema import Field, FieldType

# Kapacitor's texts (services/slack/config.go, services/discord/config.go).
GLOBAL_NOT_DEFAULT = "only the default config may be assigned as global"
STATE_CHANGES_NOT_GLOBAL = "stateChangesOnly may only be assigned when the config is both default and global"

CA_HELP = "Path to a CA file."


def default_global_problem(values: Mapping[str, Any]) -> str | None:
    """Only the default element may be `global`, and only a default global one `state-changes-only`."""
    if values["global"] and not values["default"]:
        return GLOBAL_NOT_DEFAULT
    if values["state-changes-only"] and not (values["default"] and values["global"]):
        return STATE_CHANGES_NOT_GLOBAL
    return None


def tls_fields(ca_help: str = CA_HELP) -> tuple[Field, ...]:
    """`ssl-ca`, `ssl-cert`, `ssl-key` and `insecure-skip-verify`, in that order."""
    return (
        Field("ssl-ca", FieldType.STRING, help=ca_help),
        Field("ssl-cert", FieldType.STRING, help="Path to a client certificate file."),
        Field("ssl-key", FieldType.STRING, help="Path to the client certificate's key file."),
        Field("insecure-skip-verify", FieldType.BOOL, help="Use TLS but skip chain and host verification."),
    )

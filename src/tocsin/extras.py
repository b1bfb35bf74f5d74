"""The optional pip extras (`tocsin[kafka]`, `[mqtt]`, `[snmp]`, `[postgres]`; `[all]` has every one) and the
error that names the one a configuration needs when it is not installed."""

from __future__ import annotations

import functools
import importlib.util

# The extra -> the modules its libraries provide (pyproject.toml's optional-dependencies).
MODULES: dict[str, tuple[str, ...]] = {
    "kafka": ("aiokafka",),
    "mqtt": ("aiomqtt",),
    "snmp": ("pysnmp",),
    "postgres": ("asyncpg",),
}
NOT_INSTALLED = (
    '{what} needs the tocsin[{extra}] extra ({modules}), which is not installed: pip install "tocsin[{extra}]"'
)


@functools.cache
def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def missing(extra: str, what: str) -> str | None:
    """The error text when `extra` is not installed (None when it is); `what` names what needs it."""
    modules = MODULES[extra]
    if all(_installed(m) for m in modules):
        return None
    return NOT_INSTALLED.format(what=what, extra=extra, modules=", ".join(modules))

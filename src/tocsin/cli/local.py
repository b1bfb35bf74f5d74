"""Verbs that need no server: `version`, and `serve` / `config`, which hand over to other packages."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any

from tocsin import KAPACITOR_COMPAT_VERSION, __version__
from tocsin.cli.context import Context
from tocsin.cli.errors import CommandError
from tocsin.cli.output import print_json

UNAVAILABLE = "{verb} is unavailable: {reason}"


def load(verb: str, module: str, name: str) -> Callable[..., Any]:
    """Import `module.name` only when `verb` runs, so other verbs start without the server's imports."""
    try:
        found = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise CommandError(UNAVAILABLE.format(verb=verb, reason=exc)) from None
    if not callable(found):
        raise CommandError(UNAVAILABLE.format(verb=verb, reason=f"{module}.{name} is not callable"))
    return found  # type: ignore[no-any-return]


def version_text() -> str:
    """`Tocsin <version> (Kapacitor API <version>)`."""
    return f"Tocsin {__version__} (Kapacitor API {KAPACITOR_COMPAT_VERSION})"


def show_version(ctx: Context) -> int:
    """`version`."""
    if ctx.json_output:
        print_json(ctx.out, {"version": __version__, "kapacitorApiVersion": KAPACITOR_COMPAT_VERSION})
    else:
        ctx.write(version_text())
    return 0


def serve(args: Sequence[str]) -> int:
    """`serve [args...]`: run the server with its own argument parsing."""
    serve_main = load("serve", "tocsin.server.run", "serve_main")
    result = serve_main(list(args))
    return result if isinstance(result, int) else 0


def print_default_config(ctx: Context) -> int:
    """`config`: the default configuration file as TOML."""
    text = str(load("config", "tocsin.config.loader", "default_config_toml")())
    ctx.out.write(text if text.endswith("\n") else text + "\n")
    return 0

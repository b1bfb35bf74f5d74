"""`tocsin user add`: create a user in the store of a configuration, with no server running (the first admin
of a server with auth on, which refuses to start without one)."""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import Callable

from tocsin.cli.context import Context
from tocsin.cli.errors import CommandError, UsageError
from tocsin.cli.flags import FlagSet
from tocsin.errors import TocsinError

MISMATCH = "the passwords do not match"
NO_TTY = "no terminal to ask for the password: pipe it in with -password-stdin"


def user_flags() -> FlagSet:
    flags = FlagSet("user")
    flags.add("config", "", "kapacitor.conf of the server (else $KAPACITOR_CONFIG_PATH, else the defaults)")
    flags.add("type", "normal", "admin or normal", choices=("admin", "normal"))
    flags.add("permissions", "", "Comma-separated permissions of a normal user (api, config_api, write_points, all)")
    flags.add("password-stdin", False, "Read the password from the first line of standard input")
    return flags


def run_user(ctx: Context, args: list[str], ask: Callable[[str], str] = getpass.getpass) -> int:
    parsed = ctx.parse(user_flags(), args)
    words = parsed.positional
    if len(words) != 2 or words[0] != "add":
        raise UsageError("usage: tocsin user add [-config F] [-type admin|normal] [-password-stdin] NAME", "user")
    name = words[1]
    if parsed.boolean("password-stdin"):
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        if not sys.stdin.isatty():
            raise CommandError(NO_TTY)
        password = ask(f"Password for {name}: ")
        if ask("Again: ") != password:
            raise CommandError(MISMATCH)
    admin = parsed.string("type") == "admin"
    permissions = [p.strip() for p in parsed.string("permissions").split(",") if p.strip()]
    path = parsed.string("config") or ctx.env.get("KAPACITOR_CONFIG_PATH") or None
    try:
        asyncio.run(_add(path, dict(ctx.env), name, password, admin, permissions))
    except (TocsinError, ValueError) as exc:
        raise CommandError(str(exc)) from None
    ctx.write(f"created {'admin' if admin else 'user'} {name}")
    return 0


async def _add(
    path: str | None, environ: dict[str, str], name: str, password: str, admin: bool, permissions: list[str]
) -> None:
    # Imported here: the other verbs never need the store.
    from tocsin.auth.bootstrap import add_user
    from tocsin.auth.directory import UserDirectory
    from tocsin.config.loader import load_file
    from tocsin.store.factory import configured_store

    store = configured_store(load_file(path, environ=environ).values)
    await store.open()
    try:
        await add_user(UserDirectory(store), name, password, admin, permissions)
    finally:
        await store.close()

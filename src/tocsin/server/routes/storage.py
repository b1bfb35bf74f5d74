"""`GET /kapacitor/v1/storage/backup`: a consistent copy of the store, for `tocsin backup` (admins only).

The copy holds every secret Tocsin keeps (config overrides, users' password hashes): with auth on only an
admin may take it. It is written to a private file in the data dir, streamed, and removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid

from aiohttp import web

from tocsin.engine.errors import ForbiddenError
from tocsin.server.auth import AUTH_USER
from tocsin.server.keys import ENGINE

NOT_ADMIN = "user {name} is not an admin: only admins may take a backup of the store"
CHUNK = 1 << 16


async def backup(request: web.Request) -> web.StreamResponse:
    caller = request.get(AUTH_USER)
    if caller is not None and not caller.admin:
        raise ForbiddenError(NOT_ADMIN.format(name=caller.name))
    engine = request.app[ENGINE]
    path = os.path.join(engine.config.data_dir, f".backup-{uuid.uuid4().hex}.db")
    try:
        await engine.backup(path)
        size = (await asyncio.to_thread(os.stat, path)).st_size
        response = web.StreamResponse(
            headers={
                "Content-Type": "application/octet-stream",
                "Content-Disposition": 'attachment; filename="tocsin.db"',
                "Content-Length": str(size),
            }
        )
        await response.prepare(request)
        copy = await asyncio.to_thread(open, path, "rb")
        try:
            while chunk := await asyncio.to_thread(copy.read, CHUNK):
                await response.write(chunk)
        finally:
            copy.close()
        await response.write_eof()
        return response
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def add(router: web.UrlDispatcher, prefix: str) -> None:
    router.add_get(prefix + "/storage/backup", backup)

"""A webhook sink that fails a share of requests at random and records the alerts it accepted.

`python tests/e2e/flaky_sink.py PORT FAIL_RATIO RECORD_FILE`: each accepted Kapacitor alert JSON is appended
to RECORD_FILE as one line `<alert id> <message>`, flushed before the 200 is sent, so the file lists exactly
what the peer confirmed.
"""

from __future__ import annotations

import asyncio
import json
import random
import signal
import sys
from typing import TextIO

from aiohttp import web


async def main(port: int, fail_ratio: float, out: TextIO) -> None:
    rng = random.Random(port)

    async def hook(request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        if rng.random() < fail_ratio:
            return web.Response(status=500, text="flaky sink: failing on purpose")
        out.write(f"{body['id']} {body['message']}\n")
        out.flush()
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port, reuse_address=True).start()
    print("listening", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await runner.cleanup()


if __name__ == "__main__":
    with open(sys.argv[3], "a", encoding="utf-8") as record:
        asyncio.run(main(int(sys.argv[1]), float(sys.argv[2]), record))

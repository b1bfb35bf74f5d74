"""A Tocsin server on its own event loop thread, called synchronously (hypothesis drives it), and the checks the
API fuzz tests share: every rejection is a 4xx with a JSON message, and inputs are counted per property.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from hypothesis import strategies as st

from tests.support.client import Client
from tocsin.config.loader import load_text
from tocsin.server.app import build_app
from tocsin.store.sqlite import SqliteStore
from tocsin.wiring import assemble

RAN: dict[str, int] = {}  # inputs each property saw (reported by the wrappers' asserts)

scalars = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=20)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


class Live:
    """A server on a background event loop, called synchronously."""

    def __init__(self, data_dir: Path, conf: str = "") -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.client: Client = self.run(self._start(data_dir, conf))

    def run(self, coro: Any) -> Any:
        """Run a coroutine on the server's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=60)

    async def _start(self, data_dir: Path, conf: str) -> Client:
        policy = '[exec]\nallowed-commands = ["/bin/true"]\n[log]\nallowed-dirs = ["/dev"]\n'
        text = f'data_dir = "{data_dir}"\nhostname = "localhost"\n{policy}{conf}'
        self.engine = assemble(load_text(text, "f.conf", environ={}), SqliteStore(str(data_dir / "tocsin.db")))
        await self.engine.start()
        client = TestClient(TestServer(build_app(self.engine)))
        await client.start_server()
        return client

    def call(
        self,
        method: str,
        path: str,
        body: str | bytes | None = None,
        params: Mapping[str, str] | list[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, str]:
        """(status, body text) of one request."""

        async def go() -> tuple[int, str]:
            resp = await self.client.request(method, path, data=body, params=params, headers=headers)
            return resp.status, await resp.text()

        result: tuple[int, str] = self.run(go())
        return result

    def stop(self) -> None:
        """Close the client and the engine, then the loop."""

        async def go() -> None:
            await self.client.close()
            await self.engine.stop(0.1)

        self.run(go())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def count(name: str) -> None:
    """Count one input of the property `name`."""
    RAN[name] = RAN.get(name, 0) + 1


def rejected_cleanly(name: str, status: int, text: str, accepted: tuple[int, ...]) -> bool:
    """Count the input; a rejection must be a 4xx whose JSON body says why."""
    count(name)
    assert status < 500, text
    if status in accepted:
        return False
    assert 400 <= status < 500, (status, text)
    body = json.loads(text)
    assert isinstance(body["error"], str) and body["error"] and body["message"] == body["error"]
    return True


def snapshot(live: Live, path: str, params: Mapping[str, str] | list[tuple[str, str]] | None = None) -> str:
    """The body of a GET that must answer 200."""
    status, text = live.call("GET", path, params=params)
    assert status == 200, text
    return text

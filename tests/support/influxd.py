"""influxd (Debian's `influxdb`, installed by scripts/peers/influxdb.sh) on free loopback ports, for the tests.

Each instance keeps its meta, data and WAL under its own directory and stops with the test.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server import free_port


class Influxd:
    """influxd on free loopback ports, everything under `workdir`."""

    def __init__(self, workdir: Path, http: str = "", scheme: str = "http") -> None:
        """`http`: more lines of influxd's [http] section (auth, a shared secret, HTTPS), for `scheme` URLs."""
        workdir.mkdir(parents=True, exist_ok=True)
        self.http_port = free_port()
        self.url = f"{scheme}://127.0.0.1:{self.http_port}"
        self.ready_url = f"http://127.0.0.1:{self.http_port}/ping" if scheme == "http" else ""
        config = workdir / "influxdb.conf"
        config.write_text(
            "reporting-disabled = true\n"
            f'bind-address = "127.0.0.1:{free_port()}"\n'
            f'[meta]\n  dir = "{workdir / "meta"}"\n'
            f'[data]\n  dir = "{workdir / "data"}"\n  wal-dir = "{workdir / "wal"}"\n'
            "  query-log-enabled = false\n"
            "[monitor]\n  store-enabled = false\n"
            "[subscriber]\n  enabled = true\n"
            f'[http]\n  bind-address = "127.0.0.1:{self.http_port}"\n  log-enabled = false\n{http}'
        )
        self.log = workdir / "influxd.log"
        self.config = config
        self.start()

    def start(self) -> None:
        """Start influxd (again, after `stop`: same ports and data) and wait until it answers /ping."""
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(["/usr/bin/influxd", "-config", str(self.config)], stdout=log, stderr=log)
        deadline = time.monotonic() + 20
        while True:
            if self._answers():
                return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"influxd did not start:\n{self.log.read_text()}")
            time.sleep(0.1)

    def _answers(self) -> bool:
        if not self.ready_url:  # HTTPS: listening is enough (the tests bring their own client and CA)
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.http_port), timeout=0.2):
                return True
            return False
        try:
            with urllib.request.urlopen(self.ready_url, timeout=1) as r:
                return bool(r.status == 204)
        except OSError:
            return False

    def query(self, q: str) -> dict[str, object]:
        data = urllib.parse.urlencode({"q": q}).encode()
        with urllib.request.urlopen(urllib.request.Request(self.url + "/query", data=data), timeout=10) as r:
            result: dict[str, object] = json.loads(r.read())
        assert all("error" not in r for r in result.get("results", [])), result  # type: ignore[attr-defined]
        return result

    def write(self, db: str, lines: str) -> None:
        req = urllib.request.Request(f"{self.url}/write?db={db}", data=lines.encode(), method="POST")
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 204

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)


@pytest.fixture
def influxd(tmp_path: Path) -> Iterator[Influxd]:
    """A fresh influxd for one test."""
    server = Influxd(tmp_path / "influxdb")
    yield server
    server.stop()

"""A real `tocsin serve` process for end-to-end tests: start, wait for ping, kill, restart."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    """`python -m tocsin serve -config <file>` with stderr captured to a log file in `workdir`."""

    def __init__(self, workdir: Path, extra_config: str = "", port: int | None = None) -> None:
        self.workdir = workdir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = workdir / "kapacitor.conf"
        self.log = workdir / "server.log"
        self.config.write_text(
            f'data_dir = "{workdir / "data"}"\n'
            f'hostname = "localhost"\n'
            f"{extra_config}\n"
            f'[http]\nbind-address = "127.0.0.1:{self.port}"\nlog-enabled = false\n'
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10.0) -> ServerProcess:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for key in list(env):
            if key.startswith(("KAPACITOR_", "TOCSIN_")):
                del env[key]
        log = open(self.log, "ab")  # noqa: SIM115 - owned by the child process
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tocsin", "serve", "-config", str(self.config)],
            stdout=log,
            stderr=log,
            env=env,
            cwd=self.workdir,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"tocsin serve exited with {self.proc.returncode}:\n{self.log.read_text()}")
            with contextlib.suppress(OSError), urllib.request.urlopen(self.url + "/kapacitor/v1/ping", timeout=1) as r:
                if r.status == 204:
                    return self
            time.sleep(0.05)
        raise RuntimeError(f"tocsin serve did not answer ping within {timeout}s:\n{self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> int:
        """SIGTERM and wait for a graceful exit; returns the exit code."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(30)
        return self.proc.returncode

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                raw = r.read()
                return r.status, (json.loads(raw) if raw.strip() else None)
        except urllib.error.HTTPError as e:
            raw = e.read()
            return e.code, (json.loads(raw) if raw.strip() else None)

"""The CLI authenticates: Kapacitor's `-url http://user:password@host` form and a bearer token from
TOCSIN_TOKEN; the password never appears in what it prints."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.security.test_bind import serve, stop, wait_listening
from tests.support.server import free_port
from tocsin.auth.tokens import sign

SECRET = "cli-shared-secret"


def tocsin(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KAPACITOR_", "TOCSIN_"))}
    return subprocess.run(
        [sys.executable, "-m", "tocsin", *args],
        capture_output=True,
        text=True,
        env={**clean, **(env or {})},
        timeout=60,
    )


def test_the_cli_signs_in_with_userinfo_or_a_token(tmp_path: Path) -> None:
    port = free_port()
    conf = (
        f'[http]\nbind-address = "127.0.0.1:{port}"\nauth-enabled = true\nshared-secret = "{SECRET}"\n'
        'admin-user = "root"\nadmin-password = "s3cret-pw"\n'
    )
    proc = serve(tmp_path, conf)
    try:
        wait_listening(port, proc)
        base = f"127.0.0.1:{port}"
        ok = tocsin("-url", f"http://root:s3cret-pw@{base}", "list", "topics")
        assert (ok.returncode, ok.stderr) == (0, "")
        assert ok.stdout.split() == ["ID", "Level", "Collected"]
        bad = tocsin("-url", f"http://root:wrong-pw-123@{base}", "list", "topics")
        assert (bad.returncode, bad.stderr) == (3, "Error: authorization failed\n")
        none = tocsin("-url", f"http://{base}", "list", "topics")
        assert (none.returncode, none.stderr) == (3, "Error: unable to parse authentication credentials\n")
        token = sign({"username": "root", "exp": time.time() + 600}, SECRET, "HS256")
        with_token = tocsin("-url", f"http://{base}", "list", "topics", env={"TOCSIN_TOKEN": token})
        assert with_token.returncode == 0
        down = tocsin("-url", f"http://root:s3cret-pw@127.0.0.1:{free_port()}", "list", "topics")
        assert down.returncode != 0 and "s3cret-pw" not in down.stderr + down.stdout
    finally:
        stop(proc)

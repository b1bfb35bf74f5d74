"""Auth on and no users: the server says how to create the first admin, `tocsin user add` does, and the store
it writes is readable by the server's user only."""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from tests.security.test_bind import serve, stop, wait_listening
from tests.support.server import free_port
from tocsin.auth.bootstrap import NO_USERS


def tocsin(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAPACITOR_", "TOCSIN_"))}
    return subprocess.run(
        [sys.executable, "-m", "tocsin", *args], input=stdin, capture_output=True, text=True, env=env, timeout=60
    )


def status(url: str, auth: tuple[str, str] | None = None) -> int:
    request = urllib.request.Request(url)
    if auth is not None:
        request.add_header("Authorization", "Basic " + base64.b64encode(":".join(auth).encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=5) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_first_start_with_auth_and_no_user_says_how_then_user_add_opens_the_door(tmp_path: Path) -> None:
    port = free_port()
    conf = f'[http]\nbind-address = "127.0.0.1:{port}"\nauth-enabled = true\n'
    proc = serve(tmp_path, conf)
    _, err = proc.communicate(timeout=30)
    assert (proc.returncode, err.decode()) == (1, f"Error: {NO_USERS}\n")
    assert "tocsin user add" in NO_USERS

    config = str(tmp_path / "kapacitor.conf")
    added = tocsin("user", "add", "-config", config, "-type", "admin", "-password-stdin", "root", stdin="pw-1\n")
    assert (added.returncode, added.stdout, added.stderr) == (0, "created admin root\n", "")
    again = tocsin("user", "add", "-config", config, "-password-stdin", "root", stdin="pw-2\n")
    assert (again.returncode, again.stderr) == (3, 'Error: user "root" already exists\n')
    no_tty = tocsin("user", "add", "-config", config, "other")
    assert (no_tty.returncode, no_tty.stderr) == (
        3,
        "Error: no terminal to ask for the password: pipe it in with -password-stdin\n",
    )

    data = tmp_path / "data"
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "tocsin.db").stat().st_mode) == 0o600

    proc = serve(tmp_path, conf)
    try:
        wait_listening(port, proc)
        base = f"http://127.0.0.1:{port}/kapacitor/v1/alerts/topics"
        assert [status(base), status(base, ("root", "wrong")), status(base, ("root", "pw-1"))] == [401, 401, 200]
    finally:
        stop(proc)

"""Where `tocsin serve` listens: loopback by default; a remote bind without auth refuses to start."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.server import free_port
from tocsin.config.loader import load_text
from tocsin.errors import ConfigError
from tocsin.server.bind import DEFAULT_BIND, REMOTE_WITHOUT_AUTH, Bind, check_exposure, parse_bind

LISTEN = "0A"


def listeners(port: int) -> set[str]:
    """The local addresses listening on `port`, read from /proc/net/tcp and tcp6 (what `ss -ltn` shows)."""
    found = set()
    for table, size in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        if not os.path.exists(table):
            continue
        with open(table) as fh:
            next(fh)
            for line in fh:
                local, state = line.split()[1], line.split()[3]
                host, _, hex_port = local.partition(":")
                if state != LISTEN or int(hex_port, 16) != port:
                    continue
                raw = bytes.fromhex(host)
                # /proc prints each 32-bit word in host (little-endian) order.
                packed = b"".join(raw[i : i + 4][::-1] for i in range(0, size, 4))
                found.add(str(ipaddress.ip_address(packed)))
    return found


def serve(tmp_path: Path, conf: str) -> subprocess.Popen[bytes]:
    config = tmp_path / "kapacitor.conf"
    config.write_text(f'data_dir = "{tmp_path / "data"}"\n{conf}')
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAPACITOR_", "TOCSIN_"))}
    return subprocess.Popen(
        [sys.executable, "-m", "tocsin", "serve", "-config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def wait_listening(port: int, proc: subprocess.Popen[bytes]) -> set[str]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        found = listeners(port)
        if found:
            time.sleep(0.2)  # both sites start one after the other
            return listeners(port)
        assert proc.poll() is None, proc.communicate()[1].decode()
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}")


def stop(proc: subprocess.Popen[bytes]) -> str:
    proc.terminate()
    _, err = proc.communicate(timeout=15)
    return err.decode()


def test_the_default_bind_is_localhost() -> None:
    cfg = load_text("", "t.conf", environ={})
    assert cfg.values["http"][0]["bind-address"] == DEFAULT_BIND == "localhost:9092"
    assert parse_bind(DEFAULT_BIND).loopback_only


def test_localhost_listens_on_both_loopback_addresses_only(tmp_path: Path) -> None:
    port = free_port()
    proc = serve(tmp_path, f'[http]\nbind-address = "localhost:{port}"\n')
    try:
        found = wait_listening(port, proc)
    finally:
        stop(proc)
    assert found in ({"127.0.0.1", "::1"}, {"127.0.0.1"})  # ::1 when the machine has IPv6
    assert found == set(parse_bind(f"localhost:{port}").hosts)


@pytest.mark.parametrize("address", [":{port}", "0.0.0.0:{port}", "[::]:{port}"])
def test_a_remote_bind_without_auth_refuses_to_start(tmp_path: Path, address: str) -> None:
    port = free_port()
    bind = address.format(port=port)
    proc = serve(tmp_path, f'[http]\nbind-address = "{bind}"\n')
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 1
    assert err.decode() == "Error: " + REMOTE_WITHOUT_AUTH.format(address=bind, port=port) + "\n"
    assert listeners(port) == set()


def test_allow_unauthenticated_remote_starts_with_a_warning(tmp_path: Path) -> None:
    port = free_port()
    proc = serve(tmp_path, f'[http]\nbind-address = ":{port}"\nallow-unauthenticated-remote = true\n')
    try:
        assert wait_listening(port, proc) & {"0.0.0.0", "::"}
    finally:
        err = stop(proc)
    assert "[http] allow-unauthenticated-remote is true" in err


def test_a_remote_bind_with_auth_starts(tmp_path: Path) -> None:
    port = free_port()
    conf = f'[http]\nbind-address = ":{port}"\nauth-enabled = true\nadmin-user = "root"\nadmin-password = "pw-1"\n'
    proc = serve(tmp_path, conf)
    try:
        assert wait_listening(port, proc) & {"0.0.0.0", "::"}
    finally:
        err = stop(proc)
    assert "allow-unauthenticated-remote" not in err


@pytest.mark.parametrize(
    ("address", "hosts"),
    [(":9092", (None,)), ("127.0.0.1:1", ("127.0.0.1",)), ("[::1]:1", ("::1",)), ("10.0.0.1:1", ("10.0.0.1",))],
)
def test_parse_bind(address: str, hosts: tuple[str | None, ...]) -> None:
    assert parse_bind(address).hosts == hosts


def test_check_exposure() -> None:
    remote, local = Bind((None,), 9092, ":9092"), Bind(("127.0.0.1",), 9092, "127.0.0.1:9092")
    assert check_exposure(local, auth_enabled=False, accept_risk=False) is None
    assert check_exposure(remote, auth_enabled=True, accept_risk=False) is None
    with pytest.raises(ConfigError, match="enable auth"):
        check_exposure(remote, auth_enabled=False, accept_risk=False)
    assert check_exposure(remote, auth_enabled=False, accept_risk=True) == (
        '[http] allow-unauthenticated-remote is true: the API on ":9092" has no authentication and anyone who '
        "can reach it can run what the allow-lists permit"
    )

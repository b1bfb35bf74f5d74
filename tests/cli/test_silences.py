"""`tocsin silence` against a real `tocsin serve`: add, query (table and -json, filters, -expired), expire, import."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.server import ServerProcess
from tocsin.cli.errors import EXIT_COMMAND


@pytest.fixture
def server(serve_process: ServerProcess) -> ServerProcess:
    return serve_process


def cli(server: ServerProcess, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tocsin", "-url", server.url, "silence", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_add_query_expire(server: ServerProcess) -> None:
    added = cli(
        server, "add", "-duration", "2h", "-author", "ann", "-comment", "patching", "host=db3", 'alertname=~"disk.*"'
    )
    assert (added.returncode, added.stderr) == (0, "")
    silence_id = added.stdout.strip()
    other = cli(server, "add", "-author", "bob", "team!=ops", "host=web1").stdout.strip()
    table = cli(server, "query").stdout.splitlines()
    assert table[0].split() == ["ID", "Matchers", "State", "Ends", "At", "Created", "By", "Comment"]
    assert sorted(line.split()[0] for line in table[1:]) == sorted([silence_id, other])
    mine = next(line for line in table if line.startswith(silence_id))
    assert 'host="db3" alertname=~"disk.*"  active' in mine and mine.endswith("ann         patching")
    listed = json.loads(cli(server, "-json", "query", "host=db3").stdout)
    assert [(s["id"], s["comment"]) for s in listed] == [(silence_id, "patching")]
    assert cli(server, "expire", silence_id).stdout == f"Silence {silence_id} expired\n"
    assert [s["id"] for s in json.loads(cli(server, "-json", "query").stdout)] == [other]
    expired = json.loads(cli(server, "-json", "query", "-expired").stdout)
    assert sorted((s["id"], s["status"]["state"]) for s in expired) == sorted(
        [(silence_id, "expired"), (other, "active")]
    )


def test_import_creates_the_live_silences_of_an_export(server: ServerProcess) -> None:
    cli(server, "add", "-comment", "keep", "host=db3")
    gone = cli(server, "add", "-comment", "gone", "host=db4").stdout.strip()
    cli(server, "expire", gone)
    exported = cli(server, "-json", "query", "-expired").stdout
    imported = cli(server, "import", stdin=exported)
    assert (imported.returncode, len(imported.stdout.split())) == (0, 1)  # the expired one is not brought back
    comments = sorted(s["comment"] for s in json.loads(cli(server, "-json", "query").stdout))
    assert comments == ["keep", "keep"]


def test_bad_input_is_a_usage_error_naming_it(server: ServerProcess) -> None:
    bad = cli(server, "add", "nothing")
    assert bad.returncode == 2
    assert bad.stderr.startswith(
        'Error: filter "nothing": expected name=value, name!=value, name=~regex or name!~regex'
    )
    assert cli(server, "add", "-duration", "-1h", "host=a").stderr.startswith(
        'Error: invalid value "-1h" for flag -duration: must be a positive duration (1h, 30m)'
    )
    missing = cli(server, "expire", "nope")
    assert (missing.returncode, missing.stderr) == (EXIT_COMMAND, 'Error: unknown silence: "nope"\n')

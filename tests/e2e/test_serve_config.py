"""`tocsin serve` with a bad configuration, and `tocsin config`."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tocsin", *args], capture_output=True, text=True, cwd=cwd, timeout=30)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            '[delivery]\nmax-attempts = "abc"\n',
            'kapacitor.conf:2: [delivery] max-attempts: cannot convert string "abc" into int',
        ),
        ("[http]\nbind-address = \n", "kapacitor.conf:2"),
        ("[[slack]]\nenabled = true\n", "must specify url"),
        ('[delivery]\ntimeout = "soon"\n', "[delivery] timeout"),
    ],
    ids=["type", "syntax", "validation", "duration"],
)
def test_bad_config_is_one_clear_line_and_exit_1(tmp_path: Path, text: str, error: str) -> None:
    (tmp_path / "kapacitor.conf").write_text(text)
    done = run("serve", "-config", "kapacitor.conf", cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and error in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def test_unknown_sections_are_ignored_not_fatal(tmp_path: Path) -> None:
    from tocsin.config.loader import load_text

    text = '[udf]\n[replay]\ndir = "/x"\n[[influxdb]]\nname = "db1"\nurls = ["http://x"]\n'
    base = load_text(text, "kapacitor.conf", environ={})
    assert base.ignored == ["udf", "replay"]
    assert [(e["name"], e["enabled"], e["urls"]) for e in base.values["influxdb"]] == [("db1", True, ["http://x"])]


def test_config_prints_the_full_default_configuration(tmp_path: Path) -> None:
    done = run("config", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    parsed = tomllib.loads(done.stdout)
    assert parsed["http"]["bind-address"] == "localhost:9092"
    assert parsed["data_dir"] == "./tocsin-data"
    assert parsed["delivery"]["max-attempts"] == 10
    assert parsed["httppost"][0]["endpoint"] == "example"
    assert "# " in done.stdout

"""Files the server writes are readable by its own user (and the log by its group) only, whatever the umask."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

from tests.transports.test_file import no_umask
from tocsin.logs import MAX_LINE, LogfmtFormatter, configure
from tocsin.store.sqlite import SqliteStore


async def test_the_store_is_0600_in_a_0700_directory(tmp_path: Path, no_umask: None) -> None:
    store = SqliteStore(str(tmp_path / "data" / "tocsin.db"))
    await store.open()
    await store.close()
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "data").iterdir()}
    assert modes["tocsin.db"] == 0o600 and all(m == 0o600 for m in modes.values()), modes


def test_the_log_file_is_0640(tmp_path: Path, no_umask: None) -> None:
    path = tmp_path / "tocsin.log"
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        configure("INFO", str(path))
        logging.getLogger("t").info("hello")
    finally:
        for handler in list(root.handlers):
            handler.close()
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert "msg=hello" in path.read_text()


def test_huge_log_lines_are_cut() -> None:
    record = logging.LogRecord("t", logging.ERROR, "f", 1, "x" * (10 * MAX_LINE), None, None)
    line = LogfmtFormatter().format(record)
    assert len(line) < 2 * MAX_LINE and "characters cut" in line


__all__ = ["no_umask"]  # the fixture, shared with the file transport's tests

"""The files of a `|sideload()` source: its `file://` URL, the `[sideload] allowed-dirs` check, and the read.

Every `.yml`/`.yaml`/`.json` file below the directory is read, keyed by its path relative to the directory, as
Kapacitor's sideload service does (services/sideload/service.go); values keep the types Go's JSON decoding gives
them (every number a float64). Tocsin's limits: the directory must be inside `[sideload] allowed-dirs` (symlinks
resolved), a symlinked file is read only when its target is inside an allowed directory, FIFOs and devices are
skipped, and a source holds at most MAX_FILES files of at most MAX_FILE_BYTES each (YAML values are budgeted as in
handler files).
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from tocsin.config.allowlists import SIDELOAD_DISABLED, allowed_patterns, path_matches, with_resolved
from tocsin.errors import ParseError
from tocsin.gocompat.quoting import go_quote
from tocsin.gocompat.urlpath import go_clean, url_parse_problem
from tocsin.handler_files import decode_document, json_kind, jsonable
from tocsin.handlers.base import ConfigView

# Kapacitor's texts (services/sideload/service.go).
ERR_SCHEME = "unsupported source scheme {scheme}, must be 'file'"
ERR_NOT_ABSOLUTE = "sideload source path must be absolute {path}"
ERR_UPDATE = "failed to update sideload cache for source file {dir}: {error}"
ERR_OPEN = "failed to open values file {path}: {error}"
ERR_READ = "failed to read values file {path}: {error}"
ERR_UNMARSHAL = "failed to unmarshal {format} values {path}: {error}"
# Tocsin's own.
ERR_HTTP = "sideload source scheme {scheme} is not supported by Tocsin: only file:// sources are"
ERR_HOST = "sideload source {url} names host {host}: write file:///path (an absolute path, no host)"
DIR_NOT_ALLOWED = 'sideload source "{path}" is not inside a directory of [sideload] allowed-dirs'
NOT_A_DIR = "not a directory"
LINK_OUTSIDE = "a symlink to a file outside [sideload] allowed-dirs"
TOO_MANY_FILES = "more than {limit} values files (Tocsin's limit)"
TOO_MANY_ENTRIES = "more than {limit} files and directories to walk (Tocsin's limit)"
FILE_TOO_LARGE = "larger than {limit} bytes (Tocsin's limit)"
OUT_OF_RANGE = "number {value} is out of range of float64"

MAX_FILES = 10_000
MAX_ENTRIES = 100_000
MAX_FILE_BYTES = 1024 * 1024
FORMATS = {".yml": "yaml", ".yaml": "yaml", ".json": "json"}

Values = dict[str, Any]  # one file's top-level keys
Cache = dict[str, Values]  # path relative to the source directory -> its values


class SourceError(Exception):
    """A source directory could not be read (the message names the directory and the file)."""


class Nested:
    """A value a file holds below a key that no field or tag can take: only its Go type is kept."""

    __slots__ = ("go_type",)

    def __init__(self, go_type: str) -> None:
        self.go_type = go_type


def source_dir(url: str) -> str:
    """The directory a `.source()` URL names (cleaned), or SourceError with Kapacitor's text."""
    problem = url_parse_problem(url)
    if problem:
        raise SourceError(problem)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        raise SourceError(ERR_HTTP.format(scheme=go_quote(scheme)))
    if scheme != "file":
        raise SourceError(ERR_SCHEME.format(scheme=go_quote(scheme)))
    # Go ignores the host of a file URL: file://etc/x would read /x, which nobody means.
    if parts.netloc not in ("", "localhost"):
        raise SourceError(ERR_HOST.format(url=go_quote(url), host=go_quote(parts.netloc)))
    path = unquote(parts.path)
    if not path.startswith("/"):
        raise SourceError(ERR_NOT_ABSOLUTE.format(path=go_quote(path)))
    return go_clean(path)


def dir_problem(path: str, config: ConfigView) -> str | None:
    """Why a source may not read `path`, or None when `[sideload] allowed-dirs` holds it (symlinks resolved)."""
    patterns = _allowed_patterns(config)
    if not patterns:
        return SIDELOAD_DISABLED
    for candidate in (PurePosixPath(path), PurePosixPath(os.path.realpath(path))):
        if not _allowed(candidate, patterns):
            return DIR_NOT_ALLOWED.format(path=path)
    return None


def _allowed_patterns(config: ConfigView) -> list[str]:
    # The resolved forms too, as for log files: an allowed /tmp that is a link to /private/tmp allows both.
    return with_resolved(allowed_patterns(config, "sideload", "allowed-dirs"))


def _allowed(directory: PurePosixPath, patterns: list[str]) -> bool:
    return path_matches(directory, patterns) or any(path_matches(parent, patterns) for parent in directory.parents)


def read_source(directory: str, config: ConfigView) -> Cache:
    """Every values file below `directory`, by relative path; SourceError naming what failed."""
    problem = dir_problem(directory, config)
    if problem:
        raise SourceError(problem)
    try:
        return _walk(directory, _allowed_patterns(config))
    except SourceError as exc:
        raise SourceError(ERR_UPDATE.format(dir=go_quote(directory), error=exc)) from None


def _walk(directory: str, patterns: list[str]) -> Cache:
    real = os.path.realpath(directory)
    try:
        if not stat.S_ISDIR(os.stat(real).st_mode):
            raise SourceError(NOT_A_DIR)
    except OSError as exc:
        raise SourceError(f"lstat {directory}: {_reason(exc)}") from None
    cache: Cache = {}
    entries = 0

    def failed(exc: OSError) -> None:
        raise SourceError(f"lstat {exc.filename}: {_reason(exc)}")

    # os.walk does not descend into symlinked directories, as Go's filepath.Walk does not.
    for root, dirs, files in os.walk(real, onerror=failed):
        dirs.sort()
        entries += len(dirs) + len(files)
        if entries > MAX_ENTRIES:
            raise SourceError(TOO_MANY_ENTRIES.format(limit=MAX_ENTRIES))
        for name in sorted(files):
            fmt = FORMATS.get(posixpath.splitext(name)[1])
            if fmt is None:  # Kapacitor keeps an empty set of values for other files: the same as none
                continue
            if len(cache) >= MAX_FILES:
                raise SourceError(TOO_MANY_FILES.format(limit=MAX_FILES))
            path = posixpath.join(root, name)
            rel = posixpath.relpath(path, real)
            shown = posixpath.join(directory, rel)
            values = _read_file(path, shown, fmt, patterns)
            if values is not None:
                cache[rel] = values
    return cache


def _read_file(path: str, shown: str, fmt: str, patterns: list[str]) -> Values | None:
    """A file's values; None for what is not a regular file (opening a FIFO or a device may block or act)."""
    try:
        if os.path.islink(path):
            path = os.path.realpath(path)
            if not _allowed(PurePosixPath(path).parent, patterns):
                raise SourceError(ERR_OPEN.format(path=go_quote(shown), error=LINK_OUTSIDE))
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise SourceError(ERR_OPEN.format(path=go_quote(shown), error=_reason(exc))) from None
    try:
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced since the check above
                return None
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise SourceError(ERR_READ.format(path=go_quote(shown), error=_reason(exc))) from None
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(ERR_READ.format(path=go_quote(shown), error=FILE_TOO_LARGE.format(limit=MAX_FILE_BYTES)))
    try:
        return _values(data.decode("utf-8", "replace"), shown)
    except ParseError as exc:
        raise SourceError(
            ERR_UNMARSHAL.format(format=fmt, path=go_quote(shown), error=_parse_reason(exc, shown))
        ) from None


def _values(text: str, path: str) -> Values:
    # Decoded as handler files are: Go's YAML-to-JSON rules and the same node and depth budgets.
    raw = jsonable(decode_document(text, path), path)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        kind = "bool" if isinstance(raw, bool) else json_kind(raw)
        raise ParseError(f"json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}")
    return {key: _go_value(value) for key, value in raw.items()}


def _go_value(value: Any) -> Any:
    """A decoded value as Go's json.Unmarshal into interface{} holds it: every number is a float64."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, float)):
        return value
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:
            raise ParseError(OUT_OF_RANGE.format(value=value)) from None
    return Nested("map[string]interface {}" if isinstance(value, dict) else "[]interface {}")


def _reason(exc: OSError) -> str:
    text = exc.strerror or str(exc)
    return text[:1].lower() + text[1:]  # Go's syscall texts are lower case


def _parse_reason(exc: ParseError, path: str) -> str:
    # The budgets' texts are the handler files' ones.
    text = str(exc).removeprefix(f"{path}:").strip().replace("the handler file", "the file")
    if exc.line:
        text = f"line {exc.line}, column {exc.column}: " + text.removeprefix(f"{exc.line}:{exc.column}:").strip()
    return text


def lookup(cache: Cache, order: Iterable[str], key: str) -> Any:
    """The value of `key` in the first file of `order` that has it (None when it is null or nowhere)."""
    key = go_clean(key)
    for path in order:
        values = cache.get(path)
        if values is not None and key in values:
            return values[key]
    return None

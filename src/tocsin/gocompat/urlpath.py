"""Go's URL paths as Kapacitor's services build and check them: path.Clean and path.Join, `u.Path =
path.Join(u.Path, ...)` written back as `u.String()`, and the common refusals of `url.Parse`."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from tocsin.gocompat.quoting import go_quote

# Bytes Go's url.URL.EscapedPath leaves as they are, besides letters, digits and `-_.~`.
GO_PATH_SAFE = "$&+,/:;=@"

# net/url's parse errors.
CONTROL_CHARACTER = "net/url: invalid control character in URL"
MISSING_SCHEME = "missing protocol scheme"
COLON_IN_FIRST_SEGMENT = "first path segment in URL cannot contain colon"
INVALID_PORT = "invalid port {port} after host"
INVALID_ESCAPE = "invalid URL escape {escape}"
MISSING_BRACKET = "missing ']' in host"

_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})(.{0,2})", re.DOTALL)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def go_clean(path: str) -> str:
    """Go's path.Clean: one slash between elements, `.` dropped, `..` applied, "." for an empty result."""
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part != "..":
            parts.append(part)
        elif parts and parts[-1] != "..":
            parts.pop()
        elif not rooted:
            parts.append(part)
    cleaned = "/".join(parts)
    return "/" + cleaned if rooted else cleaned or "."


def go_join(*elements: str) -> str:
    """Go's path.Join: empty elements skipped, the result cleaned; "" when every element is empty."""
    present = [e for e in elements if e]
    return go_clean("/".join(present)) if present else ""


def join_url_path(url: str, *elements: str) -> str:
    """`u.Path = path.Join(u.Path, elements...)` on Go's parsed `url`, written back as `u.String()` does."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=quote(go_join(unquote(parts.path), *elements), safe=GO_PATH_SAFE)))


def url_parse_problem(url: str) -> str | None:
    """Why Go's `url.Parse` refuses `url` (its common cases), or None when it accepts it."""
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return CONTROL_CHARACTER
    if url.startswith(":"):
        return MISSING_SCHEME
    rest = url.partition("#")[0]
    scheme = _SCHEME.match(rest)
    if scheme is None and ":" in rest.partition("/")[0].partition("?")[0]:
        return COLON_IN_FIRST_SEGMENT
    rest = rest[scheme.end() :] if scheme else rest
    path = rest.partition("?")[0]
    if path.startswith("//"):
        authority, _, path = path[2:].partition("/")
        problem = _host_problem(authority.rpartition("@")[2])
        if problem:
            return problem
    bad = _BAD_ESCAPE.search(path)
    return INVALID_ESCAPE.format(escape=go_quote(bad.group(0))) if bad else None


def _host_problem(host: str) -> str | None:
    if host.startswith("["):
        end = host.rfind("]")
        if end < 0:
            return MISSING_BRACKET
        port = host[end + 1 :]
    else:
        colon = host.rfind(":")
        port = host[colon:] if colon >= 0 else ""
    if port and not (port[0] == ":" and (port[1:].isdigit() or port == ":")):
        return INVALID_PORT.format(port=go_quote(port))
    return None

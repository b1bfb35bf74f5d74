"""A batch task's InfluxQL `SELECT`, split into its clauses so that each run can bound it in time.

Kapacitor parses the query with InfluxQL's parser and prints it back with the time range of the run, the
`.groupBy()` dimensions and the `.fill()` option in place. Tocsin keeps the operator's text and changes only
those clauses: a scanner that knows InfluxQL's quoting (`'strings'`, `"identifiers"`, `/regexes/`, comments)
finds the top-level `WHERE`, `GROUP BY`, `fill(...)` and the clauses after them. Statements other than one
`SELECT ... FROM ...` are refused at define time with the position of the problem.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from tocsin.errors import ParseError

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Clause keywords after FROM, in the order InfluxQL allows them.
_TAIL_CLAUSES = ("ORDER", "LIMIT", "OFFSET", "SLIMIT", "SOFFSET", "TZ")
_REGEX_AFTER = {"=~", "!~", "FROM", ",", "SELECT", "("}


class QueryError(ParseError):
    """The query cannot be run as a batch query; the message says why and where."""


@dataclass(frozen=True, slots=True)
class SelectQuery:
    """The clauses of one SELECT, as written (without their keywords, `fill` without its parentheses)."""

    head: str  # from SELECT to the end of the FROM clause (INTO included)
    where: str = ""
    group_by: str = ""
    fill: str = ""
    tail: str = ""  # ORDER BY, LIMIT, OFFSET, SLIMIT, SOFFSET, tz(), as written

    def bounded(self, start_ns: int, stop_ns: int, dimensions: str | None = None, fill: str | None = None) -> str:
        """The statement for one run: `start <= time < stop`, and the task's dimensions and fill if it sets them."""
        span = f"time >= '{rfc3339(start_ns)}' AND time < '{rfc3339(stop_ns)}'"
        where = f"({self.where}) AND {span}" if self.where else span
        text = f"{self.head} WHERE {where}"
        group_by = self.group_by if dimensions is None else dimensions
        if group_by:
            text += f" GROUP BY {group_by}"
        fill_text = self.fill if fill is None else fill
        if fill_text:
            text += f" fill({fill_text})"
        if self.tail:
            text += f" {self.tail}"
        return text


def rfc3339(ns: int) -> str:
    """Go's time.RFC3339Nano in UTC: trailing zeros of the fraction dropped, `Z` for UTC."""
    seconds, rest = divmod(ns, 1_000_000_000)
    stamp = dt.datetime.fromtimestamp(seconds, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if rest:
        stamp += "." + f"{rest:09d}".rstrip("0")
    return stamp + "Z"


@dataclass(slots=True)
class _Token:
    text: str
    start: int
    end: int
    depth: int


def _tokens(query: str) -> list[_Token]:
    """Words, punctuation and quoted runs with their paren depth; quoted text is one token."""
    out: list[_Token] = []
    depth = 0
    i = 0
    n = len(query)
    while i < n:
        c = query[i]
        if c.isspace():
            i += 1
            continue
        if query.startswith("--", i):
            end = query.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if query.startswith("/*", i):
            end = query.find("*/", i + 2)
            if end < 0:
                raise _error(query, i, "unterminated comment")
            i = end + 2
            continue
        start = i
        previous = out[-1].text.upper() if out else ""
        if c in "'\"" or (c == "/" and previous in _REGEX_AFTER):
            i = _closing(query, i, c)
        elif m := _WORD.match(query, i):
            i = m.end()
        elif query.startswith(("=~", "!~", "<=", ">=", "!=", "<>"), i):
            i += 2
        else:
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth < 0:
                    raise _error(query, i, "found ), expected a statement")
            i += 1
        out.append(_Token(query[start:i], start, i, depth if c != "(" else depth - 1))
    if depth > 0:
        raise _error(query, n, "found EOF, expected )")
    return out


def _closing(query: str, i: int, quote: str) -> int:
    j = i + 1
    while j < len(query):
        if query[j] == "\\":
            j += 2
            continue
        if query[j] == quote:
            return j + 1
        j += 1
    kind = {"'": "string", '"': "identifier", "/": "regex"}[quote]
    raise _error(query, i, f"unterminated {kind}")


def _error(query: str, offset: int, message: str) -> QueryError:
    line = query.count("\n", 0, offset) + 1
    column = offset - (query.rfind("\n", 0, offset) + 1) + 1
    return QueryError(f"{message} at line {line}, char {column}", line, column)


def parse_select(query: str) -> SelectQuery:
    """The clauses of `query`; QueryError when it is not one SELECT with a FROM clause."""
    tokens = _tokens(query)
    if not tokens or tokens[0].text.upper() != "SELECT":
        found = tokens[0].text if tokens else "EOF"
        raise _error(query, tokens[0].start if tokens else 0, f"found {found}, expected SELECT")
    top = [(k, t) for k, t in enumerate(tokens) if t.depth == 0]
    semicolons = [t for _, t in top if t.text == ";"]
    if semicolons and any(t.start > semicolons[0].start for t in tokens if t.text != ";"):
        raise _error(query, semicolons[0].start, "a batch query must be a single statement")
    words = {t.text.upper(): k for k, t in reversed(top)}
    if "FROM" not in words:
        raise _error(query, len(query.rstrip()), "found EOF, expected FROM")
    marks: list[tuple[int, str]] = []  # (token index, clause)
    for k, t in top:
        upper = t.text.upper()
        nxt = tokens[k + 1].text.upper() if k + 1 < len(tokens) else ""
        if upper == "WHERE":
            marks.append((k, "where"))
        elif upper == "GROUP" and nxt == "BY":
            marks.append((k, "group"))
        elif upper == "FILL" and nxt == "(":
            marks.append((k, "fill"))
        elif upper in _TAIL_CLAUSES and k > words["FROM"]:
            marks.append((k, "tail"))
            break
    end = semicolons[0].start if semicolons else len(query)
    first = marks[0][0] if marks else None
    head = query[: tokens[first].start if first is not None else end].strip()
    parts: dict[str, str] = {}
    for index, (k, clause) in enumerate(marks):
        stop = tokens[marks[index + 1][0]].start if index + 1 < len(marks) else end
        start = tokens[k].start
        body = query[start:stop].strip()
        if clause == "where":
            body = body[len("WHERE") :].strip()
        elif clause == "group":
            body = re.sub(r"^GROUP\s+BY\s*", "", body, flags=re.IGNORECASE)
        elif clause == "fill":
            body = body[body.index("(") + 1 : body.rindex(")")].strip()
        if clause in parts:
            raise _error(query, start, f"found {tokens[k].text}, clause given twice")
        parts[clause] = body
    if "where" in parts and not parts["where"]:
        raise _error(query, end, "found EOF, expected a condition after WHERE")
    return SelectQuery(
        head, parts.get("where", ""), parts.get("group", ""), parts.get("fill", ""), parts.get("tail", "")
    )


def quote_ident(name: str) -> str:
    """An InfluxQL identifier (database, retention policy, subscription), quoted as InfluxQL's QuoteIdent does."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def quote_string(text: str) -> str:
    """An InfluxQL string literal, quoted as InfluxQL's QuoteString does."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"

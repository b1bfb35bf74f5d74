"""Hypothesis strategies producing valid TICKscript text, and a position-free view of parsed programs."""

from __future__ import annotations

import dataclasses
import re
from enum import Enum

from hypothesis import strategies as st

_NAMES = st.sampled_from(["crit", "warn", "data", "host", "name", "x", "period", "lambdaX", "v1"])
_METHODS = st.sampled_from(["from", "where", "window", "alert", "eval", "mean", "httpOut", "log"])
_PROPERTIES = st.sampled_from(["measurement", "groupBy", "period", "every", "crit", "as", "tag", "align"])
_SPACE = st.sampled_from([" ", "", "\n", "\n    ", "\t"])
_COMMENT_TEXT = st.text(st.sampled_from("abc xyz/'\"|."), max_size=12)

_INTS = st.integers(0, 10**12).map(str)
_FLOATS = st.decimals(0, 10**6, places=3, allow_nan=False, allow_infinity=False).map(lambda d: f"{d:f}")
_STRINGS = st.text(st.sampled_from("ab '{}.-_é"), max_size=10).map(lambda s: "'" + s.replace("'", "\\'") + "'")
_TRIPLE = st.text(st.sampled_from('ab "{}'), max_size=10).map(lambda s: f"'''{s}'''")
# Line breaks inside literals move later operators to later lines, which changes Kapacitor's own line-break
# decisions on a second formatting; such literals are only generated outside expressions.
_MULTI_LINE = st.text(st.sampled_from("ab \n"), max_size=10).map(lambda s: f"'''{s}'''")
_DURATIONS = st.builds(
    lambda n, u: f"{n}{u}", st.integers(0, 999), st.sampled_from(["u", "ms", "s", "m", "h", "d", "w"])
)
_REFERENCES = st.text(st.sampled_from('ab _".'), min_size=1, max_size=6).map(
    lambda s: '"' + s.replace('"', '\\"') + '"'
)
_REGEXES = st.sampled_from(["/^cpu$/", "/a\\/b/", "/[0-9]+/", "/x|y/"])
_LITERALS = st.one_of(
    _INTS, _FLOATS, _STRINGS, _TRIPLE, _DURATIONS, _REFERENCES, _NAMES, st.sampled_from(["TRUE", "FALSE"])
)
_OPERATORS = st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "AND", "OR"])


def _compound(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.builds(lambda a, op, s, b: f"{a} {op} {s}{b}", inner, _OPERATORS, _SPACE, inner)
    # After a regex `*` and `/` start a star and a regex, in Kapacitor too: keep the match in parentheses.
    regex_match = st.builds(lambda a, op, r: f"({a} {op} {r})", inner, st.sampled_from(["=~", "!~"]), _REGEXES)
    call = st.builds(
        lambda name, args: f"{name}({', '.join(args)})",
        st.sampled_from(["abs", "if", "strLength", "float"]),
        st.lists(inner, max_size=3),
    )
    return st.one_of(
        binary,
        regex_match,
        call,
        inner.map(lambda a: f"({a})"),
        st.builds(lambda op, a: op + a, st.sampled_from(["-", "!"]), inner),
    )


EXPRESSIONS = st.recursive(_LITERALS, _compound, max_leaves=8)
LAMBDAS = EXPRESSIONS.map(lambda body: f"lambda: {body}")
LISTS = st.lists(st.one_of(_STRINGS, _NAMES, st.just("*")), max_size=4).map(lambda items: "[" + ", ".join(items) + "]")
ARGUMENTS = st.one_of(EXPRESSIONS, LAMBDAS, LISTS, st.just("*"), _REGEXES, _MULTI_LINE)


def _comment_lines(texts: list[str]) -> str:
    return "".join(f"// {text}\n" for text in texts)


_COMMENTS = st.lists(_COMMENT_TEXT, max_size=2).map(_comment_lines)


def _link(op: str, name: str, args: list[str], space: str, comment: str, call: bool) -> str:
    if not call and op != "|":
        return f"{comment}{space}{op}{name}"
    return f"{comment}{space}{op}{name}({(',' + space).join(args)})"


LINKS = st.builds(
    _link,
    st.sampled_from(["|", ".", "@"]),
    st.one_of(_METHODS, _PROPERTIES),
    st.lists(ARGUMENTS, max_size=3),
    _SPACE,
    _COMMENTS,
    st.booleans(),
)
CHAINS = st.builds(
    lambda head, first, links: head + "|" + first + "()" + "\n".join(links),
    st.sampled_from(["stream", "batch", "data"]),
    _METHODS,
    st.lists(LINKS, max_size=5),
)
_TYPES = st.sampled_from(["int", "float", "bool", "string", "regex", "duration", "lambda", "list", "star"])
STATEMENTS = st.one_of(
    st.builds(
        lambda c, n, v: f"{c}var {n} = {v}",
        _COMMENTS,
        _NAMES,
        st.one_of(EXPRESSIONS, LAMBDAS, LISTS, CHAINS, _MULTI_LINE),
    ),
    st.builds(lambda c, n, t: f"{c}var {n} {t}", _COMMENTS, _NAMES, _TYPES),
    st.builds(lambda c, d, r: f'{c}dbrp "{d}"."{r}"', _COMMENTS, _NAMES, _NAMES),
    st.builds(lambda c, chain: c + chain, _COMMENTS, CHAINS),
)
SCRIPTS = st.builds(
    lambda statements, tail: "\n".join(statements) + "\n" + tail, st.lists(STATEMENTS, max_size=5), _COMMENTS
)


def shape(value: object) -> object:
    """`value` with every position (and compiled regex) removed, for comparing trees parsed from different text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        kept = (shape(getattr(value, f.name)) for f in fields if f.name not in ("pos", "pattern"))
        return (type(value).__name__, *kept)
    if isinstance(value, tuple):
        return tuple(shape(item) for item in value)
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, re.Pattern):
        return value.pattern
    return value

"""Errors raised while parsing a whole TICKscript, and the texts Tocsin adds to Kapacitor's parser errors.

Kapacitor's own texts (`parser: unexpected <token> line L char C in "<context>". expected: ...` and
`parser: <message> line L char C`) come from `tocsin.expr.parser`; the ones below cover limits and
constructs Tocsin rejects at parse time where Kapacitor would fail later, at compile time.
"""

from __future__ import annotations

from tocsin.errors import ParseError

ERR_TOO_LONG = "script too long: {length} characters, the limit is {limit}"
ERR_CALL_CHAIN = "a chain must start with an identifier, not a function call"
ERR_CHAIN_ARGUMENT = "a chain cannot be an argument of a function call"


class TickParseError(ParseError):
    """The text is not a valid TICKscript; `line`/`column` (1-based) locate the offending token."""

"""Line protocol errors, with InfluxDB 1.x's texts (models/points.go, models/time.go, tsdb/shard.go)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tocsin.errors import ParseError

if TYPE_CHECKING:
    from tocsin.points import Point

# One failed line: `unable to parse '<line>': <reason>`; several failed lines are joined with "\n".
UNABLE_TO_PARSE = "unable to parse '{line}': {reason}"

MISSING_MEASUREMENT = "missing measurement"
MISSING_FIELDS = "missing fields"
MISSING_TAG_KEY = "missing tag key"
MISSING_TAG_VALUE = "missing tag value"
INVALID_TAG_FORMAT = "invalid tag format"
DUPLICATE_TAGS = "duplicate tags"
MISSING_FIELD_KEY = "missing field key"
MISSING_FIELD_VALUE = "missing field value"
UNBALANCED_QUOTES = "unbalanced quotes"
INVALID_FIELD_FORMAT = "invalid field format"
INVALID_NUMBER = "invalid number"
INVALID_FLOAT = "invalid float"
INVALID_BOOLEAN = "invalid boolean"
BAD_TIMESTAMP = "bad timestamp"
INVALID_POINT = "point is invalid"
MAX_KEY_LENGTH = "max key length exceeded: {size} > {limit}"
INTEGER_RANGE = "unable to parse integer {text}: {reason}"
UNSIGNED_RANGE = "unable to parse unsigned {text}: {reason}"
TIME_RANGE = "time {value} is outside the range [{low}, {high}]"
# Go's strconv errors, as ParseInt/ParseUint word them.
STRCONV = 'strconv.{func}: parsing "{text}": {reason}'
OUT_OF_RANGE = "value out of range"
INVALID_SYNTAX = "invalid syntax"

# InfluxDB drops points whose only fields are named "time", or that have a tag named "time", and answers with
# a partial write error naming the first reason and the number of dropped points.
PARTIAL_WRITE = "partial write: {reason} dropped={dropped}"
TIME_FIELD = 'invalid field name: input field "time" on measurement "{name}" is invalid'
TIME_TAG = 'invalid tag key: input tag "time" on measurement "{name}" is invalid'


class LineError(Exception):
    """Why one line failed (InfluxDB's reason text); internal to the parser."""


class LineProtocolError(ParseError):
    """The body had unparsable lines; `points` holds the lines that did parse, `line` the first bad line (1-based)."""

    def __init__(self, message: str, points: list[Point], line: int = 0) -> None:
        super().__init__(message, line, 0)
        self.points = points


class PartialWriteError(LineProtocolError):
    """Every line parsed, but some points were dropped (a `time` field or tag); `points` holds the kept ones."""

"""Undoing line protocol escapes; each element has its own set (pkg/escape and models/points.go)."""

from __future__ import annotations

import re

# Measurement names and field keys: comma, double quote, space and equals sign.
_NAME = re.compile(r'\\([,"= ])')
# Tag keys and values: comma, space and equals sign.
_TAG = re.compile(r"\\([, =])")
# String field values: double quote and backslash, left to right.
_STRING = re.compile(r'\\([\\"])')


def unescape_name(text: str) -> str:
    """A measurement name or field key as written, without its escapes."""
    return _NAME.sub(r"\1", text) if "\\" in text else text


def unescape_tag(text: str) -> str:
    """A tag key or value without its escapes."""
    return _TAG.sub(r"\1", text) if "\\" in text else text


def unescape_string(text: str) -> str:
    """The contents of a quoted string field without its escapes."""
    return _STRING.sub(r"\1", text) if "\\" in text else text

"""Go string and character literals: strconv.Quote for output, Unquote / UnquoteChar for template actions."""

from __future__ import annotations

INVALID_SYNTAX = "invalid syntax"


def go_quote(s: str, quote: str = '"', ascii_only: bool = False) -> str:
    """A string as Go's strconv.Quote writes it (QuoteRune with `quote="'"`, QuoteToASCII with ascii_only)."""
    out = [quote]
    for ch in s:
        code = ord(ch)
        if ch == quote or ch == "\\":
            out.append("\\" + ch)
        elif ch.isprintable() and not (ascii_only and code >= 0x80):
            out.append(ch)
        elif ch in _CTRL_ESCAPES:
            out.append(_CTRL_ESCAPES[ch])
        elif code < 0x80:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append(quote)
    return "".join(out)


_CTRL_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}

_SIMPLE = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92}
_HEX_LEN = {"x": 2, "u": 4, "U": 8}


def unquote_char(s: str, i: int, quote: str) -> tuple[int, bool, int]:
    """Decode one character of a quoted literal at `s[i]`: (code, is_byte, next index); ValueError if bad."""
    ch = s[i]
    if ch == quote and quote in "'\"":
        raise ValueError(INVALID_SYNTAX)
    if ch != "\\":
        return ord(ch), False, i + 1
    if i + 1 >= len(s):
        raise ValueError(INVALID_SYNTAX)
    esc = s[i + 1]
    if esc in _SIMPLE:
        return _SIMPLE[esc], False, i + 2
    if esc in _HEX_LEN:
        n = _HEX_LEN[esc]
        digits = s[i + 2 : i + 2 + n]
        if len(digits) != n or any(c not in "0123456789abcdefABCDEF" for c in digits):
            raise ValueError(INVALID_SYNTAX)
        code = int(digits, 16)
        if esc == "x":
            return code, True, i + 2 + n
        if code > 0x10FFFF or 0xD800 <= code < 0xE000:
            raise ValueError(INVALID_SYNTAX)
        return code, False, i + 2 + n
    if esc in "01234567":
        digits = s[i + 1 : i + 4]
        if len(digits) != 3 or any(c not in "01234567" for c in digits) or int(digits, 8) > 255:
            raise ValueError(INVALID_SYNTAX)
        return int(digits, 8), True, i + 4
    if esc in "'\"" and esc == quote:
        return ord(esc), False, i + 2
    raise ValueError(INVALID_SYNTAX)


def unquote(literal: str) -> str:
    """The value of a Go "double-quoted" or `raw` string literal; ValueError("invalid syntax") if bad."""
    if len(literal) < 2 or literal[0] != literal[-1] or literal[0] not in '"`':
        raise ValueError(INVALID_SYNTAX)
    body = literal[1:-1]
    if literal[0] == "`":
        if "`" in body:
            raise ValueError(INVALID_SYNTAX)
        return body.replace("\r", "")
    if "\\" not in body and '"' not in body:
        return body
    out = bytearray()
    i = 0
    while i < len(body):
        code, is_byte, i = unquote_char(body, i, '"')
        out += bytes([code]) if is_byte else chr(code).encode("utf-8", "surrogatepass")
    return out.decode("utf-8", "replace")


def unquote_rune(literal: str) -> int:
    """The code point of a Go character constant such as `'a'` or `'\\n'`."""
    if len(literal) < 3 or literal[0] != "'":
        raise ValueError(INVALID_SYNTAX)
    code, _, end = unquote_char(literal, 1, "'")
    if literal[end:] != "'":
        raise ValueError(f"malformed character constant: {literal}")
    return code

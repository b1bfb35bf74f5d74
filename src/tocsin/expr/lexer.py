"""TICKscript lexer: turns a whole script (or a lambda body) into positioned tokens.

The token list always ends with one EOF token, or with one ERROR token whose text is the lexer message
(Kapacitor's wording: `unterminated string`, `unterminated field reference`, `unterminated regex`,
`multiple decimals in number`, `unknown state, last char: '#'`). Errors are tokens, not exceptions, so the
parser reports them at the point it reaches them, as Kapacitor's does.

Context rule for `/` and `*`: right after an operand (identifier, reference, string, number, duration,
TRUE, FALSE or `)`) they are division and multiplication; anywhere else `/` starts a regex and `*` is a
star. `//` always starts a comment running to the end of the line (one COMMENT token per line).

Deliberate differences from Kapacitor's lexer: `µs`/`us` are accepted as microsecond units (Kapacitor
only takes `u`/`µ`), and a decimal number directly followed by a duration unit (`1.5s`) is an ERROR
token instead of a number followed by an identifier.
"""

from __future__ import annotations

from bisect import bisect_right

from tocsin.expr.tokens import KEYWORDS, Position, Token, TokenKind

ERR_UNTERMINATED_STRING = "unterminated string"
ERR_UNTERMINATED_REFERENCE = "unterminated field reference"
ERR_UNTERMINATED_REGEX = "unterminated regex"
ERR_MULTIPLE_DECIMALS = "multiple decimals in number"
ERR_DECIMAL_DURATION = 'invalid duration "{text}": a duration must be an integer followed by a unit'
ERR_UNKNOWN_CHAR = "unknown state, last char: {char}"

# Go's unicode.IsSpace; str.isspace() also accepts \x1c-\x1f, which Go does not.
_SPACES = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | frozenset(
    chr(c) for c in range(0x2000, 0x200B)
)
_DURATION_UNITS = frozenset("uµsmhdw")
_OPERAND_END = frozenset(
    {
        TokenKind.IDENT,
        TokenKind.REFERENCE,
        TokenKind.STRING,
        TokenKind.NUMBER,
        TokenKind.DURATION,
        TokenKind.TRUE,
        TokenKind.FALSE,
        TokenKind.RPAREN,
    }
)
_SINGLE = {
    "(": TokenKind.LPAREN,
    ")": TokenKind.RPAREN,
    "[": TokenKind.LBRACKET,
    "]": TokenKind.RBRACKET,
    ",": TokenKind.COMMA,
    "|": TokenKind.PIPE,
    "@": TokenKind.AT,
    "+": TokenKind.PLUS,
    "-": TokenKind.MINUS,
    "%": TokenKind.MOD,
}
# (first char, second char) -> kind; the one-char fallback is in _FIRST.
_DOUBLE = {
    ("=", "="): TokenKind.EQ,
    ("=", "~"): TokenKind.REGEX_EQ,
    ("!", "="): TokenKind.NE,
    ("!", "~"): TokenKind.REGEX_NE,
    ("<", "="): TokenKind.LE,
    (">", "="): TokenKind.GE,
}
_FIRST = {"=": TokenKind.ASSIGN, "!": TokenKind.NOT, "<": TokenKind.LT, ">": TokenKind.GT}


def go_quote_rune(char: str) -> str:
    """Go's `%q` of a rune: `'#'`, `'\\''`, `'\\x00'`."""
    if char == "'":
        return "'\\''"
    if char == "\\":
        return "'\\\\'"
    if char.isprintable():
        return f"'{char}'"
    code = ord(char)
    if code < 0x80:
        return f"'\\x{code:02x}'"
    return f"'\\u{code:04x}'" if code <= 0xFFFF else f"'\\U{code:08x}'"


def tokenize(text: str) -> list[Token]:
    """Lex `text` completely; the result ends with an EOF token or with an ERROR token."""
    return _Lexer(text).run()


def is_space(char: str) -> bool:
    """Whether `char` is white space for TICKscript (Go's unicode.IsSpace)."""
    return char in _SPACES


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.tokens: list[Token] = []
        self._newlines = [i for i, c in enumerate(text) if c == "\n"]

    def position(self, offset: int) -> Position:
        line = bisect_right(self._newlines, offset - 1) + 1
        line_start = self._newlines[line - 2] + 1 if line > 1 else 0
        return Position(offset, line, offset - line_start + 1)

    def emit(self, kind: TokenKind, start: int) -> None:
        self.tokens.append(Token(kind, self.text[start : self.pos], self.position(start)))

    def error(self, message: str, start: int) -> list[Token]:
        self.tokens.append(Token(TokenKind.ERROR, message, self.position(start)))
        return self.tokens

    def after_operand(self) -> bool:
        return bool(self.tokens) and self.tokens[-1].kind in _OPERAND_END

    def peek(self, ahead: int = 0) -> str:
        i = self.pos + ahead
        return self.text[i] if i < len(self.text) else ""

    def run(self) -> list[Token]:
        text, n = self.text, len(self.text)
        while True:
            while self.pos < n and text[self.pos] in _SPACES:
                self.pos += 1
            start = self.pos
            if start >= n:
                self.emit(TokenKind.EOF, start)
                return self.tokens
            char = text[start]
            if char == "/" and self.peek(1) == "/":
                end = text.find("\n", start)
                self.pos = n if end < 0 else end
                self.emit(TokenKind.COMMENT, start)
            elif char == "/" and self.after_operand():
                self.pos += 1
                self.emit(TokenKind.DIV, start)
            elif char == "/":
                if not self.quoted("/", TokenKind.REGEX):
                    return self.error(ERR_UNTERMINATED_REGEX, start)
            elif char == "*":
                self.pos += 1
                self.emit(TokenKind.MULT if self.after_operand() else TokenKind.STAR, start)
            elif char.isdecimal() or (char == "." and self.peek(1).isdecimal()):
                message = self.number()
                if message:
                    return self.error(message, start)
            elif char == ".":
                self.pos += 1
                self.emit(TokenKind.DOT, start)
            elif char.isalpha():
                self.word()
            elif char == '"':
                if not self.quoted('"', TokenKind.REFERENCE):
                    return self.error(ERR_UNTERMINATED_REFERENCE, start)
            elif char == "'":
                if not self.string():
                    return self.error(ERR_UNTERMINATED_STRING, start)
            elif not self.operator(char):
                return self.error(ERR_UNKNOWN_CHAR.format(char=go_quote_rune(char)), start)

    def operator(self, char: str) -> bool:
        start = self.pos
        if char in _SINGLE:
            self.pos += 1
            self.emit(_SINGLE[char], start)
            return True
        if char in _FIRST:
            kind = _DOUBLE.get((char, self.peek(1)))
            self.pos += 2 if kind else 1
            self.emit(kind or _FIRST[char], start)
            return True
        return False

    def number(self) -> str:
        """Lex a number or duration; return an error message, or "" on success."""
        start = self.pos
        text, n = self.text, len(self.text)
        decimal = False
        while self.pos < n:
            char = text[self.pos]
            if char == ".":
                if decimal:
                    return ERR_MULTIPLE_DECIMALS
                decimal = True
            elif char in _DURATION_UNITS:
                self.pos += 1
                if (char == "m" or char in "uµ") and self.peek() == "s":
                    self.pos += 1
                if decimal:
                    return ERR_DECIMAL_DURATION.format(text=text[start : self.pos])
                self.emit(TokenKind.DURATION, start)
                return ""
            elif not char.isdecimal():
                break
            self.pos += 1
        self.emit(TokenKind.NUMBER, start)
        return ""

    def word(self) -> None:
        start = self.pos
        text, n = self.text, len(self.text)
        self.pos += 1
        while self.pos < n and (text[self.pos].isalpha() or text[self.pos].isdecimal() or text[self.pos] == "_"):
            self.pos += 1
        word = text[start : self.pos]
        if word == "lambda" and self.peek() == ":":
            self.pos += 1
            self.emit(TokenKind.LAMBDA, start)
            return
        self.emit(KEYWORDS.get(word, TokenKind.IDENT), start)

    def quoted(self, quote: str, kind: TokenKind) -> bool:
        """Lex `"ref"` or `/regex/`, where a backslash escapes only the closing quote character."""
        start = self.pos
        text, n = self.text, len(self.text)
        self.pos += 1
        while self.pos < n:
            char = text[self.pos]
            self.pos += 1
            if char == "\\" and self.peek() == quote:
                self.pos += 1
            elif char == quote:
                self.emit(kind, start)
                return True
        return False

    def string(self) -> bool:
        start = self.pos
        text = self.text
        if text.startswith("'''", start):
            end = text.find("'''", start + 3)
            if end < 0:
                return False
            self.pos = end + 3
            self.emit(TokenKind.STRING, start)
            return True
        return self.quoted("'", TokenKind.STRING)


def unquote_string(raw: str) -> str:
    """The value of a STRING token: triple-quoted text as is, single-quoted with `\\'` unescaped."""
    if len(raw) >= 6 and raw.startswith("'''"):
        return raw[3:-3]
    return raw[1:-1].replace("\\'", "'")


def unquote_reference(raw: str) -> str:
    """The name in a REFERENCE token, with `\\"` unescaped."""
    return raw[1:-1].replace('\\"', '"')


def unquote_regex(raw: str) -> str:
    """The pattern in a REGEX token, with `\\/` unescaped."""
    return raw[1:-1].replace("\\/", "/")

"""Tokens of Go's text/template: text, `{{ }}` actions with trim markers, comments and every operand kind.

Positions are character offsets into the template text; lines are 1-based, counted as Go counts them.
Errors are emitted as an ERROR token carrying Go's message and stop the stream, as Go's lexer does.
"""

from __future__ import annotations

from bisect import bisect_right

from tocsin.gocompat.quoting import go_quote
from tocsin.gotemplate.tokens import KEYWORDS, Kind, Token

LEFT_DELIM = "{{"
RIGHT_DELIM = "}}"
LEFT_COMMENT = "/*"
RIGHT_COMMENT = "*/"
SPACE_CHARS = " \t\r\n"


def is_alnum(ch: str) -> bool:
    return ch == "_" or ch.isalpha() or ch.isdigit()


def _rune(ch: str) -> str:
    """A character as Go's `%#U` writes it: `U+0021 '!'`."""
    code = ord(ch)
    return f"U+{code:04X} '{ch}'" if ch.isprintable() else f"U+{code:04X}"


class _Lexer:
    def __init__(self, text: str, plain_words: frozenset[str]) -> None:
        self.text = text
        self.plain_words = plain_words
        self.pos = 0
        self.start = 0
        self.paren_depth = 0
        self.tokens: list[Token] = []
        self._newlines = [i for i, c in enumerate(text) if c == "\n"]

    def line_at(self, pos: int) -> int:
        return 1 + bisect_right(self._newlines, pos - 1)

    def emit(self, kind: Kind, start: int | None = None, end: int | None = None) -> None:
        s = self.start if start is None else start
        e = self.pos if end is None else end
        self.tokens.append(Token(kind, self.text[s:e], s, self.line_at(s)))
        self.start = self.pos

    def fail(self, message: str) -> bool:
        self.tokens.append(Token(Kind.ERROR, message, self.start, self.line_at(self.start)))
        return False

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def at_right_delim(self) -> tuple[bool, bool]:
        t, p = self.text, self.pos
        if _right_trim(t, p) and t.startswith(RIGHT_DELIM, p + 2):
            return True, True
        return t.startswith(RIGHT_DELIM, p), False

    def at_terminator(self) -> bool:
        ch = self.peek()
        return ch == "" or ch in SPACE_CHARS or ch in ".,|:()" or self.text.startswith(RIGHT_DELIM, self.pos)

    def run(self) -> list[Token]:
        text = self.text
        while True:
            x = text.find(LEFT_DELIM, self.pos)
            if x < 0:
                self.pos = len(text)
                if self.pos > self.start:
                    self.emit(Kind.TEXT)
                self.emit(Kind.EOF)
                return self.tokens
            end = x
            if _left_trim(text, x + 2):
                end = len(text[self.start : x].rstrip(SPACE_CHARS)) + self.start
            if end > self.start:
                self.emit(Kind.TEXT, self.start, end)
            self.pos = self.start = x
            if not self.lex_left_delim():
                return self.tokens

    def lex_left_delim(self) -> bool:
        text = self.text
        self.pos += 2
        after = 2 if _left_trim(text, self.pos) else 0
        if text.startswith(LEFT_COMMENT, self.pos + after):
            self.pos += after
            self.start = self.pos
            return self.lex_comment()
        self.emit(Kind.LEFT_DELIM)
        self.pos += after
        self.start = self.pos
        self.paren_depth = 0
        return self.lex_inside_action()

    def lex_comment(self) -> bool:
        self.pos += 2
        x = self.text.find(RIGHT_COMMENT, self.pos)
        if x < 0:
            return self.fail("unclosed comment")
        self.pos = x + 2
        delim, trim = self.at_right_delim()
        if not delim:
            return self.fail("comment ends before closing delimiter")
        self.pos += (2 if trim else 0) + 2
        if trim:
            self.pos = _skip_space(self.text, self.pos)
        self.start = self.pos
        return True

    def lex_right_delim(self, trim: bool) -> None:
        if trim:
            self.pos += 2
            self.start = self.pos
        self.pos += 2
        self.emit(Kind.RIGHT_DELIM)
        if trim:
            self.pos = self.start = _skip_space(self.text, self.pos)

    def lex_inside_action(self) -> bool:
        text = self.text
        while True:
            delim, trim = self.at_right_delim()
            if delim:
                if self.paren_depth == 0:
                    self.lex_right_delim(trim)
                    return True
                return self.fail("unclosed left paren")
            if self.pos >= len(text):
                return self.fail("unclosed action")
            ch = text[self.pos]
            self.pos += 1
            if ch in SPACE_CHARS:
                self.pos -= 1
                if not self.lex_space():
                    continue
            elif ch == "=":
                self.emit(Kind.ASSIGN)
            elif ch == ":":
                if self.peek() != "=":
                    return self.fail("expected :=")
                self.pos += 1
                self.emit(Kind.DECLARE)
            elif ch == "|":
                self.emit(Kind.PIPE)
            elif ch == '"':
                if not self.lex_quote('"', Kind.STRING, "unterminated quoted string"):
                    return False
            elif ch == "`":
                x = text.find("`", self.pos)
                if x < 0:
                    return self.fail("unterminated raw quoted string")
                self.pos = x + 1
                self.emit(Kind.RAW_STRING)
            elif ch == "'":
                if not self.lex_quote("'", Kind.CHAR_CONSTANT, "unterminated character constant"):
                    return False
            elif ch == "$":
                if not self.lex_field_or_variable(Kind.VARIABLE):
                    return False
            elif ch == "." and not ("0" <= self.peek() <= "9" and self.peek()):
                if not self.lex_field_or_variable(Kind.FIELD):
                    return False
            elif ch in "+-." or "0" <= ch <= "9":
                self.pos -= 1
                if not self.lex_number():
                    return False
            elif is_alnum(ch):
                self.pos -= 1
                if not self.lex_identifier():
                    return False
            elif ch == "(":
                self.paren_depth += 1
                self.emit(Kind.LEFT_PAREN)
            elif ch == ")":
                self.paren_depth -= 1
                if self.paren_depth < 0:
                    return self.fail("unexpected right paren")
                self.emit(Kind.RIGHT_PAREN)
            elif ord(ch) < 0x80 and ch.isprintable():
                self.emit(Kind.CHAR)
            else:
                return self.fail(f"unrecognized character in action: {_rune(ch)}")

    def lex_space(self) -> bool:
        """Emit a run of spaces; False when the run ends at a trim-marked right delimiter."""
        text = self.text
        n = 0
        while self.pos < len(text) and text[self.pos] in SPACE_CHARS:
            self.pos += 1
            n += 1
        if _right_trim(text, self.pos - 1) and text.startswith(RIGHT_DELIM, self.pos + 1):
            self.pos -= 1
            if n == 1:
                return False
        self.emit(Kind.SPACE)
        return True

    def lex_quote(self, quote: str, kind: Kind, message: str) -> bool:
        while True:
            ch = self.peek()
            self.pos += 1
            if ch == "\\":
                nxt = self.peek()
                self.pos += 1
                if nxt not in ("", "\n"):
                    continue
                return self.fail(message)
            if ch in ("", "\n"):
                return self.fail(message)
            if ch == quote:
                self.emit(kind)
                return True

    def lex_field_or_variable(self, kind: Kind) -> bool:
        if self.at_terminator():
            self.emit(Kind.VARIABLE if kind is Kind.VARIABLE else Kind.DOT)
            return True
        text = self.text
        while self.pos < len(text) and is_alnum(text[self.pos]):
            self.pos += 1
        if not self.at_terminator():
            return self.fail(f"bad character {_rune(self.peek())}")
        self.emit(kind)
        return True

    def lex_identifier(self) -> bool:
        text = self.text
        while self.pos < len(text) and is_alnum(text[self.pos]):
            self.pos += 1
        word = text[self.start : self.pos]
        if not self.at_terminator():
            return self.fail(f"bad character {_rune(self.peek())}")
        if word in KEYWORDS and word not in self.plain_words:
            self.emit(KEYWORDS[word])
        elif word in ("true", "false"):
            self.emit(Kind.BOOL)
        else:
            self.emit(Kind.IDENTIFIER)
        return True

    def accept(self, chars: str) -> bool:
        if self.pos < len(self.text) and self.text[self.pos] in chars:
            self.pos += 1
            return True
        return False

    def accept_run(self, chars: str) -> None:
        while self.accept(chars):
            pass

    def scan_number(self) -> bool:
        self.accept("+-")
        digits = "0123456789_"
        if self.accept("0"):
            if self.accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif self.accept("oO"):
                digits = "01234567_"
            elif self.accept("bB"):
                digits = "01_"
        self.accept_run(digits)
        if self.accept("."):
            self.accept_run(digits)
        if len(digits) == 11 and self.accept("eE"):
            self.accept("+-")
            self.accept_run("0123456789_")
        if len(digits) == 23 and self.accept("pP"):
            self.accept("+-")
            self.accept_run("0123456789_")
        self.accept("i")
        if is_alnum(self.peek()):
            self.pos += 1
            return False
        return True

    def lex_number(self) -> bool:
        if not self.scan_number():
            return self.fail(f"bad number syntax: {go_quote(self.text[self.start : self.pos])}")
        if self.peek() and self.peek() in "+-":
            if not self.scan_number() or self.text[self.pos - 1] != "i":
                return self.fail(f"bad number syntax: {go_quote(self.text[self.start : self.pos])}")
            return self.fail("complex numbers are not supported")
        self.emit(Kind.NUMBER)
        return True


def _left_trim(text: str, pos: int) -> bool:
    return text.startswith("-", pos) and pos + 1 < len(text) and text[pos + 1] in SPACE_CHARS


def _right_trim(text: str, pos: int) -> bool:
    return pos >= 0 and pos + 1 < len(text) and text[pos] in SPACE_CHARS and text[pos + 1] == "-"


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in SPACE_CHARS:
        pos += 1
    return pos


def lex(text: str, plain_words: frozenset[str] = frozenset()) -> list[Token]:
    """All tokens of `text`, ending with EOF or with the first ERROR.

    `plain_words` are keywords to lex as identifiers: Go does so for `break` and `continue` when a
    function of that name is defined.
    """
    return _Lexer(text, plain_words).run()

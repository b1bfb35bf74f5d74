"""Attach `//` comment lines to the token that follows them, grouped the way Kapacitor's parser groups them.

Kapacitor's lexer reads consecutive comment lines as one comment token and a blank line starts a new one;
the parser joins every comment token met before the next real token into one comment, with a "\\n"
entry between tokens. Each line loses surrounding white space, its leading `//` and then one space.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from tocsin.expr.tokens import Token

BLOCK_BREAK = "\n"


def comment_line(raw: str) -> str:
    """The text of one `// ...` line as Kapacitor keeps it."""
    text = raw.strip().removeprefix("//")
    return text.removeprefix(" ")


def group_comments(comments: Sequence[Token], tokens: Sequence[Token]) -> dict[int, tuple[Token, tuple[str, ...]]]:
    """Map the index (in `tokens`) of each token preceded by comments to (first comment token, lines)."""
    offsets = [token.pos.offset for token in tokens]
    groups: dict[int, tuple[Token, tuple[str, ...]]] = {}
    previous: dict[int, Token] = {}
    for comment in comments:
        owner = min(bisect_right(offsets, comment.pos.offset), len(tokens) - 1)
        first, lines = groups.get(owner, (comment, ()))
        before = previous.get(owner)
        if before is not None and comment.line - before.line > 1:
            lines += (BLOCK_BREAK,)
        groups[owner] = (first, (*lines, comment_line(comment.text)))
        previous[owner] = comment
    return groups


def comment_text(lines: Sequence[str]) -> str:
    """Kapacitor's `CommentString`: the lines joined by newlines (a var's description)."""
    return "\n".join(lines)

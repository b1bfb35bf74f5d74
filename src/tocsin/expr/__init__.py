"""TICKscript lambda expressions: lexer, parser, evaluator, builtins, and topic-handler `match` expressions.

Layout: `tokens` → `lexer` → `parser` (→ `ast`) → `evaluate` (with `operators`, `functions`), and `match`
on top for Kapacitor's topic-handler `match` option.
"""

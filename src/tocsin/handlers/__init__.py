"""Handler kinds: one module per kind, each a declarative schema plus a pure render function."""

"""Route groups; each module exposes `add(router, prefix)` registering its routes under a base path."""

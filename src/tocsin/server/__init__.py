"""The HTTP layer: translates Kapacitor's API (and Tocsin's extensions) into engine calls."""

"""Shared test helpers: recording servers, handler vectors, a static configuration view, fixtures."""

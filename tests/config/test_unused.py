"""Kapacitor options Tocsin has no use for are accepted, and named with the reason when a file sets them."""

from __future__ import annotations

from tocsin.config.loader import load_text
from tocsin.config.unused import ignored_settings
from tocsin.server.run import shutdown_timeout


def test_options_set_to_their_default_say_nothing() -> None:
    base = load_text('[storage]\nboltdb = ""\n[alert]\ntopic-buffer-length = 5000\n', "kapacitor.conf", environ={})
    assert ignored_settings(base) == []


def test_options_set_otherwise_are_named_with_the_reason() -> None:
    text = (
        '[storage]\nboltdb = "/var/lib/kapacitor/kapacitor.db"\n[alert]\ntopic-buffer-length = 10\n'
        '[[kafka]]\nenabled = true\nid = "k"\nbrokers = ["127.0.0.1:9092"]\nsasl-gssapi-realm = "EXAMPLE.COM"\n'
    )
    assert ignored_settings(load_text(text, "kapacitor.conf", environ={})) == [
        "[alert] topic-buffer-length has no effect in Tocsin: no event is buffered in memory or dropped: every "
        "delivery waits in the durable outbox",
        "[kafka] sasl-gssapi-realm has no effect in Tocsin: only SASL GSSAPI reads it, and Tocsin refuses GSSAPI "
        "(sasl-mechanism)",
        "[storage] boltdb has no effect in Tocsin: Tocsin keeps its state in [storage] (SQLite in data_dir, or "
        "PostgreSQL), not in BoltDB",
    ]


def test_the_http_shutdown_timeout_is_read() -> None:
    base = load_text('[http]\nshutdown-timeout = "2500ms"\n', "kapacitor.conf", environ={})
    assert shutdown_timeout(base.values["http"][0]) == 2.5
    assert shutdown_timeout(load_text("", "kapacitor.conf", environ={}).values["http"][0]) == 10.0

"""Silences: matchers over an event's topic, alert ID and tags that hold its deliveries back for a while.

One shape for Tocsin's API and Alertmanager's v2 (`silence.py`); matchers as Alertmanager's (`matchers.py`);
the durable book of silences and its audit trail (`book.py`), consulted by the engine's fan-out.
"""

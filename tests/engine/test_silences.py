"""Silences in the engine's fan-out: held-back deliveries are recorded, never sent; recoveries follow their
problem; a silence survives a restart with its audit trail."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import tocsin.engine.fanout as fanout_module
from tests.engine.test_engine import Open, event, open_engine, post
from tests.support.sink import HttpSink
from tocsin.alert.levels import Level
from tocsin.config.loader import load_text
from tocsin.engine.engine import Engine
from tocsin.gocompat.timefmt import format_rfc3339nano
from tocsin.store.base import DeliveryFilter
from tocsin.store.sqlite import SqliteStore

__all__ = ["open_engine"]
HOUR = 3600 * 1_000_000_000
MINUTE = 60 * 1_000_000_000
DAY = 24 * HOUR


def silence_body(*matchers: tuple[str, str], starts_in: int = -1, lasts: int = HOUR) -> dict[str, object]:
    now = time.time_ns()
    return {
        "matchers": [{"name": n, "value": v, "isRegex": False} for n, v in matchers],
        "startsAt": format_rfc3339nano(now + starts_in * 1_000_000_000),
        "endsAt": format_rfc3339nano(now + lasts),
        "createdBy": "ann",
        "comment": "patching",
    }


async def _log(engine: Engine) -> list[tuple[str, str, str]]:
    rows = await engine.deliveries(DeliveryFilter(topic="t"))
    return sorted(
        (r.alert_id, Level(r.level).name, r.status.name + (f" {r.last_error}" if r.last_error else "")) for r in rows
    )


async def test_a_silence_holds_back_matching_deliveries_and_records_them(open_engine: Open, sink: HttpSink) -> None:
    engine = await open_engine()
    await engine.create_handler("t", post("h", sink.url + "/h"))
    silence = await engine.save_silence(silence_body(("host", "db3")), "ann")
    await engine.collect([event("db3:disk", host="db3"), event("web1:disk", host="web1")])
    await engine.wait_idle()
    assert [r.json()["id"] for r in sink.requests] == ["web1:disk"]
    assert await _log(engine) == [
        ("db3:disk", "CRITICAL", f"SILENCED silenced by {silence.id}"),
        ("web1:disk", "CRITICAL", "DELIVERED"),
    ]
    # held back, not hidden: the topic shows the alert
    assert engine.get_topic("t").events["db3:disk"].level == Level.CRITICAL
    assert engine.metrics.silenced.labels("post")._value.get() == 1


async def test_a_recovery_follows_its_problem(open_engine: Open, sink: HttpSink) -> None:
    engine = await open_engine()
    await engine.create_handler("t", post("h", sink.url + "/h"))
    await engine.collect([event("sent", host="db3")])  # goes out before the silence
    await engine.wait_idle()
    silence = await engine.save_silence(silence_body(("host", "db3")), "ann")
    await engine.collect([event("held", host="db3")])
    await engine.collect([event("sent", Level.OK, host="db3"), event("held", Level.OK, host="db3")])
    await engine.wait_idle()
    assert [(r.json()["id"], r.json()["level"]) for r in sink.requests] == [("sent", "CRITICAL"), ("sent", "OK")]
    assert await _log(engine) == [
        ("held", "CRITICAL", f"SILENCED silenced by {silence.id}"),
        ("held", "OK", f"SILENCED silenced by {silence.id}"),
        ("sent", "CRITICAL", "DELIVERED"),
        ("sent", "OK", "DELIVERED"),
    ]


async def test_pending_and_expired_silences_hold_nothing(open_engine: Open, sink: HttpSink) -> None:
    engine = await open_engine()
    await engine.create_handler("t", post("h", sink.url + "/h"))
    await engine.save_silence(silence_body(("host", "db3"), starts_in=600), "ann")  # in ten minutes
    active = await engine.save_silence(silence_body(("host", "db3")), "ann")
    await engine.expire_silence(active.id, "bob")
    await engine.collect([event("a", host="db3")])
    await engine.wait_idle()
    assert [r.json()["id"] for r in sink.requests] == ["a"]
    assert [s.state(time.time_ns()) for s in engine.list_silences()] == ["expired", "pending"]


async def test_a_restart_keeps_silences_their_audit_and_what_they_held(open_engine: Open, sink: HttpSink) -> None:
    first = await open_engine()
    await first.create_handler("t", post("h", sink.url + "/h"))
    silence = await first.save_silence(silence_body(("host", "db3")), "ann")
    await first.save_silence({**silence_body(("host", "db3")), "id": silence.id, "comment": "longer"}, "bob")
    await first.collect([event("a", host="db3")])
    await first.wait_idle()
    await first.stop(0.1)
    again = await open_engine()
    assert [(s.id, s.comment) for s in again.list_silences()] == [(silence.id, "longer")]
    assert [(e["action"], e["by"], e["silence"]["comment"]) for e in await again.silence_audit(silence.id)] == [
        ("create", "ann", "patching"),
        ("update", "bob", "longer"),
    ]
    await again.expire_silence(silence.id, "ann")
    await again.collect([event("a", Level.OK, host="db3")])  # its problem was held back: so is the recovery
    await again.wait_idle()
    assert sink.requests == []
    assert await again.release_ended_silences(time.time_ns()) == 0  # nothing still firing to deliver
    assert [e["action"] for e in await again.silence_audit(silence.id)] == ["create", "update", "expire", "release"]


async def test_when_a_silence_ends_what_it_still_holds_is_delivered_once(open_engine: Open, sink: HttpSink) -> None:
    engine = await open_engine()
    await engine.create_handler("t", post("h", sink.url + "/h"))
    await engine.create_handler("t", post("g", sink.url + "/g"))
    silence = await engine.save_silence(silence_body(("host", "db3")), "ann")
    await engine.collect([event("firing", host="db3"), event("over", host="db3")])
    await engine.collect([event("firing", Level.WARNING, host="db3"), event("over", Level.OK, host="db3")])
    await engine.expire_silence(silence.id, "ann")
    assert await engine.release_ended_silences(time.time_ns()) == 2  # the WARNING, to each handler
    assert await engine.release_ended_silences(time.time_ns()) == 0  # once
    await engine.wait_idle()
    assert sorted((r.path, r.json()["id"], r.json()["level"]) for r in sink.requests) == [
        ("/g", "firing", "WARNING"),
        ("/h", "firing", "WARNING"),
    ]
    assert engine.get_topic("t").events["firing"].silenced == ""
    await engine.collect([event("firing", Level.OK, host="db3")])  # its problem went out: so does the recovery
    await engine.wait_idle()
    assert sorted(r.json()["level"] for r in sink.requests) == ["OK", "OK", "WARNING", "WARNING"]


async def test_a_setting_turns_the_delivery_at_the_end_off(tmp_path: Path, sink: HttpSink) -> None:
    base = load_text(f'data_dir = "{tmp_path}"\n[alert]\ndeliver-after-silence = false\n', "t.conf", environ={})
    engine = Engine(base, SqliteStore(str(tmp_path / "tocsin.db")))
    await engine.start()
    try:
        await engine.create_handler("t", post("h", sink.url + "/h"))
        silence = await engine.save_silence(silence_body(("host", "db3")), "ann")
        await engine.collect([event("firing", host="db3")])
        await engine.expire_silence(silence.id, "ann")
        assert await engine.release_ended_silences(time.time_ns()) == 0
        await engine.wait_idle()
        assert sink.requests == []
    finally:
        await engine.stop(0.1)


async def test_a_dry_run_says_which_silence_would_hold_a_delivery(open_engine: Open, sink: HttpSink) -> None:
    engine = await open_engine()
    await engine.create_handler("t", post("h", sink.url + "/h"))
    silence = await engine.save_silence(silence_body(("host", "db3")), "ann")
    (held,) = await engine.dry_run([event("a", host="db3")])
    (free,) = await engine.dry_run([event("b", host="web1")])
    assert (held["handlers"][0]["silencedBy"], held["handlers"][0]["request"]["url"]) == (silence.id, sink.url + "/h")
    assert "silencedBy" not in free["handlers"][0]
    assert await engine.deliveries(DeliveryFilter(topic="t")) == []


class _Clock:
    def __init__(self, ns: int) -> None:
        self.ns = ns

    def time_ns(self) -> int:
        return self.ns


async def test_a_maintenance_window_holds_during_its_hours_and_delivers_after(
    open_engine: Open, sink: HttpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = await open_engine()
    await engine.create_handler("t", post("h", sink.url + "/h"))
    body = {"name": "nightly", "matchers": [{"name": "host", "value": "db3"}]}
    window = await engine.save_window({**body, "schedule": {"cron": "0 2 * * *", "duration": "2h"}}, "ann")
    midnight = (time.time_ns() // DAY + 1) * DAY  # tomorrow, 00:00 UTC
    clock = _Clock(midnight + 150 * MINUTE)  # 02:30, inside the window
    monkeypatch.setattr(fanout_module, "time", clock)
    await engine.collect([event("a", host="db3"), event("b", host="web1")])
    clock.ns = midnight + 5 * 3600 * 10**9  # 05:00, after it
    await engine.collect([event("c", host="db3")])
    await engine.wait_idle()
    assert sorted(r.json()["id"] for r in sink.requests) == ["b", "c"]
    assert await _log(engine) == [
        ("a", "CRITICAL", f"SILENCED silenced by {window.id}"),
        ("b", "CRITICAL", "DELIVERED"),
        ("c", "CRITICAL", "DELIVERED"),
    ]
    assert await engine.release_ended_silences(midnight + 270 * MINUTE) == 1  # 04:30: a is still firing
    assert await engine.release_ended_silences(midnight + 280 * MINUTE) == 0  # once per occurrence
    await engine.wait_idle()
    assert sorted(r.json()["id"] for r in sink.requests) == ["a", "b", "c"]
    assert [w.name for w in engine.list_windows()] == ["nightly"]
    await engine.delete_window(window.id, "ann")
    assert engine.list_windows() == []


async def test_a_preview_lists_what_would_be_held_and_a_suggestion_names_the_host(open_engine: Open) -> None:
    engine = await open_engine()
    await engine.collect([event("db3:disk", host="db3"), event("web1:disk", host="web1"), event("plain")])
    await engine.collect([event("web1:disk", Level.OK, host="web1")])
    matchers = [{"name": "host", "value": "db3|web1", "isRegex": True}]
    assert engine.silence_preview({"matchers": matchers}) == [{"topic": "t", "id": "db3:disk", "level": "CRITICAL"}]
    assert engine.silence_suggestion("t", "db3:disk") == [
        {"name": "host", "value": "db3", "isRegex": False, "isEqual": True}
    ]
    assert engine.silence_suggestion("t", "plain") == [
        {"name": "topic", "value": "t", "isRegex": False, "isEqual": True},
        {"name": "id", "value": "plain", "isRegex": False, "isEqual": True},
    ]

"""The per-group ring of levels: changes, trigger times, expiry and Kapacitor's weighted flapping."""

from __future__ import annotations

import pytest

from tocsin.alert.levels import Level
from tocsin.tasks.alert.state import GroupState

OK, CRIT = Level.OK, Level.CRITICAL


def test_add_event_tracks_change_and_wraps() -> None:
    s = GroupState(2, {})
    changes = []
    for level in (CRIT, CRIT, OK, OK, CRIT):
        s.add_event(0, level, None, 0)
        changes.append((s.level, s.changed))
    assert changes == [(CRIT, True), (CRIT, False), (OK, True), (OK, False), (CRIT, True)]
    assert s.history == [OK, CRIT]


def test_triggered_starts_the_duration_after_ok() -> None:
    s = GroupState(3, {})
    s.add_event(10, CRIT, None, 0)
    s.triggered(10)
    s.add_event(25, CRIT, None, 0)
    s.triggered(25)
    assert (s.first_triggered, s.last_triggered, s.duration()) == (10, 25, 15)
    s.add_event(30, OK, None, 0)
    s.triggered(30)
    assert s.duration() == 20
    s.add_event(40, CRIT, None, 0)
    s.triggered(40)
    assert s.duration() == 0


@pytest.mark.parametrize(
    ("time", "level", "expired"),
    [(14, CRIT, False), (15, CRIT, True), (20, OK, False)],
    ids=["too-soon", "at-interval", "changed"],
)
def test_expired(time: int, level: Level, expired: bool) -> None:
    s = GroupState(4, {})
    s.add_event(10, CRIT, None, 5)
    s.triggered(10)
    s.add_event(time, level, None, 5)
    assert s.expired is expired


def test_no_expiry_without_duration() -> None:
    s = GroupState(4, {})
    s.add_event(10, CRIT, None, 0)
    s.triggered(10)
    s.add_event(10_000, CRIT, None, 0)
    assert s.expired is False


def test_percent_change_weights() -> None:
    # History 6: weights 0.8, 0.88, 0.96, 1.04, 1.12 over the pairs Kapacitor compares, starting at the newest
    # slot (newest vs previous, then the slot after the newest vs the newest, and so on round the ring).
    s = GroupState(6, {})
    got = []
    for level in (CRIT, OK, CRIT, OK):
        s.add_event(0, level, (0.25, 0.5), 0)
        got.append((round(s.percent_change(), 6), s.flapping))
    assert got == [(0.336, False), (0.16, False), (0.56, True), (0.592, True)]


def test_flapping_leaves_below_low() -> None:
    s = GroupState(6, {})
    for level in (CRIT, OK, CRIT, OK, OK, OK, OK, OK):
        s.add_event(0, level, (0.25, 0.5), 0)
    assert (round(s.percent_change(), 6), s.flapping) == (0.368, True)
    s.add_event(0, OK, (0.25, 0.5), 0)
    assert (s.percent_change(), s.flapping) == (0.0, False)


def test_no_flapping_update_without_thresholds() -> None:
    s = GroupState(2, {})
    for level in (CRIT, OK, CRIT):
        s.add_event(0, level, None, 0)
    assert s.flapping is False

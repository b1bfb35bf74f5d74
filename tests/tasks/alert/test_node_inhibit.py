"""Inhibition across alert nodes sharing one Inhibitors table."""

from __future__ import annotations

from tocsin.points import Point
from tocsin.tasks.inhibit import Inhibitors

from .helpers import SECOND, lam, make_node, point

CRIT = {"crit": (lam('"value" > 80'),)}


def host_point(value: int, t: int, host: str, dc: str = "east") -> Point:
    p = point(value, t, host=host)
    p.tags["dc"] = dc
    return p


def test_inhibition_across_two_nodes() -> None:
    shared = Inhibitors()
    parent, _ = make_node({**CRIT, "inhibit": ("system", "host")}, task_id="cluster", inhibitors=shared)
    child, rec = make_node({**CRIT, "category": ("system",)}, task_id="cpu", inhibitors=shared)

    parent.point(host_point(90, 1, "a"))
    # Inhibited: counted as triggered and inhibited, no event, but the point still goes on.
    assert len(child.point(host_point(95, 2, "a"))) == 1
    child.point(host_point(95, 3, "b"))
    assert [(e.id, e.level.name, e.time // SECOND) for e in rec.events] == [("cpu:host=b", "CRITICAL", 3)]

    parent.point(host_point(10, 4, "a"))
    child.point(host_point(96, 5, "a"))
    assert [(e.id, e.time // SECOND) for e in rec.events] == [("cpu:host=b", 3), ("cpu:host=a", 5)]
    assert child.stats() == {
        "alerts_triggered": 3,
        "alerts_inhibited": 1,
        "oks_triggered": 0,
        "infos_triggered": 0,
        "warns_triggered": 0,
        "crits_triggered": 3,
    }
    assert parent.stats()["alerts_inhibited"] == 0


def test_every_equal_tag_must_match() -> None:
    shared = Inhibitors()
    parent, _ = make_node({**CRIT, "inhibit": ("system", "host", "dc")}, task_id="p", inhibitors=shared)
    child, rec = make_node({**CRIT, "category": ("system",)}, task_id="c", inhibitors=shared)
    parent.point(host_point(90, 1, "a", dc="east"))
    child.point(host_point(90, 2, "a", dc="west"))
    child.point(host_point(90, 3, "a", dc="east"))
    assert [e.tags["dc"] for e in rec.events] == ["west"]


def test_other_categories_are_not_inhibited() -> None:
    shared = Inhibitors()
    parent, _ = make_node({**CRIT, "inhibit": ("system", "host")}, task_id="p", inhibitors=shared)
    child, rec = make_node({**CRIT, "category": ("network",)}, task_id="c", inhibitors=shared)
    parent.point(host_point(90, 1, "a"))
    child.point(host_point(90, 2, "a"))
    assert len(rec.events) == 1


def test_recovery_of_the_inhibited_node_is_also_dropped_while_active() -> None:
    shared = Inhibitors()
    parent, _ = make_node({**CRIT, "inhibit": ("system", "host")}, task_id="p", inhibitors=shared)
    child, rec = make_node({**CRIT, "category": ("system",)}, task_id="c", inhibitors=shared)
    child.point(host_point(90, 1, "a"))
    parent.point(host_point(90, 2, "a"))
    child.point(host_point(10, 3, "a"))
    assert [e.level.name for e in rec.events] == ["CRITICAL"]
    assert child.stats()["oks_triggered"] == 1


def test_stop_releases_the_inhibitions() -> None:
    shared = Inhibitors()
    parent, _ = make_node({**CRIT, "inhibit": ("system", "host")}, task_id="p", inhibitors=shared)
    parent.point(host_point(90, 1, "a"))
    assert shared.inhibited("system", {"host": "a"})
    parent.stop()
    assert not shared.inhibited("system", {"host": "a"})


def test_several_inhibit_calls_are_all_active() -> None:
    shared = Inhibitors()
    node, _ = make_node({**CRIT, "inhibit": [("system", "host"), ("network", "dc")]}, inhibitors=shared)
    node.point(host_point(90, 1, "a"))
    assert (shared.inhibited("system", {"host": "a"}), shared.inhibited("network", {"dc": "east"})) == (True, True)
    node.point(host_point(10, 2, "a"))
    assert (shared.inhibited("system", {"host": "a"}), shared.inhibited("network", {"dc": "east"})) == (False, False)

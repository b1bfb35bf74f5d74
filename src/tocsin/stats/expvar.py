"""The statistics in the shape of Kapacitor's /kapacitor/v1/debug/vars (Go's expvar dump).

Kapacitor publishes the global figures as top-level vars and every other statistic under `kapacitor`, keyed by
a random UUID made when the statistic is created. Tocsin derives the key from the name and tags instead, so a
statistic keeps its key from one answer to the next, as it does in Kapacitor while it lives.
"""

from __future__ import annotations

import uuid
from typing import Any

from tocsin.gocompat.duration import format_duration
from tocsin.stats.gather import Statistic

# Kapacitor keeps avg_exec_time_ns in a MaxDuration var: an integer in the written statistics, but
# Go duration text ("1.5ms") in the expvar dump.
_DURATIONS = frozenset({"avg_exec_time_ns"})


def key_of(stat: Statistic) -> str:
    """The statistic's key in the `kapacitor` map."""
    text = stat.name + "\x00" + "\x00".join(f"{k}={stat.tags[k]}" for k in sorted(stat.tags))
    return str(uuid.uuid5(uuid.NAMESPACE_URL, text))


def entry(stat: Statistic) -> dict[str, Any]:
    """`{"name", "tags", "values"}` as expvar prints one statistic."""
    values: dict[str, Any] = {
        k: format_duration(int(v)) if k in _DURATIONS and stat.name == "nodes" else v for k, v in stat.values.items()
    }
    return {"name": stat.name, "tags": dict(stat.tags), "values": values}


def statistics_map(stats: list[Statistic]) -> dict[str, dict[str, Any]]:
    """The `kapacitor` map: every statistic but the global one (whose values are top-level vars)."""
    return {key_of(stat): entry(stat) for stat in stats if stat.name != "kapacitor"}


def global_vars(stats: list[Statistic]) -> dict[str, Any]:
    """The global statistic's counts, as Kapacitor publishes them at the top level (uptime is not one)."""
    for stat in stats:
        if stat.name == "kapacitor":
            return {k: v for k, v in stat.values.items() if k != "uptime"}
    return {}

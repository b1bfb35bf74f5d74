"""`|deadman()` expansion and the global `[deadman]` switch."""

from __future__ import annotations

from tests.pipeline.support import FakeConfig, build, nodes
from tocsin.expr.values import Duration

MESSAGE = (
    '{{ .ID }} is {{ if eq .Level "OK" }}alive{{ else }}dead{{ end }}: '
    '{{ index .Fields "emitted" | printf "%0.3f" }} points/10s.'
)


def test_deadman_expands_to_stats_derivative_alert() -> None:
    script = "var data = stream|from().measurement('cpu')\ndata|deadman(100.0, 10s).slack().channel('#dead')"
    pipeline = build(script)
    assert pipeline.nodes[2].watches == 1
    assert nodes(script)[2:] == [
        {
            "name": "stats2",
            "args": (Duration(10_000_000_000),),
            "properties": {"align": [()]},
            "parents": [],
            "children": [4],
            "handlers": [],
            "edges": ("stream", "stream"),
        },
        {
            "name": "noop3",
            "args": (),
            "properties": {},
            "parents": [1],
            "children": [],
            "handlers": [],
            "edges": ("stream", "stream"),
        },
        {
            "name": "derivative4",
            "args": ("emitted",),
            "properties": {"nonNegative": [()], "unit": [(Duration(10_000_000_000),)]},
            "parents": [2],
            "children": [5],
            "handlers": [],
            "edges": ("stream", "stream"),
        },
        {
            "name": "alert5",
            "args": (),
            "properties": {
                "crit": [('lambda: "emitted" <= 100.0',)],
                "id": [("{{ .Group }}:from1 for task '{{ .TaskName }}'",)],
                "message": [(MESSAGE,)],
            },
            "parents": [4],
            "children": [],
            "handlers": [("slack", "slack", {"channel": "#dead"})],
            "edges": ("stream", "stream"),
        },
    ]


def test_deadman_extra_lambdas_and_existing_children() -> None:
    flat = nodes('var d = stream|from()\nd|window()\nd|deadman(1.5, 1m, lambda: hour("time") >= 8)')
    assert [n["name"] for n in flat] == ["stream0", "from1", "window2", "stats3", "derivative4", "alert5"]
    assert flat[5]["properties"]["crit"] == [('lambda: "emitted" <= 1.5 AND hour("time") >= 8',)]
    assert flat[5]["properties"]["message"][0][0].endswith("points/1m0s.")


def test_global_deadman_from_config() -> None:
    config = FakeConfig(
        {
            "deadman": {
                "global": True,
                "interval": 5_000_000_000,
                "threshold": 2.0,
                "id": "dead NODE_NAME",
                "message": "every INTERVAL",
            }
        }
    )
    flat = nodes("stream|from()", config=config)
    assert [n["name"] for n in flat] == ["stream0", "from1", "stats2", "derivative3", "alert4"]
    assert flat[4]["properties"] == {
        "crit": [('lambda: "emitted" <= 2.0',)],
        "id": [("dead stream0",)],
        "message": [("every 5s",)],
    }

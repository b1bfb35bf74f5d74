"""DOT output (API §1.4.4), exact strings."""

from __future__ import annotations

from tests.pipeline.support import build
from tocsin.pipeline.dot import render_dot

ATTRIBUTES = """digraph testTaskID {
graph [throughput="0.00 points/s"];

stream0 [avg_exec_time_ns="0s" errors="0" working_cardinality="0" ];
stream0 -> from1 [processed="0"];

from1 [avg_exec_time_ns="0s" errors="0" working_cardinality="0" ];
}"""


def test_not_executing() -> None:
    assert render_dot("t1", build("stream|from()"), executing=False) == "digraph t1 {\nstream0 -> from1;\n}"


def test_executing_attributes_view_verbatim() -> None:
    assert render_dot("testTaskID", build("stream|from()"), executing=True) == ATTRIBUTES


def test_executing_labels_view_with_stats() -> None:
    pipeline = build("stream|from()|alert()")
    stats = {
        "stream0": {"avg_exec_time_ns": 1500, "errors": 0, "working_cardinality": 0, "collected": 3, "emitted": 3},
        "from1": {"avg_exec_time_ns": 0, "errors": 1, "working_cardinality": 2},
        "alert2": {"alerts_triggered": 4, "avg_exec_time_ns": 0, "errors": 0, "working_cardinality": 1},
    }
    counts = {("stream0", "from1"): 3, ("from1", "alert2"): 2}
    dot = render_dot(
        "t", pipeline, executing=True, view="labels", stats=stats, edge_counts=counts, throughput=1.5, batch=True
    )
    assert dot == (
        "digraph t {\n"
        'graph [label="Throughput: 1.50 batches/s" forcelabels=true pad="0.8,0.5"];\n'
        '\nstream0 [xlabel="avg_exec_time_ns=1.5µs\\rerrors=0\\rworking_cardinality=0"];\n'
        'stream0 -> from1 [label="processed=3"];\n'
        '\nfrom1 [xlabel="avg_exec_time_ns=0s\\rerrors=1\\rworking_cardinality=2"];\n'
        'from1 -> alert2 [label="processed=2"];\n'
        '\nalert2 [xlabel="alerts_triggered=4\\ravg_exec_time_ns=0s\\rerrors=0\\rworking_cardinality=1"];\n'
        "}"
    )


def test_walk_order_with_a_stats_source() -> None:
    pipeline = build("var d = stream|from()\nd|deadman(1.0, 10s)\nd|window()")
    assert render_dot("t", pipeline, executing=False) == (
        "digraph t {\nstream0 -> from1;\nfrom1 -> noop3;\nfrom1 -> window6;\nstats2 -> derivative4;\n"
        "derivative4 -> alert5;\n}"
    )

"""`|default()` fills an empty tag as well as a missing one, as Kapacitor's setDefaults (`tags[tag] == ""`)."""

from __future__ import annotations

from tests.tasks.kit import T0, S, captured, chain, executor, node, pt, push, run
from tocsin.pipeline.spec import EdgeType
from tocsin.points import Batch, BatchPoint


def test_an_empty_tag_is_filled_and_counted() -> None:
    spec = node("default", tag=[("host", "x"), ("dc", "eu")])
    points = [pt(tags={"host": "", "dc": "us"}), pt(tags={"host": "a"}), pt(tags={})]
    ex, out = run(chain(spec, node("capture")), points)
    assert [p.tags for p in out] == [
        {"host": "x", "dc": "us"},
        {"host": "a", "dc": "eu"},
        {"host": "x", "dc": "eu"},
    ]
    assert points[0].tags == {"host": "", "dc": "us"}  # the input is never modified
    stats = ex.stats()["node-stats"]["default1"]
    assert (stats["fields_defaulted"], stats["tags_defaulted"]) == (0, 4)


def test_an_empty_string_field_is_a_value_and_kept() -> None:
    spec = node("default", field=[("msg", "none")])
    ex, out = run(chain(spec, node("capture")), [pt(fields={"msg": ""}), pt(fields={})])
    assert [p.fields for p in out] == [{"msg": ""}, {"msg": "none"}]
    assert ex.stats()["node-stats"]["default1"]["fields_defaulted"] == 1


def test_a_batch_and_its_rows_get_empty_tags_filled() -> None:
    ex = executor(chain(node("default", tag=("host", "x")), node("capture"), kind=EdgeType.BATCH))
    rows = [BatchPoint(T0, {"v": 1}, {"host": ""}), BatchPoint(T0 + S, {"v": 2}, {"host": "b"})]
    push(ex, Batch("cpu", T0 + S, {"host": ""}, rows, "db", "rp"))
    (out,) = captured(ex, "capture2")
    assert (out.tags, [r.tags for r in out.points]) == ({"host": "x"}, [{"host": "x"}, {"host": "b"}])
    assert ex.stats()["node-stats"]["default1"]["tags_defaulted"] == 2

"""`|sideload()` and its files: order, YAML and JSON values, defaults, conversions, the allow-list, reloads."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import pytest

from tests.tasks.kit import T0, FakeConfig, batch, captured, chain, context, dur, executor, node, pt, push
from tocsin.config.allowlists import SIDELOAD_DISABLED
from tocsin.pipeline.spec import EdgeType, NodeSpec
from tocsin.points import Batch, BatchPoint, Point
from tocsin.tasks.executor import TaskExecutor, TaskStartError
from tocsin.tasks.nodes.sideload import SideloadNode, convert, reload_sources
from tocsin.tasks.nodes.sideload_files import MAX_FILE_BYTES

ORDER = ("host/{{.host}}.yml", "hostgroup/{{.hostgroup}}.json", "default.yml")


@pytest.fixture
def src(tmp_path: Path) -> Path:
    """The files of Kapacitor's hierarchy: a host file, a host group file, a default file."""
    root = tmp_path / "sideload"
    write(root / "host/a.yml", "threshold: 95\nteam: web\n")
    write(root / "hostgroup/g1.json", '{"threshold": 80.5, "team": "db", "enabled": "true"}')
    write(root / "default.yml", "threshold: 70\nteam: ops\nenabled: false\nregion: eu\n")
    return root


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def allowing(*dirs: Path | str) -> FakeConfig:
    return FakeConfig({"sideload": [{"allowed-dirs": [str(d) for d in dirs]}]})


def sideload(source: str | Path, order: tuple[str, ...] = ORDER, **props: Any) -> NodeSpec:
    url = source if isinstance(source, str) else f"file://{source}"
    return node("sideload", source=url, order=order, **props)


def start(spec: NodeSpec, config: FakeConfig, kind: EdgeType = EdgeType.STREAM) -> TaskExecutor:
    return executor(chain(spec, node("capture"), kind=kind), context(config))


def load(spec: NodeSpec, config: FakeConfig, points: list[Point]) -> tuple[TaskExecutor, list[Point]]:
    ex = start(spec, config)
    for p in points:
        ex.write(p)
    return ex, captured(ex, "capture2")


def errors(ex: TaskExecutor) -> int:
    count: int = ex.stats()["node-stats"]["sideload1"]["errors"]
    return count


def start_error(spec: NodeSpec, config: FakeConfig) -> str:
    with pytest.raises(TaskStartError) as info:
        start(spec, config)
    return str(info.value)


def test_files_are_searched_in_order(src: Path) -> None:
    spec = sideload(src, field=[("threshold", 0.0)], tag=[("team", "none")])
    points = [
        pt(tags={"host": "a", "hostgroup": "g1"}),
        pt(tags={"host": "b", "hostgroup": "g1"}),
        pt(tags={"host": "b", "hostgroup": "g2"}),
    ]
    ex, out = load(spec, allowing(src.parent), points)
    assert [(p.tags, p.fields) for p in out] == [
        ({"host": "a", "hostgroup": "g1", "team": "web"}, {"value": 1.0, "threshold": 95.0}),
        ({"host": "b", "hostgroup": "g1", "team": "db"}, {"value": 1.0, "threshold": 80.5}),
        ({"host": "b", "hostgroup": "g2", "team": "ops"}, {"value": 1.0, "threshold": 70.0}),
    ]
    assert errors(ex) == 0


def test_defaults_when_no_file_has_the_key_and_loaded_values_replace_the_points(src: Path) -> None:
    spec = sideload(src, field=[("cpu_max", 90), ("region", "?")], tag=[("owner", "nobody"), ("host", "x")])
    _, out = load(spec, allowing(src), [pt(tags={"host": "a"}, fields={"cpu_max": 1, "region": "us"})])
    assert [(p.tags, p.fields) for p in out] == [
        ({"host": "x", "owner": "nobody"}, {"cpu_max": 90, "region": "eu"}),
    ]


def test_yaml_and_json_values_take_the_type_of_the_default(src: Path) -> None:
    spec = sideload(src, field=[("threshold", 0), ("enabled", True)], tag=[("threshold", "")])
    _, out = load(spec, allowing(src), [pt(tags={"host": "a"}), pt(tags={"hostgroup": "g1"})])
    assert [(p.tags.get("threshold"), p.fields) for p in out] == [
        ("95", {"value": 1.0, "threshold": 95, "enabled": False}),
        ("80.5", {"value": 1.0, "threshold": 0, "enabled": True}),
    ]


def test_no_order_or_missing_files_give_the_defaults_without_errors(src: Path) -> None:
    spec = sideload(src, order=("nope/{{.host}}.yml", "host/{{.missing}}.yml"), field=[("threshold", 1.5)])
    ex, out = load(spec, allowing(src), [pt(tags={"host": "a"})])
    assert out[0].fields == {"value": 1.0, "threshold": 1.5}
    assert errors(ex) == 0


def test_a_null_value_stops_the_search_and_gives_the_default(src: Path) -> None:
    write(src / "host/n.yml", "threshold: null\n")
    _, out = load(sideload(src, field=[("threshold", -1.0)]), allowing(src), [pt(tags={"host": "n"})])
    assert out[0].fields["threshold"] == -1.0


def test_no_fields_or_tags_pass_the_point_as_it_is(src: Path) -> None:
    point = pt(tags={"host": "a"})
    _, out = load(sideload(src), allowing(src), [point])
    assert out == [point]


def test_other_files_are_ignored(src: Path) -> None:
    write(src / "host/a.txt", "threshold: 1\n")
    write(src / "host/A.YML", "{{{ not yaml")  # Go's filepath.Ext is case-sensitive: not a values file
    spec = sideload(src, order=("host/a.txt", "host/A.YML", "host/a.yml"), field=[("threshold", 0.0)])
    _, out = load(spec, allowing(src), [pt()])
    assert out[0].fields["threshold"] == 95.0


def test_a_value_that_does_not_convert_is_an_error_and_gives_the_default(
    src: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(src / "host/bad.yml", "threshold: high\nlimits: {a: 1}\nteam: [a, b]\nratio: 1.5\n")
    spec = sideload(src, field=[("threshold", 1.0), ("limits", 2), ("ratio", 3)], tag=[("team", "ops")])
    with caplog.at_level(logging.ERROR, logger="tests.tasks"):
        ex, out = load(spec, allowing(src), [pt(tags={"host": "bad"})])
    assert (out[0].tags, out[0].fields) == (
        {"host": "bad", "team": "ops"},
        {"value": 1.0, "threshold": 1.0, "limits": 2, "ratio": 3},
    )
    assert errors(ex) == 4
    assert sorted(r.getMessage() for r in caplog.records) == [
        'task=task1 node=sideload1 failed to load key "limits": cannot convert value of type map[string]interface {} '
        "to type int64 (expected int64, got map[string]interface {})",
        'task=task1 node=sideload1 failed to load key "ratio": cannot convert value of type float64 to type int64 '
        "(expected int64, got float64)",
        'task=task1 node=sideload1 failed to load key "team": cannot convert value of type []interface {} to type '
        "string (expected string, got []interface {})",
        'task=task1 node=sideload1 failed to load key "threshold": cannot convert string to float64: '
        'strconv.ParseFloat: parsing "high": invalid syntax (expected float64, got string)',
    ]


@pytest.mark.parametrize(
    ("value", "default", "expected"),
    [
        (5.0, 0, 5),
        ("12", 0, 12),
        (3.0, 0.0, 3.0),
        ("2.5", 0.0, 2.5),
        ("t", False, True),
        (True, False, True),
        (5.0, "", "5"),
        (0.1, "", "0.1"),
        (1e21, "", "1000000000000000000000"),
        (False, "", "false"),
        ("x", "", "x"),
    ],
    ids=[
        "float-int",
        "text-int",
        "float",
        "text-float",
        "text-bool",
        "bool",
        "whole-text",
        "frac-text",
        "big-text",
        "bool-text",
        "text",
    ],
)
def test_conversions(value: Any, default: Any, expected: Any) -> None:
    result = convert(value, default)
    assert (result, type(result)) == (expected, type(expected))


@pytest.mark.parametrize(
    ("value", "default", "message"),
    [
        ("x", 0, 'cannot convert string to int64: strconv.Atoi: parsing "x": invalid syntax'),
        ("maybe", True, 'cannot convert string to bool: strconv.ParseBool: parsing "maybe": invalid syntax'),
        (1.0, True, "cannot convert value of type float64 to type bool"),
        (True, 0.0, "cannot convert value of type bool to type float64"),
    ],
    ids=["int", "bool", "float-bool", "bool-float"],
)
def test_conversion_errors(value: Any, default: Any, message: str) -> None:
    with pytest.raises(ValueError) as info:
        convert(value, default)
    assert str(info.value) == message


def test_batches_load_each_row_from_its_tags(src: Path) -> None:
    spec = sideload(src, field=[("threshold", 0.0)], tag=[("team", "")])
    ex = start(spec, allowing(src), EdgeType.BATCH)
    b = batch([(T0, {"value": 1.0})], tags={"hostgroup": "g1"})
    b.points.append(BatchPoint(T0 + 1, {"value": 2.0}, {"host": "a", "hostgroup": "g1"}))
    push(ex, b)
    out = captured(ex, "capture2")
    assert isinstance(out[0], Batch)
    assert out[0].tags == {"hostgroup": "g1"}
    assert out[0].points == [
        BatchPoint(T0, {"value": 1.0, "threshold": 80.5}, {"hostgroup": "g1", "team": "db"}),
        BatchPoint(T0 + 1, {"value": 2.0, "threshold": 95.0}, {"host": "a", "hostgroup": "g1", "team": "web"}),
    ]
    assert b.points[0].fields == {"value": 1.0}  # the input is not changed


def test_an_order_template_that_fails_counts_an_error_and_passes_the_point(
    src: Path, caplog: pytest.LogCaptureFixture
) -> None:
    spec = sideload(src, order=("host/{{.host.x}}.yml",), field=[("threshold", 0.0)])
    point = pt(tags={"host": "a"})
    with caplog.at_level(logging.ERROR, logger="tests.tasks"):
        ex, out = load(spec, allowing(src), [point])
    assert out == [point]
    assert errors(ex) == 1
    assert caplog.records[0].getMessage() == (
        'task=task1 node=sideload1 failed to evaluate order template "host/{{.host.x}}.yml": template: order:1:12: '
        'executing "order" at <.host.x>: can\'t evaluate field x in type string'
    )


def test_an_order_template_that_does_not_parse_stops_the_start(src: Path) -> None:
    message = start_error(sideload(src, order=("{{.host",)), allowing(src))
    assert message == "failed to create sideload1 node: template: order:1: unclosed action"


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        (
            "bad.yml",
            "a: [1\n",
            "failed to unmarshal yaml values \"{path}\": line 2, column 1: expected ',' or ']', but got '<stream end>'",
        ),
        ("bad.json", '{"a": ', 'failed to unmarshal json values "{path}": line 1, column 7: Expecting value'),
        (
            "list.yml",
            "- a\n",
            'failed to unmarshal yaml values "{path}": json: cannot unmarshal array into Go value '
            "of type map[string]interface {}",
        ),
        ("empty.json", "", 'failed to unmarshal json values "{path}": line 1, column 1: Expecting value'),
        (
            "bomb.yml",
            'a: &a ["x","x","x","x","x","x","x","x","x","x"]\n'
            + "".join(f"{c}: &{c} [{','.join(['*' + p] * 10)}]\n" for p, c in zip("abcde", "bcdef", strict=True)),
            'failed to unmarshal yaml values "{path}": the file expands to more than 100000 values (YAML aliases?)',
        ),
    ],
    ids=["yaml", "json", "not-a-mapping", "empty-json", "aliases"],
)
def test_a_bad_file_stops_the_start_naming_the_file(src: Path, name: str, text: str, reason: str) -> None:
    write(src / "host" / name, text)
    message = start_error(sideload(src, field=[("threshold", 0.0)]), allowing(src))
    path = f"{src}/host/{name}"
    assert message == (
        f'failed to create sideload1 node: failed to update sideload cache for source file "{src}": '
        + reason.replace("{path}", path)
    )


def test_an_empty_yaml_file_has_no_values(src: Path) -> None:
    write(src / "host/e.yml", "")
    _, out = load(sideload(src, field=[("threshold", 0.0)]), allowing(src), [pt(tags={"host": "e"})])
    assert out[0].fields["threshold"] == 70.0


def test_a_file_over_the_size_limit_is_refused(src: Path) -> None:
    write(src / "big.yml", "a: " + "x" * MAX_FILE_BYTES + "\n")
    assert start_error(sideload(src), allowing(src)) == (
        f'failed to create sideload1 node: failed to update sideload cache for source file "{src}": '
        f'failed to read values file "{src}/big.yml": larger than {MAX_FILE_BYTES} bytes (Tocsin\'s limit)'
    )


def test_a_fifo_is_skipped(src: Path) -> None:
    os.mkfifo(src / "host/pipe.yml")
    _, out = load(sideload(src, field=[("threshold", 0.0)]), allowing(src), [pt(tags={"host": "pipe"})])
    assert out[0].fields["threshold"] == 70.0


def test_a_missing_directory_stops_the_start(tmp_path: Path) -> None:
    assert start_error(sideload(tmp_path / "nope"), allowing(tmp_path)) == (
        f'failed to create sideload1 node: failed to update sideload cache for source file "{tmp_path}/nope": '
        f"lstat {tmp_path}/nope: no such file or directory"
    )


# -- the allow-list and the source URL ------------------------------------------------------------------------


def test_sideload_is_refused_without_an_allow_list(src: Path) -> None:
    assert start_error(sideload(src), FakeConfig()) == f"failed to create sideload1 node: {SIDELOAD_DISABLED}"
    assert "[sideload] allowed-dirs" in SIDELOAD_DISABLED


@pytest.mark.parametrize(
    ("allowed", "source"),
    [
        ("{tmp}/other", "{tmp}/sideload"),
        ("{tmp}/sideload/host", "{tmp}/sideload"),
        ("{tmp}/sideload", "{tmp}/sideload/../other"),
        ("{tmp}/sideload/**", "{tmp}/sideload"),
    ],
    ids=["outside", "parent-of-allowed", "dotdot", "glob-below-only"],
)
def test_a_source_outside_the_allowed_dirs_is_refused(src: Path, allowed: str, source: str) -> None:
    tmp = src.parent
    (tmp / "other").mkdir()
    path = os.path.normpath(source.format(tmp=tmp))
    message = start_error(sideload(f"file://{source.format(tmp=tmp)}"), allowing(allowed.format(tmp=tmp)))
    assert message == (
        f'failed to create sideload1 node: sideload source "{path}" is not inside a directory of '
        "[sideload] allowed-dirs"
    )


@pytest.mark.parametrize(
    "allowed", ["{tmp}", "{tmp}/sideload", "{tmp}/side*", "{tmp}/**"], ids=["parent", "itself", "glob", "below"]
)
def test_a_source_inside_the_allowed_dirs_loads(src: Path, allowed: str) -> None:
    _, out = load(sideload(src, field=[("threshold", 0.0)]), allowing(allowed.format(tmp=src.parent)), [pt()])
    assert out[0].fields["threshold"] == 70.0


def test_a_symlinked_directory_cannot_escape(src: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret"
    write(outside / "default.yml", "threshold: 1\n")
    (src / "escape").symlink_to(outside)
    assert "is not inside a directory" in start_error(sideload(src / "escape"), allowing(src))
    # walking the allowed source does not follow the link either
    spec = sideload(src, order=("escape/default.yml",), field=[("threshold", 0.0)])
    _, out = load(spec, allowing(src), [pt()])
    assert out[0].fields["threshold"] == 0.0


def test_a_symlinked_file_is_read_only_inside_the_allowed_dirs(src: Path, tmp_path: Path) -> None:
    write(tmp_path / "shared/common.yml", "threshold: 42\n")
    (src / "host/linked.yml").symlink_to(tmp_path / "shared/common.yml")
    spec = sideload(src, order=("host/linked.yml",), field=[("threshold", 0.0)])
    _, out = load(spec, allowing(src, tmp_path / "shared"), [pt()])
    assert out[0].fields["threshold"] == 42.0
    assert start_error(spec, allowing(src)) == (
        f'failed to create sideload1 node: failed to update sideload cache for source file "{src}": '
        f'failed to open values file "{src}/host/linked.yml": a symlink to a file outside [sideload] allowed-dirs'
    )


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("http://example.com/x", 'sideload source scheme "http" is not supported by Tocsin: only file:// sources are'),
        ("ftp:///x", "unsupported source scheme \"ftp\", must be 'file'"),
        ("/etc/tocsin", "unsupported source scheme \"\", must be 'file'"),
        ("file:relative/dir", 'sideload source path must be absolute "relative/dir"'),
        (
            "file://etc/x",
            'sideload source "file://etc/x" names host "etc": write file:///path (an absolute path, no host)',
        ),
    ],
    ids=["http", "ftp", "no-scheme", "relative", "host"],
)
def test_only_absolute_file_sources(source: str, message: str) -> None:
    assert start_error(sideload(source), allowing("/")) == f"failed to create sideload1 node: {message}"


def test_a_duration_default_is_refused(src: Path) -> None:
    message = start_error(sideload(src, field=[("window", dur(60))]), allowing(src))
    assert message.startswith("failed to create sideload1 node: sideload1.field: unsupported default value")


# -- reload ---------------------------------------------------------------------------------------------------


def _node(ex: TaskExecutor) -> SideloadNode:
    found = ex.node("sideload1")
    assert isinstance(found, SideloadNode)
    return found


async def test_reload_reads_changed_files_once_per_directory(src: Path) -> None:
    spec = sideload(src, field=[("threshold", 0.0)])
    first, second = start(spec, allowing(src)), start(sideload(src, field=[("threshold", 0.0)]), allowing(src))
    write(src / "host/a.yml", "threshold: 99\n")
    write(src / "host/new.yml", "threshold: 12\n")
    first.write(pt(tags={"host": "a"}))
    assert await reload_sources([_node(first), _node(second)]) is None
    assert _node(first).cache is _node(second).cache
    first.write(pt(tags={"host": "a"}))
    first.write(pt(tags={"host": "new"}))
    assert [p.fields["threshold"] for p in captured(first, "capture2")] == [95.0, 99.0, 12.0]


async def test_a_failed_reload_keeps_the_files_loaded_before(src: Path) -> None:
    ex = start(sideload(src, field=[("threshold", 0.0)]), allowing(src))
    write(src / "host/a.yml", "threshold: [\n")
    problem = await reload_sources([_node(ex)])
    assert problem == (
        f'failed to update source "{src}": failed to update sideload cache for source file "{src}": '
        f'failed to unmarshal yaml values "{src}/host/a.yml": line 2, column 1: expected the node content, '
        "but found '<stream end>'"
    )
    ex.write(pt(tags={"host": "a"}))
    assert captured(ex, "capture2")[0].fields["threshold"] == 95.0

"""`[load]` through a real engine: what each kind of file becomes, overwrites, deletions and bad files."""

from __future__ import annotations

import logging
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from tocsin.config.loader import load_text
from tocsin.engine.engine import Engine
from tocsin.errors import ConfigError
from tocsin.store.sqlite import SqliteStore
from tocsin.tasks.errors import TaskApiError
from tocsin.tasks.load import ITEMS_NS, LoadError, LoadService
from tocsin.wiring import assemble, tasks_of

TICK = """dbrp "telegraf"."autogen"

stream
    |from()
        .measurement('cpu')
    |alert()
        .crit(lambda: "usage_idle" < 10)
"""
TEMPLATE = """var measurement string
var warn lambda
var window = 5m

stream
    |from()
        .measurement(measurement)
    |window()
        .period(window)
        .every(window)
    |mean('usage_idle')
    |alert()
        .warn(warn)
"""
TEMPLATE_TASK_YAML = """template-id: mean_alert
dbrps:
  - { db: "telegraf", rp: "autogen" }
vars:
  measurement: {type: string, value: mem}
  warn: {type: lambda, value: '"mean" < 30.0'}
  window: {type: duration, value: 1m}
"""
TEMPLATE_TASK_JSON = """{
  "template-id": "mean_alert",
  "dbrps": [{"db": "db", "rp": "rp"}],
  "vars": {"measurement": {"type": "string", "value": "disk"}, "warn": {"type": "lambda", "value": "\\"mean\\" > 90"}}
}
"""
HANDLER = "topic: cpu\nid: tcp-out\nkind: tcp\noptions:\n  address: localhost:9\n"
FILES = {
    "templates/mean_alert.tick": TEMPLATE,
    "tasks/cpu.tick": TICK,
    "tasks/mem.yaml": TEMPLATE_TASK_YAML,
    "tasks/disk.json": TEMPLATE_TASK_JSON,
    "handlers/tcp.yaml": HANDLER,
}
PREFIX = "failed to reload tasks/templates/handlers: "

Start = Callable[..., Awaitable[Engine]]


def write(root: Path, files: Mapping[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


def remove(*paths: Path) -> None:
    for path in paths:
        path.unlink()


def dangling(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(path.parent / "nowhere")


@pytest.fixture
def load_dir(tmp_path: Path) -> Path:
    return tmp_path / "load"


@pytest.fixture
async def start(tmp_path: Path, load_dir: Path) -> AsyncIterator[Start]:
    """Engines on one data directory, `[load]` on `load_dir`; each start stops the previous engine (a restart)."""
    engines: list[Engine] = []

    async def stop_all() -> None:
        while engines:
            await engines.pop().stop(0.1)

    async def start(enabled: bool = True, directory: str | None = None) -> Engine:
        await stop_all()
        conf = f'data_dir = "{tmp_path}"\nhostname = "localhost"\n[load]\nenabled = {str(enabled).lower()}\n'
        conf += f'dir = "{directory if directory is not None else load_dir}"\n'
        engine = assemble(load_text(conf, "test.conf", environ={}), SqliteStore(str(tmp_path / "tocsin.db")))
        engines.append(engine)
        await engine.start()
        return engine

    yield start
    await stop_all()


def task(engine: Engine, task_id: str) -> dict[str, Any]:
    view = tasks_of(engine).get_task(task_id, {})
    return {k: view[k] for k in ("id", "template-id", "type", "dbrps", "vars", "status", "executing", "error")}


async def load_error(start: Start, load_dir: Path, files: Mapping[str, str | bytes], **kw: Any) -> str:
    write(load_dir, files)
    with pytest.raises(LoadError) as info:
        await start(**kw)
    return str(info.value)


async def test_each_kind_of_file_is_loaded(start: Start, load_dir: Path) -> None:
    write(load_dir, {**FILES, "tasks/notes.txt": "not loaded", "tasks/sub.tick/x": ""})
    engine = await start()
    svc = tasks_of(engine)
    assert sorted(svc.tasks) == ["cpu", "disk", "mem"]
    assert task(engine, "cpu") == {
        "id": "cpu",
        "template-id": "",
        "type": "stream",
        "dbrps": [{"db": "telegraf", "rp": "autogen"}],
        "vars": {},
        "status": "enabled",
        "executing": True,
        "error": "",
    }
    assert svc.tasks["cpu"].script == TICK
    template = svc.get_template("mean_alert", {})
    assert (template["id"], template["type"]) == ("mean_alert", "stream")
    assert svc.templates["mean_alert"].script == TEMPLATE
    assert task(engine, "mem") == {
        "id": "mem",
        "template-id": "mean_alert",
        "type": "stream",
        "dbrps": [{"db": "telegraf", "rp": "autogen"}],
        "vars": {
            "measurement": {"type": "string", "value": "mem", "description": ""},
            "warn": {"type": "lambda", "value": '"mean" < 30.0', "description": ""},
            "window": {"type": "duration", "value": 60_000_000_000, "description": ""},
        },
        "status": "enabled",
        "executing": True,
        "error": "",
    }
    assert task(engine, "disk")["dbrps"] == [{"db": "db", "rp": "rp"}]
    assert task(engine, "disk")["vars"]["measurement"]["value"] == "disk"
    assert task(engine, "disk")["executing"] is True
    assert engine.get_handler("cpu", "tcp-out").to_json() == {
        "id": "tcp-out",
        "topic": "cpu",
        "kind": "tcp",
        "options": {"address": "localhost:9"},
        "match": "",
    }
    stored = await engine.store.load_documents(ITEMS_NS)
    assert sorted(stored) == ["handlers/cpu/tcp-out", "tasks/cpu", "tasks/disk", "tasks/mem", "templates/mean_alert"]


async def test_existing_items_are_overwritten_and_tasks_enabled(start: Start, load_dir: Path) -> None:
    engine = await start()
    svc = tasks_of(engine)
    old = "stream|from().measurement('old')"
    await svc.create_task({"id": "cpu", "script": old, "dbrps": [{"db": "a", "rp": "b"}], "status": "disabled"})
    await svc.create_template({"id": "mean_alert", "script": "var x = 1\nstream|from()"})
    await engine.create_handler("cpu", {"id": "tcp-out", "kind": "tcp", "options": {"address": "other:1"}})
    write(load_dir, FILES)
    engine = await start()
    svc = tasks_of(engine)
    assert svc.tasks["cpu"].script == TICK
    assert task(engine, "cpu")["dbrps"] == [{"db": "telegraf", "rp": "autogen"}]
    assert (task(engine, "cpu")["status"], task(engine, "cpu")["executing"]) == ("enabled", True)
    assert svc.templates["mean_alert"].script == TEMPLATE
    assert engine.get_handler("cpu", "tcp-out").options == {"address": "localhost:9"}


async def test_a_changed_file_is_loaded_again_at_the_next_start(start: Start, load_dir: Path) -> None:
    write(load_dir, FILES)
    await start()
    changed = TEMPLATE_TASK_YAML.replace("value: mem", "value: swap")
    write(load_dir, {"tasks/cpu.tick": TICK.replace("10", "5"), "tasks/mem.yaml": changed})
    engine = await start()
    svc = tasks_of(engine)
    assert '"usage_idle" < 5' in svc.tasks["cpu"].script
    assert task(engine, "mem")["vars"]["measurement"]["value"] == "swap"
    assert (task(engine, "mem")["executing"], task(engine, "cpu")["executing"]) == (True, True)


async def test_a_template_task_takes_its_id_from_the_file_name(
    start: Start, load_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(load_dir, {"templates/mean_alert.tick": TEMPLATE, "tasks/mem.yaml": "id: other\n" + TEMPLATE_TASK_YAML})
    with caplog.at_level(logging.WARNING, "tocsin.tasks.load"):
        engine = await start()
    assert sorted(tasks_of(engine).tasks) == ["mem"]
    message = f"{load_dir}/tasks/mem.yaml: the task's ID is the file name, mem; the file's id 'other' is not used"
    assert message in [r.getMessage() for r in caplog.records]


async def test_what_a_removed_file_created_is_deleted(start: Start, load_dir: Path) -> None:
    write(load_dir, FILES)
    await start()
    remove(*(load_dir / n for n in ("tasks/cpu.tick", "tasks/disk.json", "handlers/tcp.yaml")))
    engine = await start()
    svc = tasks_of(engine)
    assert sorted(svc.tasks) == ["mem"]
    with pytest.raises(TaskApiError, match=r"^no task exists$"):
        svc.get_task("cpu", {})
    assert engine.handlers.get("cpu", "tcp-out") is None
    assert sorted(await engine.store.load_documents(ITEMS_NS)) == ["tasks/mem", "templates/mean_alert"]
    # Once deleted it is forgotten: what the API creates later under that ID stays.
    await svc.create_task({"id": "cpu", "script": TICK, "status": "enabled"})
    engine = await start()
    assert sorted(tasks_of(engine).tasks) == ["cpu", "mem"]


async def test_a_removed_template_is_deleted_and_its_tasks_stay(start: Start, load_dir: Path) -> None:
    write(load_dir, FILES)
    await start()
    remove(load_dir / "templates/mean_alert.tick")
    engine = await start()
    svc = tasks_of(engine)
    assert svc.templates == {}
    assert task(engine, "mem")["template-id"] == "mean_alert"


async def test_a_missing_dir_loads_nothing_and_keeps_what_it_had_loaded(
    start: Start, load_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(load_dir, {"tasks/cpu.tick": TICK})
    await start()
    shutil.rmtree(load_dir)
    with caplog.at_level(logging.WARNING, "tocsin.tasks.load"):
        engine = await start()
    assert list(tasks_of(engine).tasks) == ["cpu"]  # Kapacitor deletes it: an unmounted volume must not
    assert f"[load] dir {load_dir} does not exist: nothing loaded, nothing loaded before deleted" in [
        r.getMessage() for r in caplog.records
    ]


async def test_missing_subdirectories_are_skipped(start: Start, load_dir: Path) -> None:
    write(load_dir, {"handlers/tcp.yaml": HANDLER})
    engine = await start()
    assert tasks_of(engine).tasks == {}
    assert engine.handlers.get("cpu", "tcp-out") is not None


async def test_nothing_is_loaded_when_disabled(start: Start, load_dir: Path) -> None:
    write(load_dir, FILES)
    engine = await start(enabled=False)
    assert (tasks_of(engine).tasks, tasks_of(engine).templates) == ({}, {})
    assert engine.handlers.get("cpu", "tcp-out") is None


async def test_reload_logs_a_bad_file_and_keeps_running(
    start: Start, load_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(load_dir, {"tasks/cpu.tick": TICK})
    engine = await start()
    service = next(s for s in engine.services if isinstance(s, LoadService))
    write(load_dir, {"tasks/bad.tick": "stream|from().measurement('x')\n", "handlers/tcp.yaml": HANDLER})
    with caplog.at_level(logging.ERROR, "tocsin.tasks.load"):
        await service.reload()
    path = load_dir / "tasks/bad.tick"
    expected = f"{PREFIX}failed to load tasks: failed to load file {path}: failed to create task: must specify dbrp"
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == [expected]
    remove(load_dir / "tasks/bad.tick")
    await service.reload()
    assert engine.handlers.get("cpu", "tcp-out") is not None


async def test_a_load_error_is_a_config_error(start: Start, load_dir: Path) -> None:
    write(load_dir, {"tasks/x.tick": "stream|from()"})
    with pytest.raises(ConfigError):
        await start()


TASK_FILE = "failed to load tasks: failed to load file {path}: "
BAD_FILES = [
    (
        "tasks/bad.tick",
        "stream|from(\n",
        TASK_FILE + 'failed to create task: invalid TICKscript: parser: unexpected EOF line 2 char 1 in "". '
        'expected: "number","string","duration","identifier","TRUE","FALSE","==","(","-","!"',
    ),
    ("tasks/nodbrp.tick", "stream|from()\n", TASK_FILE + "failed to create task: must specify dbrp"),
    (
        "tasks/bad-id!.tick",
        TICK,
        TASK_FILE + "failed to create task: task ID must contain only letters, numbers, '-', '.' and '_'. \"bad-id!\"",
    ),
    (
        "tasks/t.yaml",
        "template-id: [x\n",
        TASK_FILE + 'failed to unmarshal yaml task vars file "{path}": line 2, column 1: '
        "expected ',' or ']', but got '<stream end>'",
    ),
    (
        "tasks/t.json",
        '{"template-id": }',
        TASK_FILE + 'failed to unmarshal json task vars file "{path}": line 1, column 17: Expecting value',
    ),
    (
        "tasks/t.yaml",
        "- a\n",
        TASK_FILE + 'failed to unmarshal yaml task vars file "{path}": '
        "the file must hold a mapping of template-id, dbrps and vars, got array",
    ),
    (
        "tasks/t.yaml",
        "template-id: mean_alert\ndbrps: telegraf.autogen\n",
        TASK_FILE + 'failed to unmarshal yaml task vars file "{path}": '
        'field "dbrps" must be a list of {{db, rp}}, got string',
    ),
    (
        "tasks/t.yaml",
        "template-id: mean_alert\ndbrps: [{db: 1, rp: x}]\n",
        TASK_FILE + 'failed to unmarshal yaml task vars file "{path}": '
        'field "dbrps" must be a list of {{db, rp}}, got object',
    ),
    (
        "tasks/t.yaml",
        "dbrps: [{db: a, rp: b}]\n",
        TASK_FILE + 'field "template-id" is required in a template task file',
    ),
    (
        "tasks/t.yaml",
        "template-id: nope\ndbrps: [{db: a, rp: b}]\n",
        TASK_FILE + "failed to create task: unknown template nope: err: no template exists",
    ),
    (
        "tasks/t.yaml",
        "template-id: mean_alert\ndbrps: [{db: a, rp: b}]\nvars: {warn: {type: lambda, value: 1}}\n",
        TASK_FILE + "failed to create task: invalid var warn: unsupported Var type json.Number.",
    ),
    ("tasks/u.tick", b"stream|from() // \xff\n", TASK_FILE + "the file is not UTF-8 text"),
    (
        "templates/t.tick",
        "var x int\nstream|from(\n",
        "failed to load file {path}: failed to create template: invalid TICKscript: parser: unexpected EOF "
        'line 3 char 1 in "". expected: "number","string","duration","identifier","TRUE","FALSE","==","(","-","!"',
    ),
    (
        "handlers/h.yaml",
        "topic: cpu\nid: [\n",
        'failed to load file {path}: failed to unmarshal yaml handler file "{path}": line 3, column 1: '
        "expected the node content, but found '<stream end>'",
    ),
    (
        "handlers/h.json",
        '{"id": "h", "kind": "tcp"}',
        'failed to load file {path}: failed to unmarshal json handler file "{path}": field "topic" is required',
    ),
    (
        "handlers/h.yaml",
        "topic: cpu\nid: h\n",
        "failed to load file {path}: invalid handler spec: handler Kind must not be empty",
    ),
    (
        "handlers/h.yaml",
        "topic: cpu\nid: h\nkind: nope\n",
        'failed to load file {path}: failed to create handler: unsupported action kind "nope"',
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "error"),
    BAD_FILES,
    ids=[
        "tick-syntax",
        "tick-no-dbrp",
        "tick-bad-id",
        "yaml-syntax",
        "json-syntax",
        "yaml-not-a-mapping",
        "yaml-dbrps-type",
        "yaml-dbrp-item",
        "yaml-no-template-id",
        "yaml-unknown-template",
        "yaml-bad-var",
        "not-utf8",
        "template-syntax",
        "handler-yaml-syntax",
        "handler-no-topic",
        "handler-no-kind",
        "handler-unknown-kind",
    ],
)
async def test_a_bad_file_stops_the_start_naming_it(
    start: Start, load_dir: Path, name: str, content: str | bytes, error: str
) -> None:
    files = {"templates/mean_alert.tick": TEMPLATE, name: content}
    assert await load_error(start, load_dir, files) == PREFIX + error.format(path=load_dir / name)


async def test_an_unreadable_file_is_named(start: Start, load_dir: Path) -> None:
    path = load_dir / "tasks/gone.tick"
    dangling(path)
    assert await load_error(start, load_dir, {}) == (
        f"{PREFIX}failed to load tasks: failed to load file {path}: "
        f"failed to open file {path}: No such file or directory"
    )


async def test_a_dir_that_is_not_a_directory_is_named(start: Start, tmp_path: Path, load_dir: Path) -> None:
    write(load_dir.parent, {load_dir.name: ""})
    assert await load_error(start, load_dir, {}) == f'{PREFIX}cannot read directory "{load_dir}": Not a directory'
    remove(load_dir)
    write(load_dir, {"tasks": ""})
    assert await load_error(start, load_dir, {}) == (
        f'{PREFIX}failed to load tasks: cannot read directory "{load_dir}/tasks": Not a directory'
    )


def test_a_relative_dir_is_refused_when_the_config_loads() -> None:
    with pytest.raises(ConfigError) as info:
        load_text('[load]\n  enabled = true\n  dir = "load"\n', "kapacitor.conf", environ={})
    assert str(info.value) == 'kapacitor.conf:1: [load] failed validation: dir "load" must be an absolute path'

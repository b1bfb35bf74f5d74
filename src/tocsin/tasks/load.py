"""`[load]`: tasks, templates and topic handlers defined by files, loaded at every start (Kapacitor's load service).

`templates/*.tick`, `tasks/*.tick`, template tasks `tasks/*.{yaml,yml,json}` (IDs: the file names without
extension) and topic handlers `handlers/*.{yaml,yml,json}` go through the API's operations: what exists is
updated, loaded tasks are enabled, and what an earlier load created from a file now gone is deleted (the loaded
IDs are kept in the store's `load_items`). The first bad file stops the start with an error naming it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tocsin.errors import ConfigError, ParseError, TocsinError
from tocsin.handler_files import decode_document, json_kind, jsonable, parse_handler_spec
from tocsin.tasks.records import DISABLED, ENABLED

if TYPE_CHECKING:
    from tocsin.engine.engine import Engine
    from tocsin.tasks.service import TaskService

log = logging.getLogger(__name__)

ITEMS_NS = "load_items"
TICK = (".tick",)
DATA = (".yaml", ".yml", ".json")

# Kapacitor's texts (server/server.go, services/load/service.go).
RELOAD_FAILED = "failed to reload tasks/templates/handlers: {err}"
TASKS_FAILED = "failed to load tasks: {err}"
FILE_FAILED = "failed to load file {path}: {err}"
OPEN_FAILED = "failed to open file {path}: {reason}"
CREATE_TASK_FAILED = "failed to create task: {err}"
CREATE_TEMPLATE_FAILED = "failed to create template: {err}"
UPDATE_TEMPLATE_FAILED = "failed to update template: {err}"
BAD_TASK_FILE = 'failed to unmarshal {fmt} task vars file "{path}": {reason}'
# Tocsin's texts: Kapacitor says "task vars file" for handler files too, and checks neither the dir nor the
# types of a template task file's fields.
AS_IS = "{err}"
BAD_HANDLER_FILE = 'failed to unmarshal {fmt} handler file "{path}": {reason}'
DIR_UNREADABLE = 'cannot read directory "{dir}": {reason}'
NOT_UTF8 = "the file is not UTF-8 text"
NOT_A_MAPPING = "the file must hold a mapping of template-id, dbrps and vars, got {kind}"
WRONG_TYPE = 'field "{field}" must be {expected}, got {kind}'
NO_TEMPLATE_ID = 'field "template-id" is required in a template task file'
REMOVE_FAILED = "failed to delete {what}, whose file is gone: {err}"


class LoadError(ConfigError):
    """A file of the load directory could not be loaded: Tocsin does not start."""


@dataclass(frozen=True, slots=True)
class Item:
    """One thing a load created: `kind` is tasks, templates or handlers (the store key's first part)."""

    kind: str
    id: str
    topic: str = ""

    @property
    def key(self) -> str:
        return "/".join(p for p in (self.kind, self.topic, self.id) if p)

    @property
    def label(self) -> str:
        """`task cpu`, `handler cpu/tcp-out`: for messages."""
        return f"{self.kind[:-1]} {self.key.partition('/')[2]}"

    def to_doc(self) -> dict[str, str]:
        return {"kind": self.kind, "topic": self.topic, "id": self.id}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Item:
        return cls(str(doc.get("kind", "")), str(doc.get("id", "")), str(doc.get("topic", "")))


_Loader = Callable[[Path, str], Awaitable[Item]]


class LoadService:
    """Loads `[load] dir` once the task service has opened."""

    def __init__(self, engine: Engine, tasks: TaskService) -> None:
        self.engine = engine
        self.tasks = tasks

    async def open(self) -> None:
        """Load the directory when `[load] enabled`; LoadError (Tocsin does not start) on the first bad file."""
        if self.engine.config.get("load", "enabled"):
            await self.load()

    async def close(self) -> None:
        return None

    async def reload(self) -> None:
        """Load again (Kapacitor does on SIGHUP); a failure is logged and changes nothing more."""
        if not self.engine.config.get("load", "enabled"):
            log.info("[load] is not enabled: nothing to reload")
            return
        try:
            await self.load()
        except LoadError as exc:
            log.error("%s", exc)

    async def load(self) -> None:
        """Load every file, then delete what earlier loads created from files that are gone."""
        root = str(self.engine.config.get("load", "dir"))
        run: set[Item] = set()
        try:
            if _listing(Path(root), ()) is None:
                # Kapacitor then deletes everything it loaded before; an unmounted volume must not do that
                log.warning("[load] dir %s does not exist: nothing loaded, nothing loaded before deleted", root)
                return
            await self._load_all(Path(root), run)
            await self._remove_missing(run)
        except LoadError as exc:
            raise LoadError(RELOAD_FAILED.format(err=exc)) from None

    async def _load_all(self, root: Path, run: set[Item]) -> None:
        for path in _listing(root / "templates", TICK) or []:
            await self._each(path, "template", self._template, run)
        try:
            tasks = _listing(root / "tasks", TICK + DATA) or []
            for path in (p for p in tasks if p.suffix in TICK):
                await self._each(path, "task", self._task, run)
            for path in (p for p in tasks if p.suffix in DATA):
                await self._each(path, "template task", self._template_task, run)
        except LoadError as exc:
            raise LoadError(TASKS_FAILED.format(err=exc)) from None
        for path in _listing(root / "handlers", DATA) or []:
            await self._each(path, "handler", self._handler, run)

    async def _each(self, path: Path, what: str, load: _Loader, run: set[Item]) -> None:
        log.info("loading %s from %s", what, path)
        try:
            item = await load(path, _read(path))
        except LoadError as exc:
            raise LoadError(FILE_FAILED.format(path=path, err=exc)) from None
        await self._record(item)
        run.add(item)

    async def _template(self, path: Path, script: str) -> Item:
        template_id = path.stem
        body = {"id": template_id, "script": script}
        if template_id in self.tasks.templates:
            await _api(UPDATE_TEMPLATE_FAILED, self.tasks.update_template(template_id, body))
        else:
            await _api(CREATE_TEMPLATE_FAILED, self.tasks.create_template(body))
        return Item("templates", template_id)

    async def _task(self, path: Path, script: str) -> Item:
        return await self._define(path.stem, {"script": script})

    async def _template_task(self, path: Path, text: str) -> Item:
        fields = _task_vars(path, text)
        if not fields.get("template-id"):
            raise LoadError(NO_TEMPLATE_ID)
        return await self._define(path.stem, fields)

    async def _define(self, task_id: str, fields: dict[str, Any]) -> Item:
        # As Kapacitor: an existing task is updated, then disabled and enabled so it runs the new definition.
        body = {"id": task_id, **fields}
        if task_id in self.tasks.tasks:
            await _api(CREATE_TASK_FAILED, self.tasks.update_task(task_id, body))
            await _api(AS_IS, self.tasks.update_task(task_id, {"status": DISABLED}))
            await _api(AS_IS, self.tasks.update_task(task_id, {"status": ENABLED}))
        else:
            await _api(CREATE_TASK_FAILED, self.tasks.create_task({**body, "status": ENABLED}))
        return Item("tasks", task_id)

    async def _handler(self, path: Path, text: str) -> Item:
        try:
            spec = parse_handler_spec(text, str(path))
        except ParseError as exc:
            raise LoadError(BAD_HANDLER_FILE.format(fmt=_format(path), path=path, reason=_reason(exc, path))) from None
        topic, handler_id = spec["topic"], spec["id"]
        if self._has_handler(topic, handler_id):
            await _api(AS_IS, self.engine.replace_handler(topic, handler_id, spec))
        else:
            await _api(AS_IS, self.engine.create_handler(topic, spec))
        return Item("handlers", handler_id, topic)

    def _has_handler(self, topic: str, handler_id: str) -> bool:
        handler = self.engine.handlers.get(topic, handler_id)
        return handler is not None and not handler.owner

    async def _record(self, item: Item) -> None:
        try:
            await self.engine.store.put_document(ITEMS_NS, item.key, item.to_doc())
        except Exception as exc:
            raise LoadError(f"the store cannot save what was loaded: {exc}") from exc

    async def _remove_missing(self, run: set[Item]) -> None:
        # Kapacitor keeps the record of a deleted item and deletes again at every load, even what the API
        # created later under the same ID: Tocsin forgets the record once the item is deleted.
        try:
            docs = await self.engine.store.load_documents(ITEMS_NS)
        except Exception as exc:
            raise LoadError(f"the store cannot list what was loaded: {exc}") from exc
        order = {"tasks": 0, "templates": 1, "handlers": 2}
        gone = sorted((Item.from_doc(d) for d in docs.values()), key=lambda i: (order.get(i.kind, 3), i.key))
        for item in gone:
            if item in run:
                continue
            log.info("deleting %s: its file is gone", item.label)
            try:
                await self._delete(item)
                await self.engine.store.delete_document(ITEMS_NS, item.key)
            except Exception as exc:
                raise LoadError(REMOVE_FAILED.format(what=item.label, err=exc)) from None

    async def _delete(self, item: Item) -> None:
        if item.kind == "tasks":
            await self.tasks.delete_task(item.id)
        elif item.kind == "templates" and item.id in self.tasks.templates:
            await self.tasks.delete_template(item.id)
        elif item.kind == "handlers" and self._has_handler(item.topic, item.id):
            await self.engine.delete_handler(item.topic, item.id)


async def _api(text: str, call: Awaitable[Any]) -> None:
    """Await an API operation; its error, in `text`'s words, is the file's."""
    try:
        await call
    except TocsinError as exc:
        raise LoadError(text.format(err=exc)) from None


def _listing(directory: Path, suffixes: tuple[str, ...]) -> list[Path] | None:
    """The files of `directory` with one of `suffixes`, by name; None when it does not exist."""
    try:
        with os.scandir(directory) as entries:
            names = sorted(e.name for e in entries if not e.is_dir())
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise LoadError(DIR_UNREADABLE.format(dir=directory, reason=exc.strerror or exc)) from None
    return [directory / n for n in names if Path(n).suffix in suffixes]


def _read(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(OPEN_FAILED.format(path=path, reason=exc.strerror or exc)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise LoadError(NOT_UTF8) from None


def _format(path: Path) -> str:
    return "json" if path.suffix == ".json" else "yaml"


def _reason(exc: ParseError, path: Path) -> str:
    """A parse error's text without the path it starts with (the message names the file already)."""
    text = str(exc).removeprefix(f"{path}:").strip()
    if exc.line:
        text = f"line {exc.line}, column {exc.column}: " + text.removeprefix(f"{exc.line}:{exc.column}:").strip()
    return text


def _task_vars(path: Path, text: str) -> dict[str, Any]:
    """Kapacitor's `TaskVars` (template-id, dbrps, vars; the file's id is not used) as a task API body."""

    def bad(reason: str) -> LoadError:
        return LoadError(BAD_TASK_FILE.format(fmt=_format(path), path=path, reason=reason))

    try:  # decoded as handler files are: Go's YAML-to-JSON rules, and the same size budgets
        raw = jsonable(decode_document(text, str(path)), str(path))
    except ParseError as exc:
        raise bad(_reason(exc, path)) from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise bad(NOT_A_MAPPING.format(kind=json_kind(raw)))
    # As Go's decoder: keys match case-insensitively, an exact match wins, unknown keys are ignored.
    folded = {k.lower(): v for k, v in raw.items() if k != k.lower()}
    folded.update({k: v for k, v in raw.items() if k == k.lower()})
    body: dict[str, Any] = {}
    expected: dict[str, tuple[type[Any], str]] = {
        "template-id": (str, "a string"),
        "dbrps": (list, "a list of {db, rp}"),
        "vars": (dict, "a mapping"),
    }
    for name, (kind, words) in expected.items():
        value = folded.get(name)
        if value is None:
            continue
        if not isinstance(value, kind):
            raise bad(WRONG_TYPE.format(field=name, expected=words, kind=json_kind(value)))
        body[name] = value
    for dbrp in body.get("dbrps", []):
        if not isinstance(dbrp, dict) or not all(isinstance(dbrp.get(k, ""), str) for k in ("db", "rp")):
            raise bad(WRONG_TYPE.format(field="dbrps", expected="a list of {db, rp}", kind=json_kind(dbrp)))
    file_id = folded.get("id")
    if file_id not in (None, "", path.stem):
        log.warning("%s: the task's ID is the file name, %s; the file's id %r is not used", path, path.stem, file_id)
    return body
